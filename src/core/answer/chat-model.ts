import { BotError } from "../errors.js";
/** A message of a chat completion request. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface CompleteOptions {
  /** Ask the server to stream (SSE); `onDelta` then sees the text as it is written. */
  stream: boolean;
  /** Aborting it must end the request promptly, streamed or not. */
  signal: AbortSignal;
  /** Called with each non-empty piece of text, in order. */
  onDelta?: (delta: string) => void;
  /** Always sent: some servers ignore every other way of capping a reply. */
  maxTokens: number;
  temperature: number;
}

export interface Completion {
  text: string;
  /** `null` when the server never said it finished (a swallowed error, a cut stream). */
  finishReason: string | null;
  usage?: { promptTokens: number; completionTokens: number };
}

/** A chat model behind an OpenAI-compatible endpoint; the core sees only this, never an SDK. */
export interface ChatModel {
  /** The model name sent with every request. */
  readonly model: string;
  complete(messages: ChatMessage[], options: CompleteOptions): Promise<Completion>;
  /** Model ids the endpoint serves (GET /v1/models). */
  listModels(signal?: AbortSignal): Promise<string[]>;
  /** Ends pending requests and releases connections. */
  close(): Promise<void>;
}

/**
 * What went wrong, in terms the answerer acts on: `connection` and the busy statuses may be retried,
 * everything else goes straight to the fallback.
 */
export type ChatModelErrorKind =
  | "aborted"
  | "timeout"
  | "connection"
  | "rate-limited"
  | "unavailable"
  | "not-found"
  | "auth"
  | "http"
  | "bad-response"
  | "incomplete"
  | "unknown";

/** A failed model call, classified. Its message may hold server detail: log it, never show it. */
export class ChatModelError extends BotError {
  readonly kind: ChatModelErrorKind;
  readonly status: number | undefined;
  /** How long the server asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    kind: ChatModelErrorKind,
    message: string,
    options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super("llm-failed", message, { cause: options.cause });
    this.name = "ChatModelError";
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}
