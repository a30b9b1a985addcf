import type { Logger } from "../logger.js";
import type { ChatModel } from "./chat-model.js";
import type { PromptTemplates } from "./prompts.js";
import type { CircuitBreaker } from "./resilience.js";

const MAX_LISTED = 10;

/**
 * Whether the endpoint serves the configured model (GET /v1/models lists it): undefined when it
 * does, else a problem a person can act on. Never throws, and gives up after `timeoutMs`.
 * llama.cpp answers any model name, so this list is the only way to catch a typo in OPENAI_MODEL.
 */
export async function checkModelReady(
  model: ChatModel,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 3000);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const ids = await new Promise<string[]>((resolve, reject) => {
      const onAbort = () => reject(new Error(timeout.aborted ? "timed out" : "cancelled"));
      if (signal.aborted) onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      model.listModels(signal).then(resolve, reject);
    });
    return modelListProblem(model.model, ids);
  } catch (error) {
    return `cannot list the endpoint's models: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export function modelListProblem(model: string, ids: string[]): string | undefined {
  if (ids.includes(model)) return undefined;
  const listed = ids.length === 0 ? "none" : ids.slice(0, MAX_LISTED).join(", ");
  return `model "${model}" is not listed by the endpoint (it lists: ${listed}); set OPENAI_MODEL to one of them`;
}

/**
 * ready: the server answers; degraded: answers may fall back (see reason); down: the server cannot
 * be reached; circuit-open: calls paused after repeated failures; unauthorised: the server refuses
 * our key; unusable: the context cannot hold even the smallest prompt. starting: not probed yet.
 */
export type ModelState =
  | "starting"
  | "ready"
  | "degraded"
  | "down"
  | "circuit-open"
  | "unauthorised"
  | "unusable";

export const MODEL_STATES: readonly ModelState[] = [
  "starting",
  "ready",
  "degraded",
  "down",
  "circuit-open",
  "unauthorised",
  "unusable",
];

/** What the answerer uses now; learned from the server where it says, else from settings. */
export interface ModelProfile {
  contextTokens: number;
  maxTokens: number;
  maxConcurrency: number;
  /** The server's slots, when it says: requests past them wait in the server's own queue. */
  slots?: number;
  /** Multiplies prompt estimates once the server was seen counting more tokens than estimated. */
  tokenScale: number;
  /** Where the context size came from. */
  contextFrom: "server" | "LLM_CONTEXT_TOKENS" | "default" | "truncation";
}

/** The model's health as /readyz and /metrics show it. Holds no secret. */
export interface ModelHealth extends ModelProfile {
  state: ModelState;
  reason?: string;
  model: string;
  /** When the state last changed (ISO 8601). */
  since: string;
}

/** The model settings as configured; unset ones are learned from the server. */
export interface ModelSettings {
  /** LLM_CONTEXT_TOKENS; unset: the server's, else DEFAULT_CONTEXT_TOKENS. */
  contextTokens?: number;
  /** LLM_MAX_TOKENS; unset: a quarter of the context, at most DEFAULT_MAX_TOKENS. */
  maxTokens?: number;
  /** LLM_MAX_CONCURRENCY; unset: the server's slots, else 1. */
  maxConcurrency?: number;
  /** The longest the circuit stays open (LLM_BREAKER_COOLDOWN_MS). */
  breakerCooldownMs?: number;
  /** How often a paused or refused model is probed (LLM_PROBE_INTERVAL_MS). */
  probeIntervalMs?: number;
}

export const DEFAULT_CONTEXT_TOKENS = 4096;
export const DEFAULT_MAX_TOKENS = 512;
export const DEFAULT_BREAKER = { failureThreshold: 3, cooldownMs: 30_000 };
export const DEFAULT_PROBE_INTERVAL_MS = 2000;
/** A server counting this much fewer tokens than estimated has cut the prompt (llama.cpp, silently). */
export const TRUNCATION_RATIO = 0.35;
/** Estimates are corrected only past this much disagreement: tokenizers differ a little anyway. */
export const SCALE_SLACK = 1.05;
export const MAX_SCALE = 4;

export const replyTokensFor = (context: number) => Math.min(DEFAULT_MAX_TOKENS, Math.floor(context / 4));

export interface ModelMonitorOptions {
  model: ChatModel;
  settings: ModelSettings;
  /** For the smallest useful prompt; without them nothing is checked. */
  prompts?: PromptTemplates;
  canary?: string;
  logger?: Logger;
  /** Told of every state change (a gauge in /metrics). */
  onState?: (state: ModelState) => void;
  breaker?: CircuitBreaker;
}
