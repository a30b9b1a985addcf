import { z } from "zod";
import { markdownDraft } from "../reply.js";
import { defineCommand } from "./command.js";
import { commandLanguage } from "./language.js";

const intro = {
  en: [
    "**Spotlight** answers questions about the cloud-native projects in its knowledge base.",
    "Mention me with a question (I answer in a thread and follow the conversation), or use a command:",
  ],
  zh: [
    "**Spotlight** 回答知识库中云原生项目的相关问题。",
    "@我并提问（我会在话题中回答并跟进对话），或使用命令：",
  ],
} as const;

export const helpCommand = defineCommand({
  name: "help",
  description: "How to use Spotlight.",
  // Text after /help (Slack, CLI) only chooses the language: `/help 怎么用` answers in Chinese.
  options: z.object({}),
  usage: "/help",
  parseText: () => ({}),
  run({ specs, request }) {
    const language = commandLanguage(request);
    const zh = language === "zh";
    const all = specs();
    const builtins = all.filter((s) => !s.name.startsWith("-") && !s.usage.includes("[question]"));
    const shortcuts = all.filter((s) => s.usage.includes("[question]"));
    // The example names a shortcut that exists in this knowledge base.
    const example = shortcuts[0]?.name ?? "project";
    const shortcutLine = zh
      ? `**项目快捷命令：** ${shortcuts.map((s) => `\`/${s.name}\``).join("、")}：显示项目卡片，或用 \`/${example} 谁在用它？\` 直接提问。`
      : `**Shortcuts:** ${shortcuts.map((s) => `\`/${s.name}\``).join(", ")} — a project's card, or \`/${example} who uses it?\` for an answer about it.`;
    const text = [
      ...intro[language],
      "",
      ...builtins.map((s) => `- \`${s.usage}\` — ${s.description}`),
      "",
      shortcutLine,
    ].join("\n");
    return markdownDraft(text, { ephemeral: true, language });
  },
});
