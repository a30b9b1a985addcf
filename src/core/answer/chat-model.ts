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
  /**
   * Called whenever the server shows it is working on this request without writing text yet
   * (llama.cpp's prompt-progress events, empty chunks): the caller's stall timer restarts.
   */
  onActivity?: () => void;
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

/** What a server says about itself; every field is optional because most servers say nothing. */
export interface ServerFacts {
  /** The context window per request (llama.cpp's n_ctx per slot, vLLM's max_model_len...). */
  contextTokens?: number;
  /** Requests the server works on at once; more wait in its own queue. */
  slots?: number;
  /** Where the facts came from, for logs ("/props", "/slots", "/v1/models"). */
  sources: string[];
  /** Model ids the endpoint lists, when it answered. */
  models?: string[];
  /** The server refused our key on an endpoint that needs one. */
  unauthorised?: boolean;
  /** Why the server could not be asked, when it could not (connection refused, timeout...). */
  unreachable?: string;
}

/** A chat model behind an OpenAI-compatible endpoint; the core sees only this, never an SDK. */
export interface ChatModel {
  /** The model name sent with every request. */
  readonly model: string;
  complete(messages: ChatMessage[], options: CompleteOptions): Promise<Completion>;
  /** Model ids the endpoint serves (GET /v1/models). */
  listModels(signal?: AbortSignal): Promise<string[]>;
  /**
   * Asks the server what it can (context, slots, models) with cheap GETs, the key included so a
   * wrong key shows. Optional: fakes and servers that say nothing leave the caller to its settings.
   */
  describeServer?(signal?: AbortSignal): Promise<ServerFacts>;
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
  /** The prompt does not fit the server's context window. */
  | "context"
  /** Any other request the server refused as the client's mistake (4xx). */
  | "bad-request"
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

/**
 * The server's own error object (`{"error": {code, message, type}}`, in a body or inside a 200
 * stream) classified: llama.cpp says `exceed_context_size_error` or talks of the context size.
 */
export function kindOfServerError(error: { code?: unknown; message?: unknown; type?: unknown }): {
  kind: ChatModelErrorKind;
  status: number | undefined;
} {
  const code = typeof error.code === "number" ? error.code : Number(error.code);
  const status = Number.isInteger(code) && code >= 100 && code < 600 ? code : undefined;
  const text = `${String(error.type ?? "")} ${String(error.message ?? "")}`.toLowerCase();
  if (/exceed_context|context (size|length|window)|too many tokens|maximum context/.test(text))
    return { kind: "context", status };
  if (status === 401 || status === 403 || /authenticat|api key|unauthori[sz]ed/.test(text))
    return { kind: "auth", status };
  if (status === 429) return { kind: "rate-limited", status };
  if (status === 503) return { kind: "unavailable", status };
  if (status === 404) return { kind: "not-found", status };
  if (status !== undefined && status >= 400 && status < 500) return { kind: "bad-request", status };
  return { kind: "http", status };
}
