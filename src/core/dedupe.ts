/**
 * Remembers keys for a while so a redelivered event is answered once. `claim` is atomic: of
 * concurrent claims of one key, exactly one gets true. A shared store (Redis SET NX PX) can
 * implement the same interface for several replicas.
 */
export interface Deduplicator {
  /** True the first time a key is claimed within `ttlMs`; false for every repeat. */
  claim(key: string, ttlMs: number): Promise<boolean>;
}

/** The default: a process-local map with expiry, bounded in size. */
export class InMemoryDeduplicator implements Deduplicator {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.now();
    const expires = this.seen.get(key);
    if (expires !== undefined && expires > now) return false;
    this.seen.delete(key);
    this.seen.set(key, now + ttlMs);
    this.evict(now);
    return true;
  }

  private evict(now: number): void {
    // Map keeps insertion order, so the oldest claims come first.
    for (const [key, expires] of this.seen) {
      if (this.seen.size <= this.maxKeys && expires > now) break;
      this.seen.delete(key);
    }
  }
}
