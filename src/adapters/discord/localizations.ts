import type { CommandSpec } from "../../core/index.js";

/** Discord's locale for Simplified Chinese. */
export const ZH_CN = "zh-CN";

/**
 * Chinese names and descriptions of the built-in commands and their options. Names follow
 * Discord's rules (1-32 characters, lower case where the script has case); descriptions stay
 * within 100 characters. Options keep their English names on the wire: Discord sends the
 * original name whatever the client's language.
 */
const BUILTINS: Record<
  string,
  { name: string; description: string; options?: Record<string, [string, string]> }
> = {
  ask: {
    name: "提问",
    description: "就这些项目提问；回答会注明出处。",
    options: { question: ["问题", "你的问题，例如：谁在使用 KubeVirt？"] },
  },
  project: {
    name: "项目",
    description: "查看项目卡片：是什么、为何重要、事实、KubeCon 演讲与延伸阅读。",
    options: { name: ["名称", "项目名称或别名，例如 capi"] },
  },
  projects: { name: "项目列表", description: "列出 Spotlight 了解的项目及一句话简介。" },
  compare: {
    name: "对比",
    description: "并排比较两个项目的事实。",
    options: { first: ["第一个", "第一个项目"], second: ["第二个", "第二个项目"] },
  },
  talks: { name: "演讲", description: "KubeCon 伦敦：活动本身，以及文章介绍的各项目演讲。" },
  about: { name: "关于", description: "Spotlight 知道什么，以及这些知识从何而来。" },
  help: { name: "帮助", description: "如何使用 Spotlight。" },
};

/** Per-project shortcuts and other commands keep their names; their option names stay English. */
const OPTION_NAMES: Record<string, string> = { question: "问题" };

export interface Localized {
  name_localizations?: Record<string, string>;
  description_localizations?: Record<string, string>;
}

/** The zh-CN localizations of a command, or nothing when it has no Chinese texts. */
export function commandLocalizations(spec: CommandSpec): Localized {
  const builtin = BUILTINS[spec.name];
  const description = builtin?.description ?? spec.zh?.description;
  return {
    ...(builtin ? { name_localizations: { [ZH_CN]: builtin.name } } : {}),
    ...(description ? { description_localizations: { [ZH_CN]: description.slice(0, 100) } } : {}),
  };
}

/** The zh-CN localizations of one option of a command. */
export function optionLocalizations(spec: CommandSpec, option: string): Localized {
  const builtin = BUILTINS[spec.name]?.options?.[option];
  const name = builtin?.[0] ?? OPTION_NAMES[option];
  const description = builtin?.[1] ?? spec.zh?.options?.[option];
  return {
    ...(name ? { name_localizations: { [ZH_CN]: name } } : {}),
    ...(description ? { description_localizations: { [ZH_CN]: description.slice(0, 100) } } : {}),
  };
}
