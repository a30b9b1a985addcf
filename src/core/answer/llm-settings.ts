import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import type { Logger } from "../logger.js";
import type { BotMetrics } from "../metrics.js";
import type { AnswerCache } from "./answer-cache.js";
import type { Answerer } from "./answerer.js";
import type { ChatModel } from "./chat-model.js";
import type { ModelMonitor } from "./model-readiness.js";
import type { PromptTemplates } from "./prompts.js";
import type { CircuitBreaker, RetryPolicy } from "./resilience.js";

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
