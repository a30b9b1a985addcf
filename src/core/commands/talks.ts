import { z } from "zod";
import { defineCommand } from "./command.js";
import { commandLanguage } from "./language.js";

export const talksCommand = defineCommand({
  name: "talks",
  description: "KubeCon London: the event, and each project's sessions as the article tells them.",
  options: z.object({}),
  usage: "/talks",
  run({ kb, request }) {
    const language = commandLanguage(request);
    const zh = language === "zh";
    const lines: string[] = [];
    for (const event of kb.events) {
      lines.push(`**${event.name}**`, ...event.facts.map((f) => `- ${f[language]}`), "");
    }
    lines.push(`**${zh ? "各项目的演讲（据文章）" : "Sessions per project (as the article tells them)"}**`);
    // Every project the article says something about at KubeCon, with or without a linked session
    // (LocalAI has none: the article's point is that nobody talks about local inference).
    const none = kb.projects.filter((p) => p.facts.talks?.count === 0);
    for (const p of kb.projects.filter(
      (x) => x.links.kubecon_session || (x.facts.talks && x.facts.talks.count !== 0),
    )) {
      const s = p.links.kubecon_session;
      const talks = p.facts.talks ? p.facts.talks[language] : "";
      const link = s
        ? `[${s.title}](${s.url})${s.recommended ? (zh ? "（文章推荐）" : " (recommended by the article)") : ""}`
        : "";
      lines.push(`- **${p.name}:** ${[link, talks].filter(Boolean).join(zh ? "；" : " — ")}`);
    }
    if (none.length > 0) {
      lines.push(
        "",
        `**${zh ? "没有任何演讲的项目" : "No talks at all"}:** ${none.map((p) => p.name).join(zh ? "、" : ", ")}`,
      );
    }
    return { text: lines.join("\n"), sources: [], language };
  },
});
