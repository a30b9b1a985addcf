/** The result of taking one unit from a rate limit. */
export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until the next unit is available. */
  retryAfterMs: number;
}

/**
 * Fixed-window counters per key. Async so a shared store (Redis INCR + PEXPIRE) can implement
 * it for several replicas.
 */
export interface RateLimiter {
  take(key: string, limit: number, windowMs: number): Promise<RateDecision>;
}

export interface RateLimits {
  /** Requests per user per window; 0 turns the limit off. */
  perUser: number;
  /** Requests per channel per window; 0 turns the limit off. */
  perChannel: number;
  windowMs: number;
}

/** No limits: the library default, so embedding the Bot (tests, the CLI) is never throttled. */
export const NO_RATE_LIMITS: RateLimits = { perUser: 0, perChannel: 0, windowMs: 60_000 };

/** The default: process-local windows, bounded in number of keys. */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async take(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.delete(key);
      this.windows.set(key, window);
      if (this.windows.size > this.maxKeys) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
    }
    if (window.count >= limit) return { allowed: false, retryAfterMs: window.resetAt - now };
    window.count++;
    return { allowed: true, retryAfterMs: 0 };
  }
}
