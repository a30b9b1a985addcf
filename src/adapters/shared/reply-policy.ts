import type { Reply } from "../../core/index.js";

/**
 * Which replies get 👍/👎 on every platform: public answers to questions (the core decides which
 * replies are answers). Returns what the buttons carry: the conversation they rate and, when
 * answers are recorded, the answer record's id (`<conversation>#<record id>`); undefined for none.
 */
export function feedbackFor(reply: Reply, conversationId: string): string | undefined {
  if (!reply.feedback || reply.ephemeral) return undefined;
  return reply.answerId ? `${conversationId}#${reply.answerId}` : conversationId;
}

/** What a feedback button carried, read back. */
export interface FeedbackTarget {
  conversationId: string;
  answerId?: string;
}

const RECORD_ID = /^[A-Za-z0-9_-]{12}$/;

/** The conversation and record id a button's value holds (see feedbackFor). */
export function parseFeedbackTarget(value: string): FeedbackTarget {
  const at = value.lastIndexOf("#");
  const answerId = at >= 0 ? value.slice(at + 1) : "";
  if (at < 0 || !RECORD_ID.test(answerId)) return { conversationId: value };
  return { conversationId: value.slice(0, at), answerId };
}
