import { describe, expect, it } from "vitest";
import { ChatModelError } from "../../src/core/answer/chat-model.js";
import {
  BusyError,
  CircuitBreaker,
  ConcurrencyLimiter,
  parseRetryAfter,
  retryDelayMs,
  ServerSlots,
} from "../../src/core/answer/resilience.js";

/** A promise with its resolve exposed, to hold a task open. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe("ConcurrencyLimiter", () => {
  it("runs at most N tasks at once, the rest in arrival order", async () => {
    const limiter = new ConcurrencyLimiter(2, 10);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([limiter.active, limiter.queued]).toEqual([2, 2]);
    gates[1]?.open();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect([limiter.active, limiter.queued]).toEqual([0, 0]);
  });

  it("refuses at once past the queue", async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const g = gate();
    const first = limiter.run(() => g.promise);
    const second = limiter.run(() => Promise.resolve("queued"));
    await expect(limiter.run(() => Promise.resolve("third"))).rejects.toEqual(new BusyError("queue-full"));
    g.open();
    await first;
    expect(await second).toBe("queued");
  });

  it("a queue of 0 means no waiting at all", async () => {
    const limiter = new ConcurrencyLimiter(1, 0);
    const g = gate();
    const first = limiter.run(() => g.promise);
    await expect(limiter.run(() => Promise.resolve())).rejects.toMatchObject({ reason: "queue-full" });
    g.open();
    await first;
  });

  it("drops a waiter whose signal aborts, and frees its place", async () => {
    const limiter = new ConcurrencyLimiter(1, 1);
    const g = gate();
    const first = limiter.run(() => g.promise);
    const controller = new AbortController();
    const waiting = limiter.run(() => Promise.resolve("never"), controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ reason: "queue-timeout" });
    expect(limiter.queued).toBe(0);
    g.open();
    await first;
    expect(await limiter.run(() => Promise.resolve("next"))).toBe("next");
  });

  it("releases the slot when a task fails", async () => {
    const limiter = new ConcurrencyLimiter(1, 0);
    await expect(limiter.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await limiter.run(() => Promise.resolve("ok"))).toBe("ok");
  });
});

describe("CircuitBreaker", () => {
  function breaker() {
    let now = 0;
    const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => now });
    return { b, advance: (ms: number) => (now += ms) };
  }

  it("opens after consecutive failures and refuses during the cool-down", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 2; i++) {
      expect(b.tryAcquire()).toBe(true);
      b.failure();
    }
    expect(b.state).toBe("closed");
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    expect(b.state).toBe("open");
    expect(b.tryAcquire()).toBe(false);
    advance(999);
    expect(b.tryAcquire()).toBe(false);
  });

  it("a success in between resets the count", () => {
    const { b } = breaker();
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.state).toBe("closed");
  });

  it("after the cool-down lets one trial through: success closes, failure reopens", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    advance(1000);
    expect(b.state).toBe("half-open");
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false); // one trial at a time
    b.failure();
    expect(b.state).toBe("open");
    advance(1000);
    expect(b.tryAcquire()).toBe(true);
    b.success();
    expect(b.state).toBe("closed");
    expect(b.tryAcquire()).toBe(true);
  });

  it("a trial that ends without a verdict frees the trial slot", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    advance(1000);
    expect(b.tryAcquire()).toBe(true);
    b.release();
    expect(b.tryAcquire()).toBe(true);
  });
});

describe("retry policy", () => {
  const policy = { maxWaitMs: 2000, defaultWaitMs: 250 };

  it("retries connection errors at once", () => {
    expect(retryDelayMs(new ChatModelError("connection", "socket hang up"), policy)).toBe(0);
  });

  it("honours Retry-After on 429 and 503 up to the cap, else gives up", () => {
    expect(retryDelayMs(new ChatModelError("rate-limited", "429", { retryAfterMs: 1000 }), policy)).toBe(
      1000,
    );
    expect(retryDelayMs(new ChatModelError("unavailable", "503"), policy)).toBe(250);
    expect(
      retryDelayMs(new ChatModelError("unavailable", "503", { retryAfterMs: 30_000 }), policy),
    ).toBeUndefined();
  });

  it.each(["http", "not-found", "auth", "bad-response", "incomplete", "timeout", "aborted"] as const)(
    "does not retry %s",
    (kind) => {
      expect(retryDelayMs(new ChatModelError(kind, kind), policy)).toBeUndefined();
    },
  );

  it("does not retry what is not a model error", () => {
    expect(retryDelayMs(new Error("bug"), policy)).toBeUndefined();
  });

  it("parses Retry-After as seconds, an HTTP date or retry-after-ms", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("2", null, now)).toBe(2000);
    expect(parseRetryAfter("0", null, now)).toBe(0);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", null, now)).toBe(5000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", null, now)).toBe(0);
    expect(parseRetryAfter("7", "150", now)).toBe(150);
    expect(parseRetryAfter("soon", null, now)).toBeUndefined();
    expect(parseRetryAfter("-3", null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, undefined, now)).toBeUndefined();
  });
});

describe("ServerSlots", () => {
  it("starts requests as the server's slots free up, in arrival order", async () => {
    const slots = new ServerSlots(1);
    const started: string[] = [];
    const a = slots.enter();
    const b = slots.enter();
    void a.started.then(() => started.push("a"));
    void b.started.then(() => started.push("b"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(["a"]);
    a.leave();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(["a", "b"]);
    b.leave();
  });

  it("starts everything at once when the slot count is unknown", async () => {
    const slots = new ServerSlots(undefined);
    await Promise.all([slots.enter().started, slots.enter().started]);
  });
});

describe("adjusting to the server", () => {
  it("the limiter follows a new slot count, starting waiters", async () => {
    const limiter = new ConcurrencyLimiter(1, 4);
    const held = gate();
    const first = limiter.run(() => held.promise);
    let second = false;
    const next = limiter.run(async () => {
      second = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBe(false);
    limiter.resize(2);
    await next;
    expect(second).toBe(true);
    held.open();
    await first;
  });

  it("a probe half-opens an open circuit at once", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 600_000 });
    breaker.failure();
    expect(breaker.state).toBe("open");
    breaker.halfOpen();
    expect(breaker.state).toBe("half-open");
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe("closed");
  });
});
