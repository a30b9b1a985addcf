/**
 * Threads the bot answered in, remembered for a while: a later message in one of them is a
 * follow-up and is answered without a mention. Async so a shared store (Redis) can implement it
 * for several replicas, like the Deduplicator.
 */
export interface AnsweredThreads {
  remember(key: string, ttlMs: number): Promise<void>;
  has(key: string): Promise<boolean>;
}

/** The default: a process-local map with expiry, bounded in size (oldest forgotten first). */
export class InMemoryAnsweredThreads implements AnsweredThreads {
  private readonly threads = new Map<string, number>();

  constructor(
    private readonly maxThreads = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  async remember(key: string, ttlMs: number): Promise<void> {
    this.threads.delete(key);
    this.threads.set(key, this.now() + ttlMs);
    while (this.threads.size > this.maxThreads) {
      const oldest = this.threads.keys().next().value;
      if (oldest === undefined) break;
      this.threads.delete(oldest);
    }
  }

  async has(key: string): Promise<boolean> {
    const expires = this.threads.get(key);
    if (expires === undefined) return false;
    if (expires <= this.now()) {
      this.threads.delete(key);
      return false;
    }
    return true;
  }
}
