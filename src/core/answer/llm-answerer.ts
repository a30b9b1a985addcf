import { type Logger, silentLogger } from "../logger.js";
import type { FallbackReason } from "../types.js";
import { answerCacheKey } from "./answer-cache.js";
import type { Answerer, AnswerInput, AnswerResult } from "./answerer.js";
import { ChatModelError, type Completion } from "./chat-model.js";
import type { LlmAnswererDeps } from "./llm-settings.js";
import { messages } from "./messages.js";
import {
  classify,
  Deadline,
  Interrupt,
  nextDraft,
  raceAbort,
  readCap,
  SAYS_NOT_COVERED,
  type StreamState,
} from "./model-call.js";
import { ModelMonitor } from "./model-readiness.js";
import { AnswerSanitizer } from "./post-process.js";
import { type BuiltPrompt, buildPrompt, type PromptVariant, systemPrompt } from "./prompt-builder.js";
import { createCanary } from "./prompts.js";
import {
  ConcurrencyLimiter,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  retryDelayMs,
  ServerSlots,
  sleep,
} from "./resilience.js";

export type { LlmAnswererDeps, LlmSettings } from "./llm-settings.js";

export const DEFAULT_MAX_ANSWER_CHARS = 1800;
export { DEFAULT_BREAKER } from "./model-readiness.js";
export { readCap };

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
  private readonly readCap: number;
  /** Client errors are reported once at warning level, then at debug: they repeat until fixed. */
  private readonly reported = new Set<string>();

  constructor(private readonly deps: LlmAnswererDeps) {
    const { settings } = deps;
    this.canary = deps.canary ?? createCanary();
    this.logger = deps.logger ?? silentLogger;
    this.retry = deps.retry ?? DEFAULT_RETRY_POLICY;
    this.readCap = readCap(deps.maxAnswerChars ?? DEFAULT_MAX_ANSWER_CHARS);
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
      // Waiting for a slot counts against the first token's time: a busy model means a fast fallback.
      const queueWait = AbortSignal.any([
        deadline.signal,
        AbortSignal.timeout(Math.max(1, this.deps.settings.firstTokenTimeoutMs)),
      ]);
      const run = this.limiter.run(() => this.generate(built, input, deadline), queueWait);
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
      const step = nextDraft(state, this.readCap);
      if (step === "wait") return;
      const capped = step === "capped";
      const draft = sanitizer.draft(state.raw, prompt.passages, input.language);
      if (draft.leaked) controller.abort(new Interrupt("leak"));
      else if (capped) controller.abort(new Interrupt("capped"));
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
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
      // A reply past the cap is a whole answer, cut where it would be cut anyway.
      if (reason instanceof Interrupt && reason.why === "capped")
        return { text: state.raw, finishReason: "length" };
      throw reason;
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
    // A server that ignores max_tokens may send megabytes: only the part that can be shown is read.
    const processed = this.sanitizers[prompt.variant].finish(
      completion.text.slice(0, this.readCap),
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
