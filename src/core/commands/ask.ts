import { z } from "zod";
import { answerDraft } from "../reply.js";
import { defineCommand } from "./command.js";

export const askCommand = defineCommand({
  name: "ask",
  description: "Ask a question about the projects; the answer cites the article.",
  // Length is checked by the question guard, which answers in the question's language.
  options: z.object({ question: z.string().describe("Your question, e.g. Who uses KubeVirt?") }),
  usage: "/ask <question>",
  examples: ["/ask Who uses KubeVirt?", "/ask vCluster 有多少星标？"],
  slow: true,
  parseText: (text) => ({ question: text }),
  async run({ options, questions, request, handle }) {
    const { reply } = await questions.ask(options.question, {
      ...handle,
      conversationId: request.conversationId,
    });
    return answerDraft(reply);
  },
});
