/** What the playground remembers of a reply it sent. */
export interface SentReply {
  visitorId: string;
  conversationId: string;
  rateable: boolean;
  /** The answer record's id, when answers are recorded. */
  answerId?: string;
  rated?: "up" | "down";
}

export type RateOutcome =
  | { ok: true; reply: SentReply }
  | { ok: false; reason: "unknown" | "not-rateable" | "already-rated" };

/**
 * Replies recently sent, so 👍/👎 can only rate a real answer, once, by the visitor who received
 * it: feedback feeds metrics, and a script must not be able to stuff them. Bounded: the oldest
 * replies are forgotten first.
 */
export class ReplyLedger {
  private readonly replies = new Map<string, SentReply>();

  constructor(private readonly capacity = 10_000) {}

  remember(id: string, reply: SentReply): void {
    this.replies.set(id, reply);
    if (this.replies.size > this.capacity) {
      const oldest = this.replies.keys().next().value;
      if (oldest !== undefined) this.replies.delete(oldest);
    }
  }

  /** Records a rating when the reply exists, belongs to the visitor, is an answer and is not yet rated. */
  rate(id: string, visitorId: string, value: "up" | "down"): RateOutcome {
    const reply = this.replies.get(id);
    // Someone else's reply is reported as unknown: ids are not to be probed.
    if (!reply || reply.visitorId !== visitorId) return { ok: false, reason: "unknown" };
    if (!reply.rateable) return { ok: false, reason: "not-rateable" };
    if (reply.rated) return { ok: false, reason: "already-rated" };
    reply.rated = value;
    return { ok: true, reply };
  }
}
