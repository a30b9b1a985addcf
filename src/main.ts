import type { Config } from "./config.js";
import type { Answerer } from "./core/answer/answerer.js";
import { ExtractiveAnswerer } from "./core/answer/extractive.js";
import { InMemoryConversationMemory } from "./core/answer/memory.js";
import { Bot } from "./core/bot.js";
import type { KnowledgeBase } from "./core/knowledge/knowledge-base.js";
import { loadKnowledgeBase } from "./core/knowledge/load.js";
import { SearchIndex } from "./core/knowledge/search-index.js";
import type { Logger } from "./core/logger.js";
import { createLlmAnswerer } from "./llm/llm-setup.js";

/** What the composition root builds: shared by the CLI, the adapters and the HTTP server. */
export interface Runtime {
  config: Config;
  logger: Logger;
  kb: KnowledgeBase;
  index: SearchIndex;
  bot: Bot;
  /** Set when a model is configured: undefined when the endpoint serves it, else the problem (for /readyz). */
  llmReady?: () => Promise<string | undefined>;
  /** Releases what the runtime holds (model clients, timers). */
  close(): Promise<void>;
}

/** config -> knowledge base -> answerer -> bot. Fails fast on bad data with file, field and reason. */
export async function createRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const kb = await loadKnowledgeBase(config.dataDir);
  const index = new SearchIndex(kb);
  const extractive = new ExtractiveAnswerer(index);
  let answerer: Answerer = extractive;
  let llmReady: (() => Promise<string | undefined>) | undefined;
  const closers: (() => Promise<void>)[] = [];
  if (config.llm) {
    const llm = await createLlmAnswerer(config.llm, config.promptsDir, kb, extractive, logger);
    answerer = llm.answerer;
    llmReady = llm.ready;
    closers.push(llm.close);
  }
  const bot = new Bot({ kb, index, answerer, memory: new InMemoryConversationMemory(), logger });
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
    ...(llmReady ? { llmReady } : {}),
    async close() {
      for (const close of closers) await close();
    },
  };
}
