import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { type Logger, silentLogger } from "../logger.js";
import type { BotMetrics } from "../metrics.js";
import type { FallbackReason } from "../types.js";
import { type AnswerCache, answerCacheKey } from "./answer-cache.js";
import type { Answerer, AnswerInput, AnswerResult } from "./answerer.js";
import { type ChatModel, ChatModelError, type Completion } from "./chat-model.js";
import { messages } from "./messages.js";
import { ModelMonitor } from "./model-readiness.js";
import { AnswerSanitizer } from "./post-process.js";
import {
  type BuiltPrompt,
  buildPrompt,
  PromptTooLargeError,
  type PromptVariant,
  systemPrompt,
} from "./prompt-builder.js";
import { createCanary, type PromptTemplates } from "./prompts.js";
import {
  BusyError,
  type CircuitBreaker,
  ConcurrencyLimiter,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  retryDelayMs,
  ServerSlots,
  sleep,
} from "./resilience.js";

/** How the model is called; mirrors Config.llm. Unset sizes are learned from the server. */
export interface LlmSettings {
  stream: boolean;
  /** The reply cap; unset: a quarter of the context, at most 512. */
  maxTokens?: number;
  temperature: number;
  /** The server's context window (prompt + reply must fit); unset: the server's, else 4096. */
  contextTokens?: number;
  /** Longest a whole answer may take, queueing and the retry included. */
  timeoutMs: number;
  /**
   * Longest wait for the first token of a streamed reply once the server has started on it, and
   * between two tokens after it.
   */
  firstTokenTimeoutMs: number;
  /** Model calls at once; unset: the server's slots, else 1. */
  maxConcurrency?: number;
  queueSize: number;
  /** The longest the circuit stays open after repeated server failures. */
  breakerCooldownMs?: number;
  /** How often a paused or refused model is probed. */
  probeIntervalMs?: number;
  /** A model answer citing no passage: posted with a notice (default), or replaced by the fallback. */
  uncited?: "notice" | "fallback";
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
  /** The model's learned sizes and health; one watching `model` with `settings` by default. */
  monitor?: ModelMonitor;
  /** Used when no monitor is given. */
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
export { DEFAULT_BREAKER } from "./model-readiness.js";

/** Why we stopped a model call ourselves. */
class Interrupt extends Error {
  constructor(readonly why: "deadline" | "stall" | "leak" | "cancelled" | "uncited") {
    super(`model call interrupted: ${why}`);
    this.name = "Interrupt";
  }
}

/** How a failed answer is reported and whom it blames. */
interface Failure {
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

function classify(error: unknown): Failure {
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
const SAYS_NOT_COVERED =
  /\b(article|passages?|knowledge base)\b[^.!?\n]{0,40}\b(does not|doesn't|do not|don't|did not)\b[^.!?\n]{0,20}\b(say|cover|mention|state|specify|include)|文章(中)?(没有|未|并未)(提到|提及|涉及|说明|介绍)/i;

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
 * extractive answer (marked, with a notice saying why) on any failure, within `timeoutMs`: a
 * refused or failed request, a stalled stream, a busy queue, an open circuit, an empty or leaking
 * reply. The model is not called at all while it refuses our key or its context cannot hold a prompt.
 */
export class LlmAnswerer implements Answerer {
  readonly monitor: ModelMonitor;
  private readonly limiter: ConcurrencyLimiter;
  private readonly slots: ServerSlots;
  private readonly sanitizers: Record<PromptVariant, AnswerSanitizer>;
  private readonly canary: string;
  private readonly logger: Logger;
  private readonly retry: RetryPolicy;
  /** Client errors are reported once at warning level, then at debug: they repeat until fixed. */
  private readonly reported = new Set<string>();

  constructor(private readonly deps: LlmAnswererDeps) {
    const { settings } = deps;
    this.canary = deps.canary ?? createCanary();
    this.logger = deps.logger ?? silentLogger;
    this.retry = deps.retry ?? DEFAULT_RETRY_POLICY;
    this.monitor =
      deps.monitor ??
      new ModelMonitor({
        model: deps.model,
        settings,
        prompts: deps.prompts,
        canary: this.canary,
        logger: this.logger,
        ...(deps.breaker ? { breaker: deps.breaker } : {}),
      });
    const profile = this.monitor.profile;
    this.limiter = new ConcurrencyLimiter(profile.maxConcurrency, settings.queueSize);
    this.slots = new ServerSlots(profile.slots);
    this.monitor.onProfile((p) => {
      this.limiter.resize(p.maxConcurrency);
      this.slots.resize(p.slots);
    });
    const sanitizer = (variant: PromptVariant) =>
      new AnswerSanitizer({
        allowedUrls: deps.kb.allowedUrls,
        systemPrompt: systemPrompt(deps.prompts, this.canary, variant),
        canary: this.canary,
        maxChars: deps.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS,
      });
    this.sanitizers = { full: sanitizer("full"), short: sanitizer("short") };
  }

  /** The prompt this answerer would send, for tests and benchmarks. */
  prompt(input: AnswerInput): BuiltPrompt {
    const profile = this.monitor.profile;
    return buildPrompt({
      templates: this.deps.prompts,
      canary: this.canary,
      question: input.question,
      language: input.language,
      passages: input.retrieval.hits.map((h) => h.passage),
      ...(input.catalogFacts ? { catalogFacts: input.catalogFacts } : {}),
      ...(input.hedge && input.unstated ? { unstated: input.unstated } : {}),
      history: input.history,
      contextTokens: profile.contextTokens,
      maxTokens: profile.maxTokens,
      tokenScale: profile.tokenScale,
    });
  }

  async answer(input: AnswerInput): Promise<AnswerResult> {
    if (input.retrieval.hits.length === 0) return this.fallBack(input);
    // The first question may come before the start-up probe is back: its context decides the prompt.
    await this.untilKnown(input.signal);
    const refusing = this.monitor.refusing;
    if (refusing) {
      this.logger.debug({ state: refusing, reason: this.monitor.health().reason }, "model not called");
      return this.fallBack(input, refusing === "unauthorised" ? "llm-unauthorised" : "llm-context");
    }
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
    const breaker = this.monitor.breaker;
    if (!breaker.tryAcquire()) return this.fallBack(input, "llm-circuit-open");

    const started = Date.now();
    const deadline = new Deadline(this.deps.settings.timeoutMs, input.signal);
    let prompt: BuiltPrompt | undefined;
    try {
      prompt = this.prompt(input);
      const built = prompt;
      const run = this.limiter.run(() => this.generate(built, input, deadline), deadline.signal);
      this.deps.metrics?.llmQueueDepth(this.limiter.queued);
      const result = await run.finally(() => this.deps.metrics?.llmQueueDepth(this.limiter.queued));
      this.monitor.succeeded();
      if (cacheKey && result.mode === "llm" && !result.notice) await this.deps.cache?.set(cacheKey, result);
      return result;
    } catch (error) {
      // A user who gave up is not a fault of anyone's, wherever it caught the request.
      const failure = input.signal?.aborted ? classify(new Interrupt("cancelled")) : classify(error);
      const detail = error instanceof Error ? error.message : String(error);
      if (failure.side === "server") {
        this.monitor.serverFailed(
          failure.reason === "llm-down" ? "down" : "degraded",
          `${failure.message}: ${detail}`,
        );
        this.deps.metrics?.llmFailure(failure.reason === "llm-timeout" ? "timeout" : "error");
      } else if (failure.side === "client") {
        this.monitor.clientFailed(failure.clientKind ?? "other", `${failure.message}: ${detail}`);
      } else breaker.release();
      const quiet =
        (error instanceof Interrupt && error.why === "cancelled") ||
        (failure.side === "client" && this.reported.has(failure.reason));
      if (failure.side === "client") this.reported.add(failure.reason);
      this.logger[quiet ? "debug" : failure.side === "client" ? "error" : "warn"](
        {
          reason: failure.reason,
          kind:
            error instanceof ChatModelError ? error.kind : error instanceof Error ? error.name : "unknown",
          status: error instanceof ChatModelError ? error.status : undefined,
          detail,
          model: this.deps.model.model,
          elapsedMs: Date.now() - started,
          circuit: breaker.state,
          ...(prompt
            ? // Field names without "token": the logger redacts those as secrets.
              { promptEstimate: prompt.estimatedTokens, context: this.monitor.profile.contextTokens }
            : {}),
        },
        failure.message,
      );
      return this.fallBack(input, failure.reason);
    } finally {
      deadline.dispose();
    }
  }

  private async untilKnown(signal: AbortSignal | undefined): Promise<void> {
    const wait = new AbortController();
    const timer = setTimeout(() => wait.abort(), this.deps.settings.firstTokenTimeoutMs);
    try {
      await raceAbort(
        this.monitor.whenKnown(),
        signal ? AbortSignal.any([wait.signal, signal]) : wait.signal,
      );
    } catch {
      // A slow probe only means the configured sizes are used for this question.
    } finally {
      clearTimeout(timer);
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
    const sanitizer = this.sanitizers[prompt.variant];
    const controller = new AbortController();
    const onDeadline = () => controller.abort(deadline.signal.reason);
    if (deadline.signal.aborted) onDeadline();
    else deadline.signal.addEventListener("abort", onDeadline, { once: true });
    // The SDK's own timeout stops once headers arrive, so a stalled stream needs this timer. It
    // starts when the server starts on the request: a request past the server's slots waits in
    // its queue first, and that wait is bounded by the whole-answer deadline only.
    let stall: ReturnType<typeof setTimeout> | undefined;
    let finished = false;
    const arm = () => {
      if (finished) return;
      clearTimeout(stall);
      stall = setTimeout(() => controller.abort(new Interrupt("stall")), settings.firstTokenTimeoutMs);
    };
    const onDelta = (delta: string) => {
      if (controller.signal.aborted) return;
      state.raw += delta;
      arm();
      const draft = sanitizer.draft(state.raw, prompt.passages, input.language);
      if (draft.leaked) controller.abort(new Interrupt("leak"));
      else this.show(input, state, draft.text);
    };
    const seat = this.slots.enter();
    if (settings.stream) void seat.started.then(arm);
    try {
      const pending = this.deps.model.complete(prompt.messages, {
        stream: settings.stream,
        signal: controller.signal,
        maxTokens: prompt.maxTokens,
        temperature: settings.temperature,
        ...(settings.stream ? { onDelta, onActivity: arm } : {}),
      });
      // A model that ignores the abort must not hold the answer: its late outcome is dropped.
      pending.catch(() => undefined);
      return await raceAbort(pending, controller.signal);
    } catch (error) {
      throw controller.signal.aborted ? controller.signal.reason : error;
    } finally {
      finished = true;
      seat.leave();
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
    const promptTokens = completion.usage?.promptTokens;
    if (this.monitor.reportUsage(prompt.estimatedTokens, promptTokens))
      throw new ChatModelError(
        "context",
        `the server counted ${promptTokens} prompt tokens for about ${prompt.estimatedTokens} sent: it cut the prompt, rules included`,
      );
    const processed = this.sanitizers[prompt.variant].finish(
      completion.text,
      prompt.passages,
      input.language,
    );
    if (processed.leaked) throw new Interrupt("leak");
    if (processed.text === "") throw new ChatModelError("incomplete", "the reply is empty");
    const result: AnswerResult = { text: processed.text, mode: "llm", sources: processed.sources };
    if (processed.sources.length === 0 && !SAYS_NOT_COVERED.test(processed.text)) {
      if (this.deps.settings.uncited === "fallback") throw new Interrupt("uncited");
      result.notice = messages.uncitedNotice[input.language];
    }
    this.show(input, state, processed.text);
    this.logger.debug(
      {
        variant: prompt.variant,
        passages: prompt.passages.length,
        shortened: prompt.shortened,
        facts: prompt.facts,
        historyTurns: prompt.historyTurns,
        promptEstimate: prompt.estimatedTokens,
        serverCount: promptTokens,
      },
      "model answer",
    );
    return result;
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
