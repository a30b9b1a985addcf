import type { AnswerCache } from "../core/answer/answer-cache.js";
import type { AnswerResult, Turn } from "../core/answer/answerer.js";
import type { ConversationMemory } from "../core/answer/memory.js";
import type { AnsweredThreads } from "../core/answered-threads.js";
import type { Deduplicator } from "../core/dedupe.js";
import type { Logger } from "../core/logger.js";
import type { RateDecision, RateLimiter } from "../core/rate-limit.js";

// While Redis is out, every replica carries on with its own process-local state: a request gets an
// answer (maybe twice across replicas, never none) instead of an apology after Redis' retries.

/** What one replica knows of its shared store: up, or out since when and why. */
export class StoreHealth {
  private outSince: number | undefined;
  private lastProblem = "";
  private failures = 0;

  constructor(
    private readonly logger: Logger,
    private readonly onChange: (up: boolean) => void = () => {},
  ) {}

  get up(): boolean {
    return this.outSince === undefined;
  }

  /** Calls answered from process-local state because the store failed. */
  get fallbacks(): number {
    return this.failures;
  }

  problem(): string | undefined {
    if (this.outSince === undefined) return undefined;
    const seconds = Math.round((Date.now() - this.outSince) / 1000);
    return `redis unavailable for ${seconds}s (${this.lastProblem}): de-duplication, rate limits, memory and the answer cache use this replica's own state`;
  }

  failed(operation: string, error: unknown): void {
    this.failures++;
    this.lastProblem = error instanceof Error ? error.message : String(error);
    if (this.outSince !== undefined) return;
    this.outSince = Date.now();
    this.logger.warn({ operation, detail: this.lastProblem }, "redis unavailable: using process-local state");
    this.onChange(false);
  }

  succeeded(): void {
    if (this.outSince === undefined) return;
    this.logger.info({ outageMs: Date.now() - this.outSince }, "redis is back: shared state again");
    this.outSince = undefined;
    this.onChange(true);
  }
}

async function guarded<T>(
  health: StoreHealth,
  operation: string,
  shared: () => Promise<T>,
  local: () => Promise<T>,
): Promise<T> {
  try {
    const value = await shared();
    health.succeeded();
    return value;
  } catch (error) {
    health.failed(operation, error);
    return local();
  }
}

/**
 * Claims in Redis and mirrors every claim locally. During an outage the local map decides: a
 * redelivery reaching this replica is still answered once (claims made before the outage
 * included), one reaching another replica may be answered twice. A duplicate beats a lost mention.
 */
export class FailOpenDeduplicator implements Deduplicator {
  constructor(
    private readonly shared: Deduplicator,
    private readonly local: Deduplicator,
    private readonly health: StoreHealth,
  ) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return guarded(
      this.health,
      "dedupe",
      async () => {
        const won = await this.shared.claim(key, ttlMs);
        await this.local.claim(key, ttlMs);
        return won;
      },
      () => this.local.claim(key, ttlMs),
    );
  }
}

export class FailOpenRateLimiter implements RateLimiter {
  constructor(
    private readonly shared: RateLimiter,
    private readonly local: RateLimiter,
    private readonly health: StoreHealth,
  ) {}

  take(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    return guarded(
      this.health,
      "rate-limit",
      () => this.shared.take(key, limit, windowMs),
      () => this.local.take(key, limit, windowMs),
    );
  }
}

/** Memory written to both, read from Redis while it answers: a thread keeps its context either way. */
export class FailOpenMemory implements ConversationMemory {
  constructor(
    private readonly shared: ConversationMemory,
    private readonly local: ConversationMemory,
    private readonly health: StoreHealth,
  ) {}

  get(id: string): Promise<Turn[]> {
    return guarded(
      this.health,
      "memory",
      () => this.shared.get(id),
      () => this.local.get(id),
    );
  }

  async append(id: string, turn: Turn): Promise<void> {
    await this.local.append(id, turn);
    await guarded(
      this.health,
      "memory",
      () => this.shared.append(id, turn),
      async () => {},
    );
  }
}

export class FailOpenAnswerCache implements AnswerCache {
  constructor(
    private readonly shared: AnswerCache,
    private readonly local: AnswerCache,
    private readonly health: StoreHealth,
  ) {}

  get(key: string): Promise<AnswerResult | undefined> {
    return guarded(
      this.health,
      "answer-cache",
      () => this.shared.get(key),
      () => this.local.get(key),
    );
  }

  async set(key: string, value: AnswerResult): Promise<void> {
    await guarded(
      this.health,
      "answer-cache",
      () => this.shared.set(key, value),
      () => this.local.set(key, value),
    );
  }
}

export class FailOpenThreads implements AnsweredThreads {
  constructor(
    private readonly shared: AnsweredThreads,
    private readonly local: AnsweredThreads,
    private readonly health: StoreHealth,
  ) {}

  async remember(key: string, ttlMs: number): Promise<void> {
    await this.local.remember(key, ttlMs);
    await guarded(
      this.health,
      "threads",
      () => this.shared.remember(key, ttlMs),
      async () => {},
    );
  }

  async has(key: string): Promise<boolean> {
    if (await this.local.has(key)) return true;
    return guarded(
      this.health,
      "threads",
      () => this.shared.has(key),
      async () => false,
    );
  }
}
