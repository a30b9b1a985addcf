import type { AnswerOutcome } from "./insight/answer-record.js";
import type { AnswerMode, FallbackReason, Platform } from "./types.js";

export type RequestOutcome = "ok" | "declined" | "refused" | "rate-limited" | "error";

/**
 * What the bot measures. The core reports through this interface; the HTTP layer implements
 * it with Prometheus metrics. Every method must be cheap and must never throw.
 */
export interface BotMetrics {
  request(platform: Platform, command: string, outcome: RequestOutcome): void;
  answerSeconds(mode: AnswerMode | "none", seconds: number): void;
  retrievalSeconds(seconds: number): void;
  fallback(reason: FallbackReason): void;
  llmFailure(kind: "error" | "timeout"): void;
  llmQueueDepth(depth: number): void;
  /** The model's state and learned sizes, on every change (optional: only /metrics shows them). */
  llmHealth?(health: { state: string; contextTokens: number; maxConcurrency: number }): void;
  dedupeHit(platform: Platform): void;
  feedback(platform: Platform, value: "up" | "down"): void;
  /** A free question answered, by platform and outcome, with its time to the final answer (optional). */
  answered?(platform: Platform, outcome: AnswerOutcome, seconds: number): void;
}

export const noopMetrics: BotMetrics = {
  request() {},
  answerSeconds() {},
  retrievalSeconds() {},
  fallback() {},
  llmFailure() {},
  llmQueueDepth() {},
  dedupeHit() {},
  feedback() {},
};
