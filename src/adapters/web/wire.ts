import type { ServerResponse } from "node:http";
import type {
  AnswerMode,
  ErrorCode,
  FallbackReason,
  Language,
  Reply,
  ReplyEvent,
  ReplyPart,
  Source,
} from "../../core/index.js";
import { feedbackFor } from "../shared/reply-policy.js";

/** A reply as the playground page receives it. Every string in it is shown as text, never as HTML. */
export interface WebReply {
  /** Names the reply for 👍/👎. */
  id: string;
  /** What the page shows, part by part: markdown, project cards, comparisons. */
  parts: ReplyPart[];
  /** The whole reply as markdown (copy and paste). */
  text: string;
  sources: Source[];
  mode?: AnswerMode;
  fallback?: FallbackReason;
  notice?: string;
  language: Language;
  /** An error, a refusal or a rate limit rather than an answer. */
  ephemeral: boolean;
  error?: ErrorCode;
  /** Whether 👍/👎 apply: answers (by a model or extractive), as on Slack and Discord. */
  rateable: boolean;
}

/**
 * One line of the newline-delimited JSON answer stream (`application/x-ndjson`): any number of
 * `delta` (text appended) and `text` (text replaced, when the answer was revised while streaming)
 * lines, then exactly one `reply` line, or an `error` line when the answer could not be finished.
 */
export type StreamEvent =
  | { type: "delta"; text: string }
  | { type: "text"; text: string }
  | { type: "reply"; reply: WebReply }
  | { type: "error"; message: string };

export const NDJSON_TYPE = "application/x-ndjson; charset=utf-8";

/** The page's view of a core reply. */
export function toWebReply(reply: Reply, id: string): WebReply {
  const out: WebReply = {
    id,
    parts: reply.parts,
    text: reply.text,
    sources: reply.sources,
    language: reply.language,
    ephemeral: reply.ephemeral,
    rateable: feedbackFor(reply, id) !== undefined,
  };
  if (reply.mode) out.mode = reply.mode;
  if (reply.fallback) out.fallback = reply.fallback;
  if (reply.notice) out.notice = reply.notice;
  if (reply.error) out.error = reply.error.code;
  return out;
}

/** The stream line of a core event while the answer is written (the final reply is sent on its own). */
export function progressEvent(event: Exclude<ReplyEvent, { type: "final" }>): StreamEvent {
  return event.type === "delta" ? { type: "delta", text: event.text } : { type: "text", text: event.text };
}

/** Writes stream events to a response, one JSON object per line, flushed as written. */
export class NdjsonWriter {
  constructor(private readonly res: ServerResponse) {}

  /** Sends the status and headers; `headers` add to the stream's own. */
  start(headers: Record<string, string> = {}): void {
    this.res.writeHead(200, {
      ...headers,
      "content-type": NDJSON_TYPE,
      "cache-control": "no-store",
      // Reverse proxies (nginx) would otherwise buffer the stream and deliver it all at the end.
      "x-accel-buffering": "no",
    });
  }

  /** Writes one event; a no-op once the client has gone. */
  write(event: StreamEvent): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    this.res.write(`${JSON.stringify(event)}\n`);
  }

  end(): void {
    if (!this.res.writableEnded) this.res.end();
  }
}
