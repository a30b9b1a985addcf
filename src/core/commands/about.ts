import { z } from "zod";
import { markdownDraft } from "../reply.js";
import { defineCommand } from "./command.js";
import { commandLanguage } from "./language.js";

export const aboutCommand = defineCommand({
  name: "about",
  description: "What Spotlight knows and where it comes from.",
  options: z.object({}),
  usage: "/about",
  run({ kb, request }) {
    const language = commandLanguage(request);
    const zh = language === "zh";
    const lines = [
      zh
        ? "**Spotlight** 回答关于云原生项目的问题，依据是以下文章："
        : "**Spotlight** answers questions about cloud-native projects, grounded on:",
    ];
    for (const { meta } of kb.articles) {
      const translated = meta.translated_from
        ? zh
          ? `，译自${meta.translated_from === "en" ? "英文" : "中文"}原文`
          : ` (${meta.language === "zh" ? "Chinese" : "English"} translation of the ${meta.translated_from === "en" ? "English" : "Chinese"} original)`
        : "";
      const title = meta.url ? `[${meta.title[language]}](${meta.url})` : meta.title[language];
      const byline = [meta.author, meta.publisher].filter(Boolean).join(", ");
      lines.push(`- ${title}${byline ? ` — ${byline}` : ""}${translated}`);
    }
    lines.push(
      "",
      zh
        ? `目录中有 ${kb.projects.length} 个项目。回答会引用文章段落 [n]；没有配置语言模型时，回答直接摘录原文。`
        : `The catalog holds ${kb.projects.length} projects. Answers cite the article's passages as [n]; without a language model, answers quote the article directly.`,
    );
    return markdownDraft(lines.join("\n"), { language });
  },
});
