import { type AnswerCache, InMemoryAnswerCache } from "../core/answer/answer-cache.js";
import type { Answerer } from "../core/answer/answerer.js";
import { LlmAnswerer } from "../core/answer/llm-answerer.js";
import { checkModelReady } from "../core/answer/model-readiness.js";
import { loadPrompts } from "../core/answer/prompts.js";
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
  maxTokens: number;
  temperature: number;
  contextTokens: number;
  maxConcurrency: number;
  queueSize: number;
  stream: boolean;
}

export interface LlmSetup {
  answerer: Answerer;
  /** For /readyz: undefined when the endpoint lists the configured model, else the problem. */
  ready: () => Promise<string | undefined>;
  close: () => Promise<void>;
}

/**
 * The LLM answerer for `config.llm`, falling back to `fallback`. Checks at start that the endpoint
 * serves the model and logs a clear warning when not: the bot still starts, and answers
 * extractively while the model is missing.
 */
export async function createLlmAnswerer(
  llm: LlmOptions,
  promptsDir: string,
  kb: KnowledgeBase,
  fallback: Answerer,
  logger: Logger,
  shared: { cache?: AnswerCache; metrics?: BotMetrics } = {},
): Promise<LlmSetup> {
  const model = new OpenAIChatModel({
    baseURL: llm.baseURL,
    model: llm.model,
    timeoutMs: llm.timeoutMs,
    ...(llm.apiKey ? { apiKey: llm.apiKey } : {}),
  });
  const answerer = new LlmAnswerer({
    model,
    fallback,
    prompts: await loadPrompts(promptsDir),
    kb,
    settings: llm,
    cache: shared.cache ?? new InMemoryAnswerCache(),
    ...(shared.metrics ? { metrics: shared.metrics } : {}),
    logger: logger.child({ component: "llm" }),
  });
  const ready = () => checkModelReady(model);
  // Not awaited, so start-up does not wait on the endpoint; close() waits for it (it gives up
  // after its own timeout) so that even a one-shot `ask` logs the warning.
  const startupCheck = ready().then((problem) => {
    if (problem)
      logger.warn(
        { baseURL: llm.baseURL, model: llm.model, problem },
        "language model not ready: free questions fall back to extractive answers while it fails",
      );
    else logger.info({ baseURL: llm.baseURL, model: llm.model }, "language model ready");
  });
  return {
    answerer,
    ready,
    async close() {
      await startupCheck;
      await model.close();
    },
  };
}
