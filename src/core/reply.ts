import type { ErrorCode } from "./errors.js";
import { partsMarkdown } from "./reply-markdown.js";
import type { AnswerMode, AnswerReply, FallbackReason, Language, ProjectCard, Source } from "./types.js";

/** Two catalog projects side by side: what `/compare` answers. */
export interface Comparison {
  projects: [ComparedProject, ComparedProject];
  /** One row per fact either project states; a side the article does not state reads `missing`. */
  rows: { label: string; values: [string, string] }[];
  /** What a side shows when the article does not state the fact ("not stated"). */
  missing: string;
}

export interface ComparedProject {
  projectId: string;
  name: string;
  summary: string;
}

/**
 * One piece of a reply. Adapters render each kind their own way (Slack blocks, Discord embeds,
 * the page's DOM, terminal text); none of them parses text to find out what a reply holds.
 */
export type ReplyPart =
  | { type: "markdown"; text: string }
  | { type: "card"; card: ProjectCard }
  | { type: "comparison"; comparison: Comparison };

/** The coded error a reply stands for (a refusal, a rate limit, an apology); absent on success. */
export interface ReplyError {
  code: ErrorCode;
}

/** What the core answers: a structured reply every adapter renders in its own way. */
export interface Reply {
  parts: ReplyPart[];
  /**
   * The whole reply as markdown, derived from `parts` by the core on first read (most adapters
   * render `parts` and never read it): the fallback for terminals, the page and logs. Adapters
   * render `parts`; they never parse this.
   */
  readonly text: string;
  sources: Source[];
  language: Language;
  /** Visibility: shown only to the requester where the platform supports it. */
  ephemeral: boolean;
  /** Whether 👍/👎 apply: answers to questions, by a model or extractive. */
  feedback: boolean;
  /** Set for answers to free questions. */
  mode?: AnswerMode;
  /** Why an answer is extractive although a model is configured (down, busy, timed out...). */
  fallback?: FallbackReason;
  /** A short line shown under the answer, e.g. "Extractive answer: no language model is configured." */
  notice?: string;
  /** The knowledge base does not state the detail asked for, and the text says so. */
  hedged?: boolean;
  error?: ReplyError;
  /** The answer record's id when answers are recorded: feedback buttons carry it. */
  answerId?: string;
}

/** What a command or the question service produces; the bot completes it into a Reply. */
export interface ReplyDraft {
  parts: ReplyPart[];
  sources?: Source[];
  language?: Language;
  ephemeral?: boolean;
  mode?: AnswerMode;
  fallback?: FallbackReason;
  notice?: string;
  hedged?: boolean;
  error?: ReplyError;
  answerId?: string;
}

/**
 * A reply as it is written: any number of `delta` (text appended) and `replace` (the text so far,
 * revised) events, then exactly one `final` with the whole reply. The core produces this sequence
 * once; adapters only render it.
 */
export type ReplyEvent =
  | { type: "delta"; text: string }
  | { type: "replace"; text: string }
  | { type: "final"; reply: Reply };

/** How a caller follows a request: its events as they come, and a signal to give up. */
export interface StreamOptions {
  onEvent?: (event: ReplyEvent) => void;
  signal?: AbortSignal;
}

/** Whether a reply answers a question (and so deserves feedback). */
export function isAnswerMode(mode: AnswerMode | undefined): boolean {
  return mode === "llm" || mode === "extractive";
}

/**
 * A draft made whole: defaults filled, feedback decided, the markdown fallback derived when first
 * read (Slack and Discord render the parts and never ask for it). `text` is an enumerable own
 * property, so spreading, comparing or serialising a reply sees it like any other field.
 */
export function completeReply(draft: ReplyDraft, fallbackLanguage: Language = "en"): Reply {
  const language = draft.language ?? fallbackLanguage;
  const ephemeral = draft.ephemeral === true;
  const parts = draft.parts;
  let text: string | undefined;
  return {
    ...draft,
    parts,
    get text(): string {
      text ??= partsMarkdown(parts, language);
      return text;
    },
    sources: draft.sources ?? [],
    language,
    ephemeral,
    feedback: !ephemeral && draft.error === undefined && isAnswerMode(draft.mode),
  };
}

/** A reply of one markdown text. */
export function markdownDraft(text: string, rest: Omit<ReplyDraft, "parts"> = {}): ReplyDraft {
  return { ...rest, parts: [{ type: "markdown", text }] };
}

/** The question service's answer as a draft: its text is one markdown part; every other field is kept. */
export function answerDraft(answer: AnswerReply): ReplyDraft {
  const { text, ...rest } = answer;
  return { ...rest, parts: [{ type: "markdown", text }] };
}

/** The project cards a reply holds. */
export function cardsOf(reply: Pick<Reply, "parts">): ProjectCard[] {
  return reply.parts.flatMap((p) => (p.type === "card" ? [p.card] : []));
}

/** The comparison a reply holds, if any. */
export function comparisonOf(reply: Pick<Reply, "parts">): Comparison | undefined {
  for (const p of reply.parts) if (p.type === "comparison") return p.comparison;
  return undefined;
}

/**
 * Turns "the text so far" (what answerers report while they write) into reply events: a delta
 * when the text only grew, a replace when it was revised, nothing when it did not change.
 */
export class ReplyEventWriter {
  private shown = "";

  constructor(private readonly emit: (event: ReplyEvent) => void) {}

  progress(text: string): void {
    if (text === this.shown) return;
    const event: ReplyEvent = text.startsWith(this.shown)
      ? { type: "delta", text: text.slice(this.shown.length) }
      : { type: "replace", text };
    this.shown = text;
    this.emit(event);
  }

  final(reply: Reply): void {
    this.emit({ type: "final", reply });
  }
}

/** The text so far of a stream of events, for adapters that edit a message in place. */
export class StreamedText {
  text = "";

  /** Applies an event; returns the text so far. */
  apply(event: Exclude<ReplyEvent, { type: "final" }>): string {
    this.text = event.type === "delta" ? this.text + event.text : event.text;
    return this.text;
  }
}
