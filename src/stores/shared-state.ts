import {
  type AnswerCache,
  DEFAULT_ANSWER_CACHE_LIMITS,
  InMemoryAnswerCache,
} from "../core/answer/answer-cache.js";
import {
  type ConversationMemory,
  DEFAULT_MEMORY_LIMITS,
  InMemoryConversationMemory,
} from "../core/answer/memory.js";
import { type AnsweredThreads, InMemoryAnsweredThreads } from "../core/answered-threads.js";
import { type Deduplicator, InMemoryDeduplicator } from "../core/dedupe.js";
import type { AnswerLog, AnswerLogSettings } from "../core/insight/answer-record.js";
import type { Logger } from "../core/logger.js";
import { InMemoryRateLimiter, type RateLimiter } from "../core/rate-limit.js";
import { createAnswerLog } from "./answer-log.js";
import {
  FailOpenAnswerCache,
  FailOpenDeduplicator,
  FailOpenMemory,
  FailOpenRateLimiter,
  FailOpenThreads,
  StoreHealth,
} from "./fail-open.js";

/** The state one replica must share with the others: in memory by default, in Redis with REDIS_URL. */
export interface SharedState {
  kind: "memory" | "redis";
  dedupe: Deduplicator;
  memory: ConversationMemory;
  rateLimiter: RateLimiter;
  answerCache: AnswerCache;
  threads: AnsweredThreads;
  /** Answer records (a local file without Redis); undefined when recording is off or not asked for. */
  answerLog?: AnswerLog;
  /** For /readyz: undefined when the store answers. */
  ready(): Promise<string | undefined | { ready: boolean; problem?: string; detail?: unknown }>;
  /** Whether the shared store answers, and how many calls fell back to process-local state. */
  status(): { up: boolean; fallbacks: number };
  close(): Promise<void>;
}

export async function createSharedState(
  redisUrl: string | undefined,
  logger: Logger,
  options: { answerLog?: AnswerLogSettings } = {},
): Promise<SharedState> {
  if (!redisUrl) {
    const answerLog = options.answerLog && createAnswerLog(options.answerLog, undefined);
    return {
      ...(answerLog ? { answerLog } : {}),
      kind: "memory",
      dedupe: new InMemoryDeduplicator(),
      memory: new InMemoryConversationMemory(),
      rateLimiter: new InMemoryRateLimiter(),
      answerCache: new InMemoryAnswerCache(),
      threads: new InMemoryAnsweredThreads(),
      ready: async () => undefined,
      status: () => ({ up: true, fallbacks: 0 }),
      close: async () => {},
    };
  }
  // ioredis loads only with REDIS_URL: a tenth of a second of start-up CPU otherwise spent for nothing.
  const {
    connectRedis,
    RedisAnswerCache,
    RedisAnsweredThreads,
    RedisConversationMemory,
    RedisDeduplicator,
    RedisRateLimiter,
  } = await import("./redis-stores.js");
  const redis = connectRedis(redisUrl);
  // ioredis reconnects by itself; log its errors once each instead of crashing on them.
  let lastError = "";
  redis.on("error", (error: Error) => {
    if (error.message !== lastError) logger.warn({ err: error }, "redis error");
    lastError = error.message;
  });
  redis.on("ready", () => {
    lastError = "";
  });
  const answerLog = options.answerLog && createAnswerLog(options.answerLog, redis);
  const health = new StoreHealth(logger);
  return {
    ...(answerLog ? { answerLog } : {}),
    kind: "redis",
    dedupe: new FailOpenDeduplicator(new RedisDeduplicator(redis), new InMemoryDeduplicator(), health),
    memory: new FailOpenMemory(
      new RedisConversationMemory(redis, DEFAULT_MEMORY_LIMITS),
      new InMemoryConversationMemory(),
      health,
    ),
    rateLimiter: new FailOpenRateLimiter(new RedisRateLimiter(redis), new InMemoryRateLimiter(), health),
    answerCache: new FailOpenAnswerCache(
      new RedisAnswerCache(redis, DEFAULT_ANSWER_CACHE_LIMITS.ttlMs),
      new InMemoryAnswerCache(),
      health,
    ),
    threads: new FailOpenThreads(new RedisAnsweredThreads(redis), new InMemoryAnsweredThreads(), health),
    // The replica still answers during an outage (from its own state), so it stays ready: taking
    // it out of the Service would turn a Redis outage into a full one. The body says what is wrong.
    ready: async () => {
      const problem =
        redis.status === "ready"
          ? health.problem()
          : `redis is ${redis.status}${lastError ? `: ${lastError}` : ""}: answering from this replica's own state`;
      return problem === undefined
        ? undefined
        : { ready: true, problem, detail: { redis: "unavailable", fallbacks: health.fallbacks } };
    },
    status: () => ({ up: redis.status === "ready" && health.up, fallbacks: health.fallbacks }),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
