import { BotError } from "../errors.js";
import { ChatModelError } from "./chat-model.js";

/** The model is saturated: the queue is full, or the request waited in it past its deadline. */
export class BusyError extends BotError {
  constructor(readonly reason: "queue-full" | "queue-timeout") {
    super("llm-busy", reason === "queue-full" ? "model queue is full" : "gave up waiting for a model slot");
    this.name = "BusyError";
  }
}

interface Waiter {
  start: () => void;
}

/**
 * At most `maxConcurrent` tasks at once and at most `maxQueue` waiting. A CPU-only server answers
 * one request at a time; piling more on it only makes everyone wait, so past the queue we refuse
 * at once and the caller answers without the model.
 */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private maxConcurrent: number,
    private readonly maxQueue: number,
  ) {}

  /** Follows the server's slots once it says how many it has; waiting tasks start if room opened. */
  resize(maxConcurrent: number): void {
    this.maxConcurrent = Math.max(1, maxConcurrent);
    while (this.running < this.maxConcurrent && this.waiting.length > 0) this.waiting.shift()?.start();
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `task` when a slot is free. Throws BusyError when the queue is full or `signal` aborts first. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.start();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new BusyError("queue-timeout"));
    if (this.running < this.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueue) return Promise.reject(new BusyError("queue-full"));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new BusyError("queue-timeout"));
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          this.running++;
          resolve();
        },
      };
      this.waiting.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses before letting one trial request through. */
  cooldownMs: number;
  now?: () => number;
}

export type CircuitState = "closed" | "open" | "half-open";

/**
 * Stops calling a model that keeps failing: after `failureThreshold` consecutive failures every
 * request is refused for `cooldownMs` (the caller answers at once without the model), then one
 * trial request decides whether to close the circuit again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.openedAt === undefined) return "closed";
    return this.now() - this.openedAt >= this.options.cooldownMs ? "half-open" : "open";
  }

  /** True when a request may go to the model; every true must be followed by success, failure or release. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "open" || this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  failure(): void {
    this.failures++;
    if (this.probing || this.failures >= this.options.failureThreshold) this.openedAt = this.now();
    this.probing = false;
  }

  /** A probe saw the server healthy: let the next request through as the trial, without waiting. */
  halfOpen(): void {
    if (this.openedAt !== undefined) this.openedAt = this.now() - this.options.cooldownMs;
  }

  /** The request ended without telling anything about the model's health (busy, cancelled). */
  release(): void {
    this.probing = false;
  }
}

interface SlotWaiter {
  start: () => void;
  started: boolean;
}

/**
 * Our requests as the server's own queue sees them: with `slots` known, a request past them waits
 * on the server before any work starts, so its first-token timer must not run yet. `enter()`
 * resolves when the request would have a slot (FIFO, as llama.cpp serves them); with no slot
 * count known it resolves at once.
 */
export class ServerSlots {
  private readonly order: SlotWaiter[] = [];

  constructor(private slots: number | undefined) {}

  resize(slots: number | undefined): void {
    this.slots = slots;
    this.wake();
  }

  enter(): { started: Promise<void>; leave: () => void } {
    let resolve: () => void = () => {};
    const started = new Promise<void>((r) => {
      resolve = r;
    });
    const waiter: SlotWaiter = { start: resolve, started: false };
    this.order.push(waiter);
    this.wake();
    return {
      started,
      leave: () => {
        const i = this.order.indexOf(waiter);
        if (i >= 0) this.order.splice(i, 1);
        this.wake();
      },
    };
  }

  private wake(): void {
    const limit = this.slots ?? Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.order.length && i < limit; i++) {
      const waiter = this.order[i] as SlotWaiter;
      if (!waiter.started) {
        waiter.started = true;
        waiter.start();
      }
    }
  }
}

export interface RetryPolicy {
  /** Longest Retry-After we wait for; a server asking for longer will not be back in time for this user. */
  maxWaitMs: number;
  /** Wait for a 429/503 that gives no Retry-After. */
  defaultWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxWaitMs: 2000, defaultWaitMs: 250 };

/**
 * How long to wait before the one retry of a failed call, or undefined for no retry. Connection
 * errors are retried at once (llama.cpp closes the pooled socket after every stream); 429 and 503
 * after their Retry-After. Nothing else is retried: llama.cpp answers client mistakes with 500.
 */
export function retryDelayMs(error: unknown, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number | undefined {
  if (!(error instanceof ChatModelError)) return undefined;
  if (error.kind === "connection") return 0;
  if (error.kind !== "rate-limited" && error.kind !== "unavailable") return undefined;
  const wait = error.retryAfterMs ?? policy.defaultWaitMs;
  return wait <= policy.maxWaitMs ? wait : undefined;
}

/**
 * Reads `retry-after-ms` or `Retry-After` (seconds or an HTTP date) into milliseconds.
 * Unparseable or absent values give undefined.
 */
export function parseRetryAfter(
  retryAfter: string | null | undefined,
  retryAfterMs?: string | null,
  now: number = Date.now(),
): number | undefined {
  if (retryAfterMs) {
    const ms = Number(retryAfterMs);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  if (!retryAfter) return undefined;
  const seconds = Number(retryAfter);
  if (retryAfter.trim() !== "" && Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
