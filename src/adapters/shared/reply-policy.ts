import type { Reply } from "../../core/index.js";

/**
 * Which replies get 👍/👎 on every platform: public answers to questions (the core decides which
 * replies are answers). Returns the conversation the buttons rate, or undefined for none.
 */
export function feedbackFor(reply: Reply, conversationId: string): string | undefined {
  return reply.feedback && !reply.ephemeral ? conversationId : undefined;
}
