import { type Logger, silentLogger } from "../logger.js";
import type { ServerFacts } from "./chat-model.js";
import {
  DEFAULT_BREAKER,
  DEFAULT_CONTEXT_TOKENS,
  DEFAULT_PROBE_INTERVAL_MS,
  MAX_SCALE,
  type ModelHealth,
  type ModelMonitorOptions,
  type ModelProfile,
  type ModelState,
  modelListProblem,
  replyTokensFor,
  SCALE_SLACK,
  TRUNCATION_RATIO,
} from "./model-state.js";
import { smallestPromptTokens } from "./prompt-builder.js";
import { CircuitBreaker } from "./resilience.js";

// The model's state lives in model-state.ts; importers of this module keep their names.
export {
  checkModelReady,
  DEFAULT_BREAKER,
  DEFAULT_CONTEXT_TOKENS,
  DEFAULT_MAX_TOKENS,
  DEFAULT_PROBE_INTERVAL_MS,
  MODEL_STATES,
  type ModelHealth,
  type ModelMonitorOptions,
  type ModelProfile,
  type ModelSettings,
  type ModelState,
} from "./model-state.js";

/**
 * Knows what the model can do and how it is doing: learns the server's context and slots at
 * start, keeps the state /readyz reports from cached values (never calling the server on a
 * probe), corrects the token budget from what the server reports, and while the circuit is open
 * or the key refused, probes the server cheaply so that recovery does not wait out a fixed pause.
 */
export class ModelMonitor {
  readonly breaker: CircuitBreaker;
  private current: ModelProfile;
  private stateValue: ModelState = "starting";
  private reasonValue: string | undefined;
  private sinceValue = new Date().toISOString();
  private known: Promise<void> = Promise.resolve();
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  private reported: ModelState | undefined;
  /** Probes in a row that found the server down or refusing: they space out, up to the cool-down. */
  private failedProbes = 0;
  private closed = false;
  private readonly warned = new Set<string>();
  private readonly logger: Logger;
  private readonly listeners = new Set<(profile: ModelProfile) => void>();

  constructor(private readonly options: ModelMonitorOptions) {
    const { settings } = options;
    this.logger = options.logger ?? silentLogger;
    const context = settings.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
    this.current = {
      contextTokens: context,
      maxTokens: settings.maxTokens ?? replyTokensFor(context),
      maxConcurrency: settings.maxConcurrency ?? 1,
      tokenScale: 1,
      contextFrom: settings.contextTokens ? "LLM_CONTEXT_TOKENS" : "default",
    };
    this.breaker =
      options.breaker ??
      new CircuitBreaker({
        ...DEFAULT_BREAKER,
        cooldownMs: settings.breakerCooldownMs ?? DEFAULT_BREAKER.cooldownMs,
      });
    // Quietly: createLlmAnswerer turns a configured size that cannot work into a start-up error.
    this.checkFits(false);
  }

  get profile(): ModelProfile {
    return this.current;
  }

  get state(): ModelState {
    return this.breaker.state === "open" &&
      this.stateValue !== "unauthorised" &&
      this.stateValue !== "unusable"
      ? "circuit-open"
      : this.stateValue;
  }

  /** True when the model must not be called at all (no answer could come back). */
  get refusing(): "unauthorised" | "unusable" | undefined {
    return this.stateValue === "unauthorised" || this.stateValue === "unusable" ? this.stateValue : undefined;
  }

  health(): ModelHealth {
    return {
      state: this.state,
      ...(this.reasonValue ? { reason: this.reasonValue } : {}),
      model: this.options.model.model,
      since: this.sinceValue,
      ...this.current,
    };
  }

  /** Called with the new profile whenever it changes (the limiter follows the slots). */
  onProfile(listener: (profile: ModelProfile) => void): void {
    this.listeners.add(listener);
  }

  /** Probes the server once now; `whenKnown()` resolves when done. Never throws. */
  start(): Promise<void> {
    this.known = this.probe();
    return this.known;
  }

  /** Resolves once the start-up probe is done (at once when none runs). */
  whenKnown(): Promise<void> {
    return this.known;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.probeTimer);
  }

  /** A model answer came back: the server is fine. */
  succeeded(): void {
    this.breaker.success();
    this.setState("ready", undefined);
  }

  /** A server-side failure (down, overloaded, timed out, erroring): feeds the breaker. */
  serverFailed(state: "down" | "degraded", reason: string): void {
    this.breaker.failure();
    this.setState(state, reason);
    if (this.breaker.state === "open") this.scheduleProbe();
  }

  /** The server refused us (key, model name, prompt size): not its health, so not the breaker's. */
  clientFailed(kind: "auth" | "model" | "context" | "other", reason: string): void {
    this.breaker.release();
    if (kind === "auth") {
      this.setState("unauthorised", reason);
      this.scheduleProbe();
    } else this.setState("degraded", reason);
  }

  /**
   * Compares the server's prompt-token count with our estimate (unscaled): a server counting
   * more corrects later estimates; one counting far fewer cut the prompt, so the context is
   * smaller than we think. Returns true when the prompt was cut (the answer is not grounded).
   */
  reportUsage(estimatedTokens: number, promptTokens: number | undefined): boolean {
    if (!promptTokens || promptTokens <= 0 || estimatedTokens <= 0) return false;
    const unscaled = estimatedTokens / this.current.tokenScale;
    const ratio = promptTokens / unscaled;
    if (ratio > this.current.tokenScale * SCALE_SLACK) {
      const scale = Math.min(MAX_SCALE, Number((ratio * SCALE_SLACK).toFixed(2)));
      this.update({ tokenScale: scale });
      this.warnOnce(
        "scale",
        { serverCount: promptTokens, estimate: Math.round(unscaled), scale },
        "the server counts more prompt tokens than estimated: prompts are budgeted with its count from now on",
      );
      return false;
    }
    if (ratio < TRUNCATION_RATIO && unscaled > 200) {
      const context = Math.max(
        Math.floor(this.current.contextTokens / 2),
        Math.min(this.current.contextTokens, promptTokens + this.current.maxTokens),
      );
      this.update({
        contextTokens: context,
        contextFrom: "truncation",
        maxTokens: this.replyTokens(context),
      });
      this.warnOnce(
        "truncation",
        { serverCount: promptTokens, estimate: Math.round(unscaled), budgetedContext: context },
        "the server counted far fewer prompt tokens than sent: it cut the prompt to fit a smaller context; set LLM_CONTEXT_TOKENS to the server's context size (llama.cpp -c, LocalAI context_size)",
      );
      this.setState("degraded", `the server truncated a prompt; budgeting for ${context} tokens`);
      this.checkFits();
      return true;
    }
    return false;
  }

  /** Asks the server what it can and whether it takes our key; applies what it says. */
  async probe(): Promise<void> {
    const { model } = this.options;
    let facts: ServerFacts;
    try {
      if (model.describeServer) facts = await model.describeServer();
      else facts = { sources: [], models: await model.listModels() };
    } catch (error) {
      facts = { sources: [], unreachable: error instanceof Error ? error.message : String(error) };
    }
    if (this.closed) return;
    this.apply(facts);
  }

  private apply(facts: ServerFacts): void {
    const { settings } = this.options;
    // Logged when the state changes, not at every probe: a down server is probed every few seconds.
    if (facts.unreachable) {
      if (this.stateValue !== "down")
        this.logger.warn(
          { problem: facts.unreachable },
          "language model not ready: its server cannot be reached; free questions are answered extractively until it is",
        );
      this.setState("down", `the server cannot be reached: ${facts.unreachable}`);
      this.scheduleProbe();
      return;
    }
    if (facts.unauthorised) {
      if (this.stateValue !== "unauthorised")
        this.logger.error(
          {},
          "language model not ready: the server refused the API key (OPENAI_API_KEY); free questions are answered extractively",
        );
      this.setState("unauthorised", "the server refused the API key (HTTP 401/403): check OPENAI_API_KEY");
      this.scheduleProbe();
      return;
    }
    this.failedProbes = 0;
    const changes: Partial<ModelProfile> = {};
    if (facts.contextTokens) {
      const context = settings.contextTokens
        ? Math.min(settings.contextTokens, facts.contextTokens)
        : facts.contextTokens;
      if (settings.contextTokens && settings.contextTokens > facts.contextTokens)
        this.logger.warn(
          { configured: settings.contextTokens, server: facts.contextTokens },
          "LLM_CONTEXT_TOKENS is larger than the server's context: using the server's",
        );
      changes.contextTokens = context;
      changes.contextFrom = context === settings.contextTokens ? "LLM_CONTEXT_TOKENS" : "server";
      changes.maxTokens = this.replyTokens(context);
    }
    if (facts.slots) {
      changes.slots = facts.slots;
      changes.maxConcurrency = settings.maxConcurrency ?? facts.slots;
      if (settings.maxConcurrency && settings.maxConcurrency > facts.slots)
        this.logger.warn(
          { configured: settings.maxConcurrency, slots: facts.slots },
          "LLM_MAX_CONCURRENCY is above the server's slots: the rest wait in the server's queue",
        );
    }
    this.update(changes);
    this.logger.info(
      {
        model: this.options.model.model,
        learnedFrom: facts.sources,
        context: this.current.contextTokens,
        replyCap: this.current.maxTokens,
        maxConcurrency: this.current.maxConcurrency,
        ...(facts.slots ? { slots: facts.slots } : {}),
      },
      "language model server probed",
    );
    if (!this.checkFits()) return;
    const problem = facts.models ? modelListProblem(this.options.model.model, facts.models) : undefined;
    if (problem) {
      // llama.cpp answers whatever name is sent: a warning, not a failure, until a call fails.
      this.logger.warn(
        { problem },
        "language model not ready: the endpoint does not list the configured model",
      );
      this.setState("degraded", problem);
    } else if (this.stateValue !== "ready") this.setState("ready", undefined);
    // A healthy server ends the pause at once: the next question is the trial call.
    if (this.breaker.state === "open") this.breaker.halfOpen();
    this.notify();
  }

  private replyTokens(context: number): number {
    return this.options.settings.maxTokens ?? replyTokensFor(context);
  }

  /** False (and state unusable) when not even the smallest useful prompt and the reply fit. */
  private checkFits(log = true): boolean {
    const { contextTokens, maxTokens, tokenScale } = this.current;
    let problem: string | undefined;
    if (maxTokens >= contextTokens)
      problem = `LLM_MAX_TOKENS=${maxTokens} leaves no room for a prompt in the model's ${contextTokens}-token context; lower LLM_MAX_TOKENS`;
    else if (this.options.prompts) {
      const smallest = smallestPromptTokens(this.options.prompts, this.options.canary ?? "", tokenScale);
      if (smallest > contextTokens - maxTokens)
        problem = `the smallest useful prompt needs about ${smallest} tokens but the ${contextTokens}-token context leaves ${contextTokens - maxTokens} after the reply (LLM_MAX_TOKENS=${maxTokens}); raise the server's context and LLM_CONTEXT_TOKENS, or lower LLM_MAX_TOKENS`;
    }
    if (!problem) {
      if (this.stateValue === "unusable") this.setState("starting", undefined);
      return true;
    }
    if (log && this.stateValue !== "unusable")
      this.logger.error({ problem }, "language model unusable: free questions are answered extractively");
    this.setState("unusable", problem);
    return false;
  }

  private update(changes: Partial<ModelProfile>): void {
    if (Object.keys(changes).length === 0) return;
    this.current = { ...this.current, ...changes };
    for (const listener of this.listeners) listener(this.current);
  }

  private setState(state: ModelState, reason: string | undefined): void {
    if (this.stateValue !== state) this.sinceValue = new Date().toISOString();
    this.stateValue = state;
    this.reasonValue = reason;
    this.notify();
  }

  /** Tells the listener when the state it last heard of changed (the breaker's included). */
  private notify(): void {
    const state = this.state;
    if (state === this.reported) return;
    this.reported = state;
    this.options.onState?.(state);
  }

  private warnOnce(key: string, fields: object, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(fields, message);
  }

  /** While the circuit is open, the key refused or the server gone, a cheap probe every interval. */
  private scheduleProbe(): void {
    if (this.closed || this.probeTimer) return;
    const { settings } = this.options;
    const first = settings.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    const longest = Math.max(first, settings.breakerCooldownMs ?? DEFAULT_BREAKER.cooldownMs);
    const interval = Math.min(longest, first * 2 ** Math.min(this.failedProbes, 10));
    this.failedProbes++;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      void this.probe().then(() => {
        const state = this.state;
        if (state === "circuit-open" || state === "unauthorised" || state === "down") this.scheduleProbe();
      });
    }, interval);
    this.probeTimer.unref?.();
  }
}
