import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { type Logger, silentLogger } from "../logger.js";
import type { BotMetrics } from "../metrics.js";
import type { FallbackReason } from "../types.js";
import { type AnswerCache, answerCacheKey } from "./answer-cache.js";
import type { Answerer, AnswerInput, AnswerResult } from "./answerer.js";
import { type ChatModel, ChatModelError, type Completion } from "./chat-model.js";
import { messages } from "./messages.js";
import { AnswerSanitizer } from "./post-process.js";
import { type BuiltPrompt, buildPrompt, PromptTooLargeError, systemPrompt } from "./prompt-builder.js";
import { createCanary, type PromptTemplates } from "./prompts.js";
import {
  BusyError,
  CircuitBreaker,
  ConcurrencyLimiter,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  retryDelayMs,
  sleep,
} from "./resilience.js";

/** How the model is called; mirrors Config.llm. */
export interface LlmSettings {
  stream: boolean;
  maxTokens: number;
  temperature: number;
  /** The server's context window: prompt + reply must fit. */
  contextTokens: number;
  /** Longest a whole answer may take, queueing and the retry included. */
  timeoutMs: number;
  /** Longest wait for the first token of a streamed reply, and between two tokens after it. */
  firstTokenTimeoutMs: number;
  maxConcurrency: number;
  queueSize: number;
}

export interface LlmAnswererDeps {
  model: ChatModel;
  /** Answers whenever the model cannot: the extractive answerer. */
  fallback: Answerer;
  prompts: PromptTemplates;
  kb: Pick<KnowledgeBase, "allowedUrls" | "version">;
  settings: LlmSettings;
  /** Reuses answers to the same question against the same knowledge base; none by default. */
  cache?: AnswerCache;
  breaker?: CircuitBreaker;
  retry?: RetryPolicy;
  /** Random by default; tests pin it. */
  canary?: string;
  maxAnswerChars?: number;
  logger?: Logger;
  /** Model failures and queue depth are reported here. */
  metrics?: BotMetrics;
}

/** Fits in a Discord message with room to spare; Slack allows more. */
export const DEFAULT_MAX_ANSWER_CHARS = 1800;
export const DEFAULT_BREAKER = { failureThreshold: 3, cooldownMs: 30_000 };

/** Why we stopped a model call ourselves. */
class Interrupt extends Error {
  constructor(readonly why: "deadline" | "stall" | "leak" | "cancelled") {
    super(`model call interrupted: ${why}`);
    this.name = "Interrupt";
  }
}

interface Failure {
  reason: FallbackReason;
  /** Whether the failure says something about the model's health (and so feeds the breaker). */
  modelFault: boolean;
}

function classify(error: unknown): Failure {
  if (error instanceof BusyError) return { reason: "llm-busy", modelFault: false };
  if (error instanceof PromptTooLargeError) return { reason: "llm-error", modelFault: false };
  if (error instanceof Interrupt) {
    if (error.why === "deadline" || error.why === "stall") return { reason: "llm-timeout", modelFault: true };
    return { reason: "llm-error", modelFault: false };
  }
  if (error instanceof ChatModelError && error.kind === "timeout")
    return { reason: "llm-timeout", modelFault: true };
  return { reason: "llm-error", modelFault: true };
}

/** Rejects with the signal's reason as soon as it aborts, whether or not `promise` listens to it. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
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
class Deadline {
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
interface StreamState {
  raw: string;
  /** The last text passed to onProgress. */
  shown: string;
}

/**
 * Answers from retrieved passages with a chat model, grounded and cited, and falls back to the
 * extractive answer (marked, with a notice) on any failure, within `timeoutMs`: a refused or
 * failed request, a stalled stream, a busy queue, an open circuit, an empty or leaking reply.
 */
export class LlmAnswerer implements Answerer {
  private readonly limiter: ConcurrencyLimiter;
  private readonly breaker: CircuitBreaker;
  private readonly sanitizer: AnswerSanitizer;
  private readonly canary: string;
  private readonly logger: Logger;
  private readonly retry: RetryPolicy;

  constructor(private readonly deps: LlmAnswererDeps) {
    const { settings } = deps;
    this.limiter = new ConcurrencyLimiter(settings.maxConcurrency, settings.queueSize);
    this.breaker = deps.breaker ?? new CircuitBreaker(DEFAULT_BREAKER);
    this.canary = deps.canary ?? createCanary();
    this.logger = deps.logger ?? silentLogger;
    this.retry = deps.retry ?? DEFAULT_RETRY_POLICY;
    this.sanitizer = new AnswerSanitizer({
      allowedUrls: deps.kb.allowedUrls,
      systemPrompt: systemPrompt(deps.prompts, this.canary),
      canary: this.canary,
      maxChars: deps.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS,
    });
  }

  /** The prompt this answerer would send, for tests and benchmarks. */
  prompt(input: AnswerInput): BuiltPrompt {
    return buildPrompt({
      templates: this.deps.prompts,
      canary: this.canary,
      question: input.question,
      language: input.language,
      passages: input.retrieval.hits.map((h) => h.passage),
      history: input.history,
      contextTokens: this.deps.settings.contextTokens,
      maxTokens: this.deps.settings.maxTokens,
    });
  }

  async answer(input: AnswerInput): Promise<AnswerResult> {
    if (input.retrieval.hits.length === 0) return this.fallBack(input);
    // An answer that depends on the conversation is not the answer to the question alone.
    const cacheKey =
      this.deps.cache && input.history.length === 0
        ? answerCacheKey({
            question: input.question,
            language: input.language,
            kbVersion: this.deps.kb.version,
            passageIds: input.retrieval.hits.map((h) => h.passage.id),
          })
        : undefined;
    if (cacheKey) {
      const cached = await this.deps.cache?.get(cacheKey);
      if (cached) {
        this.show(input, { raw: "", shown: "" }, cached.text);
        return cached;
      }
    }
    if (!this.breaker.tryAcquire()) return this.fallBack(input, "llm-circuit-open");

    const started = Date.now();
    const deadline = new Deadline(this.deps.settings.timeoutMs, input.signal);
    try {
      const prompt = this.prompt(input);
      const run = this.limiter.run(() => this.generate(prompt, input, deadline), deadline.signal);
      this.deps.metrics?.llmQueueDepth(this.limiter.queued);
      const result = await run.finally(() => this.deps.metrics?.llmQueueDepth(this.limiter.queued));
      this.breaker.success();
      if (cacheKey) await this.deps.cache?.set(cacheKey, result);
      return result;
    } catch (error) {
      const failure = classify(error);
      if (failure.modelFault) {
        this.breaker.failure();
        this.deps.metrics?.llmFailure(failure.reason === "llm-timeout" ? "timeout" : "error");
      } else this.breaker.release();
      // Nobody waits for a cancelled answer: not worth a warning.
      const cancelled = error instanceof Interrupt && error.why === "cancelled";
      this.logger[cancelled ? "debug" : "warn"](
        {
          reason: failure.reason,
          kind:
            error instanceof ChatModelError ? error.kind : error instanceof Error ? error.name : "unknown",
          status: error instanceof ChatModelError ? error.status : undefined,
          detail: error instanceof Error ? error.message : String(error),
          model: this.deps.model.model,
          elapsedMs: Date.now() - started,
          circuit: this.breaker.state,
        },
        "language model failed: answering extractively",
      );
      return this.fallBack(input, failure.reason);
    } finally {
      deadline.dispose();
    }
  }

  private async generate(prompt: BuiltPrompt, input: AnswerInput, deadline: Deadline): Promise<AnswerResult> {
    for (let attempt = 0; ; attempt++) {
      const state: StreamState = { raw: "", shown: "" };
      try {
        const completion = await this.attempt(prompt, input, deadline, state);
        return this.accept(completion, prompt, input, state);
      } catch (error) {
        // Never retry once text has reached the user, nor past the deadline.
        if (attempt > 0 || state.raw !== "" || deadline.signal.aborted) throw error;
        const wait = retryDelayMs(error, this.retry);
        if (wait === undefined || wait >= deadline.remaining()) throw error;
        this.logger.debug({ waitMs: wait, detail: (error as Error).message }, "retrying the model call");
        await sleep(wait, deadline.signal);
      }
    }
  }

  private async attempt(
    prompt: BuiltPrompt,
    input: AnswerInput,
    deadline: Deadline,
    state: StreamState,
  ): Promise<Completion> {
    const { settings } = this.deps;
    const controller = new AbortController();
    const onDeadline = () => controller.abort(deadline.signal.reason);
    if (deadline.signal.aborted) onDeadline();
    else deadline.signal.addEventListener("abort", onDeadline, { once: true });
    // The SDK's own timeout stops once headers arrive, so a stalled stream needs this timer.
    let stall: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(stall);
      stall = setTimeout(() => controller.abort(new Interrupt("stall")), settings.firstTokenTimeoutMs);
    };
    const onDelta = (delta: string) => {
      if (controller.signal.aborted) return;
      state.raw += delta;
      arm();
      const draft = this.sanitizer.draft(state.raw, prompt.passages, input.language);
      if (draft.leaked) controller.abort(new Interrupt("leak"));
      else this.show(input, state, draft.text);
    };
    if (settings.stream) arm();
    try {
      const pending = this.deps.model.complete(prompt.messages, {
        stream: settings.stream,
        signal: controller.signal,
        maxTokens: settings.maxTokens,
        temperature: settings.temperature,
        ...(settings.stream ? { onDelta } : {}),
      });
      // A model that ignores the abort must not hold the answer: its late outcome is dropped.
      pending.catch(() => undefined);
      return await raceAbort(pending, controller.signal);
    } catch (error) {
      throw controller.signal.aborted ? controller.signal.reason : error;
    } finally {
      clearTimeout(stall);
      deadline.signal.removeEventListener("abort", onDeadline);
    }
  }

  private accept(
    completion: Completion,
    prompt: BuiltPrompt,
    input: AnswerInput,
    state: StreamState,
  ): AnswerResult {
    // llama.cpp reports a mid-stream error on a line the SDK ignores: the stream just ends unfinished.
    if (completion.finishReason === null)
      throw new ChatModelError("incomplete", "the reply ended without a finish reason");
    const processed = this.sanitizer.finish(completion.text, prompt.passages, input.language);
    if (processed.leaked) throw new Interrupt("leak");
    if (processed.text === "") throw new ChatModelError("incomplete", "the reply is empty");
    this.show(input, state, processed.text);
    return { text: processed.text, mode: "llm", sources: processed.sources };
  }

  /** Streams text that extends what was shown; anything else waits for the final reply. */
  private show(input: AnswerInput, state: StreamState, text: string): void {
    if (!input.onProgress || text === state.shown || !text.startsWith(state.shown)) return;
    state.shown = text;
    try {
      input.onProgress({ text });
    } catch (error) {
      this.logger.debug({ detail: (error as Error).message }, "progress listener failed");
    }
  }

  private async fallBack(input: AnswerInput, reason?: FallbackReason): Promise<AnswerResult> {
    const result = await this.deps.fallback.answer({ ...input, onProgress: undefined });
    if (!reason || result.mode !== "extractive") return result;
    return { ...result, fallback: reason, notice: messages.fallbackNotice[input.language][reason] };
  }
}
