import type { ServerResponse } from "node:http";
import { cardMarkdown } from "../../core/commands/project-card.js";
import type { AnswerMode, FallbackReason, Language, ProjectCard, Reply, Source } from "../../core/types.js";

/** A reply as the playground page receives it. Every string in it is shown as text, never as HTML. */
export interface WebReply {
  /** Names the reply for 👍/👎. */
  id: string;
  /** Markdown. */
  text: string;
  /** The text only repeats the cards as markdown: the page shows the cards instead. */
  cardsOnly: boolean;
  cards: ProjectCard[];
  sources: Source[];
  mode?: AnswerMode;
  fallback?: FallbackReason;
  notice?: string;
  language: Language;
  /** An error, a refusal or a rate limit rather than an answer. */
  ephemeral: boolean;
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

/** Whether 👍/👎 apply to a reply. */
export function isRateable(reply: Reply): boolean {
  return reply.mode === "llm" || reply.mode === "extractive";
}

/** The page's view of a core reply. */
export function toWebReply(reply: Reply, id: string): WebReply {
  const language = reply.language ?? "en";
  const cards = reply.cards ?? [];
  const out: WebReply = {
    id,
    text: reply.text,
    cardsOnly:
      cards.length > 0 && reply.text.trim() === cards.map((c) => cardMarkdown(c, language)).join("\n\n"),
    cards,
    sources: reply.sources,
    language,
    ephemeral: reply.ephemeral === true,
    rateable: isRateable(reply),
  };
  if (reply.mode) out.mode = reply.mode;
  if (reply.fallback) out.fallback = reply.fallback;
  if (reply.notice) out.notice = reply.notice;
  return out;
}

/** The event that brings a page showing `previous` to `next`: a delta when the text only grew. */
export function progressEvent(previous: string, next: string): StreamEvent | undefined {
  if (next === previous) return undefined;
  if (next.startsWith(previous)) return { type: "delta", text: next.slice(previous.length) };
  return { type: "text", text: next };
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
