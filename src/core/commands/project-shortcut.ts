import { z } from "zod";
import type { Project } from "../knowledge/schema.js";
import { answerDraft } from "../reply.js";
import type { Command } from "./command.js";
import { commandLanguage } from "./language.js";
import { projectCard } from "./project-card.js";

/** `/<project-id>`: the project's card, or with a question, an answer focused on that project. */
export function projectShortcut(project: Project): Command {
  return {
    name: project.id,
    description:
      `${project.name}${project.category ? `: ${project.category.en}` : ""}. Card, or ask a question about it.`.slice(
        0,
        100,
      ),
    options: z.object({
      question: z.string().optional().describe(`A question about ${project.name} (optional)`),
    }),
    zh: {
      description:
        `${project.name}${project.category ? `：${project.category.zh}` : ""}。查看项目卡片，或就它提问。`.slice(
          0,
          100,
        ),
      options: { question: `关于 ${project.name} 的问题（可选）`.slice(0, 100) },
    },
    usage: `/${project.id} [question]`,
    examples: [`/${project.id}`, `/${project.id} how many GitHub stars does it have?`],
    slow: true,
    parseText: (text) => (text.trim() ? { question: text.trim() } : {}),
    async run({ options, kb, questions, request, handle }) {
      const question = typeof options.question === "string" ? options.question.trim() : "";
      if (question) {
        const { reply } = await questions.ask(question, {
          ...handle,
          conversationId: request.conversationId,
          projectId: project.id,
        });
        return answerDraft(reply);
      }
      const language = commandLanguage(request);
      const card = projectCard(project, kb, language);
      return { parts: [{ type: "card", card }], language };
    },
  };
}
