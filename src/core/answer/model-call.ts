import type { FallbackReason } from "../types.js";
import { ChatModelError } from "./chat-model.js";
import { PromptTooLargeError } from "./prompt-builder.js";
import { BusyError } from "./resilience.js";

// How a model call fails, and the time it may take: what the LLM answerer decides with.

/** Why we stopped a model call ourselves. */
export class Interrupt extends Error {
  constructor(readonly why: "deadline" | "stall" | "leak" | "cancelled" | "uncited" | "capped") {
    super(`model call interrupted: ${why}`);
    this.name = "Interrupt";
  }
}

/** How a failed answer is reported and whom it blames. */
export interface Failure {
  reason: FallbackReason;
  /**
   * server: the server is down, overloaded, slow or erroring (feeds the breaker); client: it refused
   * our key, model name or prompt (reported, not the breaker's business); none: says nothing.
   */
  side: "server" | "client" | "none";
  clientKind?: "auth" | "model" | "context" | "other";
  /** One clear log line per kind. */
  message: string;
}

export function classify(error: unknown): Failure {
  if (error instanceof BusyError)
    return { reason: "llm-busy", side: "none", message: "model queue full: answering extractively" };
  if (error instanceof PromptTooLargeError)
    return {
      reason: "llm-context",
      side: "client",
      clientKind: "context",
      message: "the prompt does not fit the model's context: answering extractively without calling it",
    };
  if (error instanceof Interrupt) {
    if (error.why === "deadline" || error.why === "stall")
      return {
        reason: "llm-timeout",
        side: "server",
        message: "language model timed out: answering extractively",
      };
    if (error.why === "uncited")
      return {
        reason: "llm-uncited",
        side: "none",
        message: "model answer cited no passage: answering extractively",
      };
    if (error.why === "cancelled") return { reason: "llm-error", side: "none", message: "answer cancelled" };
    return {
      reason: "llm-error",
      side: "none",
      message: "model reply echoed its instructions: answering extractively",
    };
  }
  if (!(error instanceof ChatModelError))
    return { reason: "llm-error", side: "server", message: "language model failed: answering extractively" };
  switch (error.kind) {
    case "timeout":
      return {
        reason: "llm-timeout",
        side: "server",
        message: "language model timed out: answering extractively",
      };
    case "connection":
      return {
        reason: "llm-down",
        side: "server",
        message: "language model server unreachable (connection failed): answering extractively",
      };
    case "rate-limited":
    case "unavailable":
      return {
        reason: "llm-busy",
        side: "server",
        message: `language model server overloaded (HTTP ${error.status ?? "429/503"}): answering extractively`,
      };
    case "auth":
      return {
        reason: "llm-unauthorised",
        side: "client",
        clientKind: "auth",
        message: "language model server refused the API key (OPENAI_API_KEY): answering extractively",
      };
    case "not-found":
      return {
        reason: "llm-model-missing",
        side: "client",
        clientKind: "model",
        message: "language model server does not serve OPENAI_MODEL (HTTP 404): answering extractively",
      };
    case "context":
      return {
        reason: "llm-context",
        side: "client",
        clientKind: "context",
        message:
          "language model server refused the prompt as longer than its context: answering extractively",
      };
    case "bad-request":
      return {
        reason: "llm-error",
        side: "client",
        clientKind: "other",
        message: `language model server rejected the request (HTTP ${error.status ?? "4xx"}): answering extractively`,
      };
    case "aborted":
      return { reason: "llm-error", side: "none", message: "model call aborted: answering extractively" };
    default:
      return {
        reason: "llm-error",
        side: "server",
        message: "language model failed: answering extractively",
      };
  }
}

/** A model answer that says the article does not cover or state it: citing nothing is right there. */
export const SAYS_NOT_COVERED =
  /\b(article|passages?|knowledge base)\b[^.!?\n]{0,40}\b(does not|doesn't|do not|don't|did not)\b[^.!?\n]{0,20}\b(say|cover|mention|state|specify|include)|文章(中)?(没有|未|并未)(提到|提及|涉及|说明|介绍)/i;

/** Rejects with the signal's reason as soon as it aborts, whether or not `promise` listens to it. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** The request's whole time budget, and the user's cancellation, as one signal. */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly endsAt: number;

  constructor(
    timeoutMs: number,
    private readonly cancel?: AbortSignal,
  ) {
    this.endsAt = Date.now() + timeoutMs;
    this.timer = setTimeout(() => this.controller.abort(new Interrupt("deadline")), timeoutMs);
    if (cancel?.aborted) this.onCancel();
    else cancel?.addEventListener("abort", this.onCancel, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  remaining(): number {
    return this.endsAt - Date.now();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.cancel?.removeEventListener("abort", this.onCancel);
  }

  private readonly onCancel = () => this.controller.abort(new Interrupt("cancelled"));
}

/** What an attempt has seen so far. */
export interface StreamState {
  raw: string;
  /** The last text passed to onProgress. */
  shown: string;
  /** raw's length when it was last sanitised for progress, and when. */
  draftedChars?: number;
  draftedAt?: number;
}

/**
 * A streamed draft is sanitised again only once this much text or time has come: sanitising is
 * linear in the reply, so doing it per token would make a long reply quadratic.
 */
const DRAFT_EVERY_CHARS = 16;
const DRAFT_EVERY_MS = 100;

/** How far past the displayed cap a reply is read before the request is stopped. */
export function readCap(maxChars: number): number {
  return Math.ceil(maxChars * 1.25) + 200;
}

/**
 * After a delta: "capped" when the reply passed the read cap (cut to it: nobody sees past the cap,
 * so reading stops, and the server writing, a little after it), "draft" when enough came since
 * the last draft to sanitise it again, else "wait".
 */
export function nextDraft(state: StreamState, cap: number, now = Date.now()): "capped" | "draft" | "wait" {
  const capped = state.raw.length >= cap;
  if (capped) state.raw = state.raw.slice(0, cap);
  if (
    !capped &&
    state.raw.length - (state.draftedChars ?? 0) < DRAFT_EVERY_CHARS &&
    now - (state.draftedAt ?? 0) < DRAFT_EVERY_MS
  )
    return "wait";
  state.draftedChars = state.raw.length;
  state.draftedAt = now;
  return capped ? "capped" : "draft";
}
