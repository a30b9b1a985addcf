import { z } from "zod";
import { markdownDraft } from "../reply.js";
import { defineCommand } from "./command.js";
import { commandLanguage } from "./language.js";

export const talksCommand = defineCommand({
  name: "talks",
  description: "The KubeCon London sessions the article recommends, per project.",
  options: z.object({}),
  usage: "/talks",
  run({ kb, request }) {
    const language = commandLanguage(request);
    const zh = language === "zh";
    const lines: string[] = [];
    for (const event of kb.events) {
      lines.push(`**${event.name}**`, ...event.facts.map((f) => `- ${f[language]}`), "");
    }
    lines.push(`**${zh ? "文章推荐的会议" : "Sessions the article recommends"}**`);
    for (const p of kb.projects.filter((x) => x.links.kubecon_session)) {
      const s = p.links.kubecon_session as { title: string; url: string };
      const count = p.facts.talks ? ` (${p.facts.talks[language]})` : "";
      lines.push(`- **${p.name}:** [${s.title}](${s.url})${count}`);
    }
    const none = kb.projects.filter((p) => p.facts.talks?.count === 0);
    if (none.length > 0) {
      lines.push(
        "",
        `**${zh ? "没有任何演讲的项目" : "No talks at all"}:** ${none.map((p) => p.name).join(zh ? "、" : ", ")}`,
      );
    }
    return markdownDraft(lines.join("\n"), { language });
  },
});
