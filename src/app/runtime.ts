import type { Answerer } from "../core/answer/answerer.js";
import { ExtractiveAnswerer } from "../core/answer/extractive.js";
import { Bot } from "../core/bot.js";
import { AnswerRecorder } from "../core/insight/answer-recorder.js";
import type { KnowledgeBase } from "../core/knowledge/knowledge-base.js";
import { loadKnowledgeBase } from "../core/knowledge/load.js";
import { SearchIndex } from "../core/knowledge/search-index.js";
import type { Logger } from "../core/logger.js";
import { type BotMetrics, noopMetrics } from "../core/metrics.js";
import { createLlmAnswerer, type ModelReadiness } from "../llm/llm-setup.js";
import { createSharedState, type SharedState } from "../stores/shared-state.js";
import type { Config } from "./config.js";

/** What the composition root builds: shared by the CLI, the adapters and the HTTP server. */
export interface Runtime {
  config: Config;
  logger: Logger;
  kb: KnowledgeBase;
  index: SearchIndex;
  bot: Bot;
  /**
   * De-duplication, memory, rate limits, answer cache: in memory, or in Redis with REDIS_URL.
   * Optional so adapters and tests can run on a hand-built runtime; createRuntime always sets it.
   */
  shared?: SharedState;
  metrics?: BotMetrics;
  /** Set when a model is configured: its cached state for /readyz (never calls the server). */
  llmReady?: () => ModelReadiness;
  /** Releases what the runtime holds (model clients, timers). */
  close(): Promise<void>;
}

/** config -> knowledge base -> answerer -> bot. Fails fast on bad data with file, field and reason. */
export async function createRuntime(
  config: Config,
  logger: Logger,
  options: { metrics?: BotMetrics } = {},
): Promise<Runtime & Required<Pick<Runtime, "shared" | "metrics">>> {
  const kb = await loadKnowledgeBase(config.dataDir);
  const metrics = options.metrics ?? noopMetrics;
  const index = new SearchIndex(kb);
  const extractive = new ExtractiveAnswerer(index);
  let answerer: Answerer = extractive;
  let llmReady: (() => ModelReadiness) | undefined;
  const shared = createSharedState(config.redisUrl, logger, { answerLog: config.answerLog });
  const closers: (() => Promise<void>)[] = [];
  if (config.llm) {
    const llm = await createLlmAnswerer(config.llm, config.promptsDir, kb, extractive, logger, {
      cache: shared.answerCache,
      metrics,
    });
    answerer = llm.answerer;
    llmReady = llm.ready;
    closers.push(llm.close);
  }
  const bot = new Bot({
    kb,
    index,
    answerer,
    memory: shared.memory,
    logger,
    metrics,
    rateLimiter: shared.rateLimiter,
    rateLimits: config.rateLimits,
    retrievalK: config.retrievalK,
    ...(shared.answerLog
      ? {
          recorder: new AnswerRecorder(shared.answerLog, {
            redactQuestions: config.answerLog.mode === "redacted",
            logger,
          }),
        }
      : {}),
  });
  closers.push(() => shared.close());
  logger.info(
    { passages: kb.passages.length, projects: kb.projects.length, kb: kb.version },
    "knowledge base loaded",
  );
  return {
    config,
    logger,
    kb,
    index,
    bot,
    shared,
    metrics,
    ...(llmReady ? { llmReady } : {}),
    async close() {
      for (const close of closers) await close();
    },
  };
}
