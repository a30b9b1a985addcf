import { Redis } from "ioredis";
import type { AnswerCache } from "../core/answer/answer-cache.js";
import type { AnswerResult, Turn } from "../core/answer/answerer.js";
import { boundTurns, type ConversationMemory, type MemoryLimits } from "../core/answer/memory.js";
import type { Deduplicator } from "../core/dedupe.js";
import type { RateDecision, RateLimiter } from "../core/rate-limit.js";

// Shared state for several replicas behind one Service: a retry that reaches another replica
// must still be answered once, and a thread's memory must follow it to whichever replica answers.

const PREFIX = "spotlight:";

/** How long a request-path command may take before the replica answers from its own state. */
export const REDIS_COMMAND_TIMEOUT_MS = 500;

/**
 * Connects for request-path calls: a command fails at once while Redis is disconnected (no offline
 * queue, no retries) and after REDIS_COMMAND_TIMEOUT_MS when it hangs, so the caller falls back to
 * process-local state instead of making a question wait. The client keeps reconnecting by itself.
 */
export function connectRedis(url: string, commandTimeoutMs = REDIS_COMMAND_TIMEOUT_MS): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
  });
}

/** SET NX PX: of concurrent claims on any replica exactly one wins. */
export class RedisDeduplicator implements Deduplicator {
  constructor(private readonly redis: Redis) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const result = await this.redis.set(`${PREFIX}dedupe:${key}`, "1", "PX", ttlMs, "NX");
    return result === "OK";
  }
}

/** Turns as a capped list per conversation, expiring when idle. */
export class RedisConversationMemory implements ConversationMemory {
  constructor(
    private readonly redis: Redis,
    private readonly limits: MemoryLimits,
  ) {}

  private key(id: string): string {
    return `${PREFIX}memory:${id}`;
  }

  async get(id: string): Promise<Turn[]> {
    const items = await this.redis.lrange(this.key(id), 0, -1);
    const turns: Turn[] = [];
    for (const item of items) {
      try {
        turns.push(JSON.parse(item) as Turn);
      } catch {
        // A malformed entry (another version wrote it) is skipped, not fatal.
      }
    }
    return boundTurns(turns, this.limits);
  }

  async append(id: string, turn: Turn): Promise<void> {
    const key = this.key(id);
    await this.redis
      .multi()
      .rpush(key, JSON.stringify(turn))
      .ltrim(key, -this.limits.maxTurns, -1)
      .pexpire(key, this.limits.ttlMs)
      .exec();
  }
}

// INCR and PEXPIRE in one step, so a window always gets its expiry even if a replica dies between them.
const TAKE_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

/** Fixed windows shared by every replica. */
export class RedisRateLimiter implements RateLimiter {
  constructor(private readonly redis: Redis) {}

  async take(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    const [count, ttl] = (await this.redis.eval(TAKE_SCRIPT, 1, `${PREFIX}rate:${key}`, windowMs)) as [
      number,
      number,
    ];
    return count <= limit
      ? { allowed: true, retryAfterMs: 0 }
      : { allowed: false, retryAfterMs: Math.max(1, ttl) };
  }
}

/** Answers shared by every replica for a TTL. */
export class RedisAnswerCache implements AnswerCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
  ) {}

  async get(key: string): Promise<AnswerResult | undefined> {
    const value = await this.redis.get(`${PREFIX}answer:${key}`);
    if (value === null) return undefined;
    try {
      return JSON.parse(value) as AnswerResult;
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: AnswerResult): Promise<void> {
    await this.redis.set(`${PREFIX}answer:${key}`, JSON.stringify(value), "PX", this.ttlMs);
  }
}

/** Threads the bot answered in, shared so a follow-up reaching another replica is recognised. */
export class RedisAnsweredThreads {
  constructor(private readonly redis: Redis) {}

  async remember(key: string, ttlMs: number): Promise<void> {
    await this.redis.set(`${PREFIX}thread:${key}`, "1", "PX", ttlMs);
  }

  async has(key: string): Promise<boolean> {
    return (await this.redis.exists(`${PREFIX}thread:${key}`)) === 1;
  }
}
