import { z } from "zod";
import { markdownDraft } from "../reply.js";
import { defineCommand } from "./command.js";
import { commandLanguage } from "./language.js";

export const projectsCommand = defineCommand({
  name: "projects",
  description: "List the projects Spotlight knows, with one-line summaries.",
  options: z.object({}),
  usage: "/projects",
  run({ kb, request }) {
    const language = commandLanguage(request);
    const zh = language === "zh";
    const line = (p: (typeof kb.projects)[number]) =>
      `- **${p.name}** (\`/${p.id}\`) — ${p.summary[language]}`;
    const featured = kb.projects.filter((p) => p.featured);
    const others = kb.projects.filter((p) => !p.featured);
    const text = [
      `**${zh ? "文章重点介绍的项目" : "Featured projects"}**`,
      ...featured.map(line),
      "",
      `**${zh ? "文章还提到了" : "Also mentioned"}**`,
      ...others.map(line),
      "",
      zh
        ? "用 `/project <名称>` 查看项目卡片，或直接提问。"
        : "Use `/project <name>` for a card, or just ask a question.",
    ].join("\n");
    return markdownDraft(text, { language });
  },
});
