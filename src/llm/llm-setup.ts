import { type AnswerCache, InMemoryAnswerCache } from "../core/answer/answer-cache.js";
import type { Answerer } from "../core/answer/answerer.js";
import { LlmAnswerer } from "../core/answer/llm-answerer.js";
import { type ModelHealth, ModelMonitor, type ModelState } from "../core/answer/model-readiness.js";
import { createCanary, loadPrompts } from "../core/answer/prompts.js";
import { ConfigError } from "../core/errors.js";
import type { KnowledgeBase } from "../core/knowledge/knowledge-base.js";
import type { Logger } from "../core/logger.js";
import type { BotMetrics } from "../core/metrics.js";
import { OpenAIChatModel } from "./openai-chat-model.js";

/** The model endpoint and its limits: plain options, built by whoever composes the app. */
export interface LlmOptions {
  baseURL: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  firstTokenTimeoutMs: number;
  /** Unset: a quarter of the context, at most 512. */
  maxTokens?: number;
  temperature: number;
  /** Unset: the server's (llama.cpp /props, vLLM /v1/models), else 4096. */
  contextTokens?: number;
  /** Unset: the server's slots, else 1. */
  maxConcurrency?: number;
  queueSize: number;
  stream: boolean;
  breakerCooldownMs: number;
  probeIntervalMs: number;
  uncited: "notice" | "fallback";
  /** A model that is down, refused or unusable fails /readyz (off: the extractive answer still serves). */
  requiredForReadiness: boolean;
}

/** What /readyz shows for the model: answered from cached state, never by calling the server. */
export interface ModelReadiness {
  ready: boolean;
  problem?: string;
  detail: ModelHealth & { requiredForReadiness: boolean };
}

export interface LlmSetup {
  answerer: Answerer;
  /** For /readyz: the cached model state; not ready only with READINESS_REQUIRES_MODEL and the model down. */
  ready: () => ModelReadiness;
  health: () => ModelHealth;
  close: () => Promise<void>;
}

/** States in which no model answer can come: they fail readiness when the model is required. */
const DOWN: readonly ModelState[] = ["starting", "down", "circuit-open", "unauthorised", "unusable"];

/**
 * The LLM answerer for `config.llm`, falling back to `fallback`. Probes the server at start (its
 * context, its slots, whether it takes the key and lists the model) without holding start-up on
 * it; the first question waits for the probe, bounded. A context too small for any prompt with
 * the sizes configured explicitly fails at start; learned from the server, it is logged and the
 * bot answers extractively.
 */
export async function createLlmAnswerer(
  llm: LlmOptions,
  promptsDir: string,
  kb: KnowledgeBase,
  fallback: Answerer,
  logger: Logger,
  shared: { cache?: AnswerCache; metrics?: BotMetrics } = {},
): Promise<LlmSetup> {
  const log = logger.child({ component: "llm" });
  const model = new OpenAIChatModel({
    baseURL: llm.baseURL,
    model: llm.model,
    timeoutMs: llm.timeoutMs,
    ...(llm.apiKey ? { apiKey: llm.apiKey } : {}),
  });
  const prompts = await loadPrompts(promptsDir);
  const canary = createCanary();
  let monitor: ModelMonitor | undefined;
  const report = () => {
    if (monitor) shared.metrics?.llmHealth?.({ ...monitor.profile, state: monitor.state });
  };
  monitor = new ModelMonitor({ model, settings: llm, prompts, canary, logger: log, onState: report });
  monitor.onProfile(report);
  report();
  if (monitor.refusing === "unusable") {
    const problem = monitor.health().reason ?? "too small for any prompt";
    if (llm.contextTokens !== undefined) {
      await model.close();
      throw new ConfigError([`LLM_CONTEXT_TOKENS: ${problem}`]);
    }
    // Only LLM_MAX_TOKENS is set: the server's context, once learned, may still make room.
    log.error({ problem }, "language model unusable with the default context: waiting for the server's");
  }
  const answerer = new LlmAnswerer({
    model,
    fallback,
    prompts,
    kb,
    canary,
    monitor,
    settings: llm,
    cache: shared.cache ?? new InMemoryAnswerCache(),
    ...(shared.metrics ? { metrics: shared.metrics } : {}),
    logger: log,
  });
  const watched = monitor;
  const startupProbe = watched.start();
  return {
    answerer,
    health: () => watched.health(),
    ready() {
      const detail = { ...watched.health(), requiredForReadiness: llm.requiredForReadiness };
      const down = DOWN.includes(detail.state);
      return {
        ready: !(llm.requiredForReadiness && down),
        ...(down ? { problem: `model ${detail.state}${detail.reason ? `: ${detail.reason}` : ""}` } : {}),
        detail,
      };
    },
    async close() {
      // Even a one-shot `ask` logs what the probe found (it gives up after its own timeout).
      await startupProbe;
      watched.close();
      await model.close();
    },
  };
}
