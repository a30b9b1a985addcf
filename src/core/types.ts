/** Where a request came from. Adapters set it; the core only uses it for keys and metrics. */
export type Platform = "slack" | "discord" | "console" | "cli" | "web";

/**
 * A normalised conversation key, e.g. `slack:T1:C1:1712.55` or `discord:G1:C1:T1`.
 * It keys memory, de-duplication and rate limits.
 */
export type ConversationId = string;

export type Language = "en" | "zh";

/** How an answer was produced. */
export type AnswerMode = "llm" | "extractive" | "declined" | "clarify";

/** A passage of the knowledge base a reply cites; `n` is the number used in the text as [n]. */
export interface Source {
  n: number;
  articleId: string;
  title: string;
  section: string;
  url: string;
  text: string;
}

/** A project card: facts about one catalog project, rendered by each adapter in its own way. */
export interface ProjectCard {
  projectId: string;
  name: string;
  summary: string;
  whyItMatters?: string;
  facts: { label: string; value: string }[];
  kubeconSession?: { title: string; url: string; recommended?: boolean };
  furtherReading: { title: string; url: string }[];
  section: string;
  articleUrl: string;
}

/**
 * What the question service answers: markdown text plus what the bot needs to shape it into a
 * structured `Reply` (see reply.ts). Adapters never see this.
 */
export interface AnswerReply {
  text: string;
  sources: Source[];
  /** Shown only to the requester where the platform supports it. */
  ephemeral?: boolean;
  /** Set for answers to free questions. */
  mode?: AnswerMode;
  language?: Language;
  /** Why an answer is extractive although a model is configured (down, busy, timed out...). */
  fallback?: FallbackReason;
  /** A short line shown under the answer, e.g. "Extractive answer: no language model is configured." */
  notice?: string;
  /**
   * The question asks a detail the article doesn't state about a subject it covers: the answer
   * says so, then gives what the article does say (not a decline).
   */
  hedged?: boolean;
}

export type FallbackReason =
  | "no-llm"
  | "llm-error"
  | "llm-timeout"
  | "llm-busy"
  | "llm-circuit-open"
  | "llm-down"
  | "llm-unauthorised"
  | "llm-model-missing"
  | "llm-context"
  | "llm-uncited";

/** A partial reply while an answer is being written (streaming). */
export interface ReplyProgress {
  text: string;
}

interface RequestBase {
  platform: Platform;
  conversationId: ConversationId;
  /** Platform user id; used for rate limits, never shown. */
  userId: string;
  /**
   * The channel (or DM) the request came from, for per-channel rate limits, e.g. `slack:T1:C1`.
   * Defaults to the conversation id without its last segment.
   */
  channelId?: string;
  /** Correlates logs; adapters may use the platform's event id. */
  requestId?: string;
}

/** A slash command: `name` without the slash; either raw `text` (Slack, CLI) or typed `options` (Discord). */
export interface CommandRequest extends RequestBase {
  kind: "command";
  name: string;
  text?: string;
  options?: Record<string, unknown>;
}

/** A free question (a mention, a DM, a follow-up in a thread, `ask`). */
export interface QuestionRequest extends RequestBase {
  kind: "question";
  text: string;
  /** Focus retrieval on one catalog project (per-project shortcut commands). */
  projectId?: string;
}

export type BotRequest = CommandRequest | QuestionRequest;

/** How the bot follows a command or question internally; callers outside the core use StreamOptions. */
export interface HandleOptions {
  /** Called with the text so far while an answer streams; the bot turns it into ReplyEvents. */
  onProgress?: (progress: ReplyProgress) => void;
  signal?: AbortSignal;
}
