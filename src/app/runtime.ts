import type { Answerer } from "../core/answer/answerer.js";
import { ExtractiveAnswerer } from "../core/answer/extractive.js";
import { Bot } from "../core/bot.js";
import { AnswerRecorder } from "../core/insight/answer-recorder.js";
import type { KnowledgeBase } from "../core/knowledge/knowledge-base.js";
import { loadKnowledgeBase } from "../core/knowledge/load.js";
import { SearchIndex } from "../core/knowledge/search-index.js";
import type { Logger } from "../core/logger.js";
import { type BotMetrics, noopMetrics } from "../core/metrics.js";
import type { ModelReadiness } from "../llm/llm-setup.js";
import { createSharedState, type SharedState } from "../stores/shared-state.js";
import type { Config } from "./config.js";

/** What a reload did: the knowledge-base versions before and after. */
export interface ReloadOutcome {
  previous: string;
  version: string;
  changed: boolean;
  articles: number;
  projects: number;
}

/** What the composition root builds: shared by the CLI, the adapters and the HTTP server. */
export interface Runtime {
  config: Config;
  logger: Logger;
  /** The knowledge base in use: the latest one loaded (see reload). */
  readonly kb: KnowledgeBase;
  readonly index: SearchIndex;
  bot: Bot;
  /**
   * De-duplication, memory, rate limits, answer cache: in memory, or in Redis with REDIS_URL.
   * Optional so adapters and tests can run on a hand-built runtime; createRuntime always sets it.
   */
  shared?: SharedState;
  metrics?: BotMetrics;
  /** Set when a model is configured: its cached state for /readyz (never calls the server). */
  llmReady?: () => ModelReadiness;
  /**
   * Loads the data directory again and swaps it in without a restart. A bad file throws (naming
   * file, field and reason) and the knowledge base in use stays.
   */
  reload?: () => Promise<ReloadOutcome>;
  /** Releases what the runtime holds (model clients, timers). */
  close(): Promise<void>;
}

/** config -> knowledge base -> answerer -> bot. Fails fast on bad data with file, field and reason. */
export async function createRuntime(
  config: Config,
  logger: Logger,
  options: { metrics?: BotMetrics } = {},
): Promise<Runtime & Required<Pick<Runtime, "shared" | "metrics" | "reload">>> {
  const metrics = options.metrics ?? noopMetrics;
  const shared = await createSharedState(config.redisUrl, logger, { answerLog: config.answerLog });
  const closers: (() => Promise<void>)[] = [];
  let llmReady: (() => ModelReadiness) | undefined;

  /** The index and answerer over a knowledge base (the model's client included, when configured). */
  const answering = async (kb: KnowledgeBase): Promise<{ index: SearchIndex; answerer: Answerer }> => {
    const index = new SearchIndex(kb);
    const extractive = new ExtractiveAnswerer(index);
    if (!config.llm) return { index, answerer: extractive };
    // The model client (the openai package) loads only when a model is configured.
    const { createLlmAnswerer } = await import("../llm/llm-setup.js");
    const llm = await createLlmAnswerer(config.llm, config.promptsDir, kb, extractive, logger, {
      cache: shared.answerCache,
      metrics,
    });
    llmReady = llm.ready;
    // An answer still running on a replaced client keeps it until the runtime closes.
    closers.push(llm.close);
    return { index, answerer: llm.answerer };
  };

  const kb = await loadKnowledgeBase(config.dataDir);
  const first = await answering(kb);
  const bot = new Bot({
    kb,
    index: first.index,
    answerer: first.answerer,
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
  let reloading: Promise<ReloadOutcome> | undefined;
  const reload = async (): Promise<ReloadOutcome> => {
    const previous = bot.kb.version;
    const next = await loadKnowledgeBase(config.dataDir);
    if (next.version !== previous) bot.replaceKnowledge({ kb: next, ...(await answering(next)) });
    const outcome = {
      previous,
      version: next.version,
      changed: next.version !== previous,
      articles: next.articles.length,
      projects: next.projects.length,
    };
    logger.info({ ...outcome, passages: next.passages.length }, "knowledge base reloaded");
    return outcome;
  };
  return {
    config,
    logger,
    get kb() {
      return bot.kb;
    },
    get index() {
      return bot.index;
    },
    bot,
    shared,
    metrics,
    ...(config.llm ? { llmReady: () => (llmReady as () => ModelReadiness)() } : {}),
    // One reload at a time: a second request while one runs waits for it and shares its outcome.
    reload: () => {
      reloading ??= reload().finally(() => {
        reloading = undefined;
      });
      return reloading;
    },
    async close() {
      for (const close of closers) await close();
    },
  };
}
