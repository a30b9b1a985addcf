import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ThrottledSender } from "../../src/adapters/shared/throttle.js";

describe("ThrottledSender (Slack-paced)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the first text at once, then at most one update per interval, newest text winning", async () => {
    const sent: string[] = [];
    const updater = new ThrottledSender<string>(
      async (text) => {
        sent.push(text);
      },
      1000,
      undefined,
      () => Date.now(),
    );
    for (let i = 1; i <= 100; i++) updater.push(`text ${i}`);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(["text 1"]);
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toEqual(["text 1"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(["text 1", "text 100"]);
    updater.push("text 101");
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent).toEqual(["text 1", "text 100", "text 101"]);
    expect(updater.sentCount).toBe(3);
  });

  it("keeps one update in flight and sends nothing after close", async () => {
    const sent: string[] = [];
    let release: () => void = () => undefined;
    const updater = new ThrottledSender<string>(
      (text) => {
        sent.push(text);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      10,
      undefined,
      () => Date.now(),
    );
    updater.push("a");
    updater.push("b");
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toEqual(["a"]);
    const closed = updater.close();
    release();
    await closed;
    updater.push("c");
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toEqual(["a"]);
  });

  it("survives a failed update", async () => {
    const sent: string[] = [];
    const updater = new ThrottledSender<string>(
      async (text) => {
        sent.push(text);
        if (text === "a") throw new Error("rate limited");
      },
      10,
      undefined,
      () => Date.now(),
    );
    updater.push("a");
    await vi.advanceTimersByTimeAsync(0);
    updater.push("b");
    await vi.advanceTimersByTimeAsync(20);
    expect(sent).toEqual(["a", "b"]);
    await updater.close();
  });
});

describe("ThrottledSender (Discord-paced)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the first value at once, then only the newest value once per interval", async () => {
    const sent: number[] = [];
    const throttle = new ThrottledSender<number>(
      async (n) => {
        sent.push(n);
      },
      1000,
      undefined,
      () => Date.now(),
    );
    throttle.push(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([1]);
    for (let i = 2; i <= 50; i++) {
      throttle.push(i);
      await vi.advanceTimersByTimeAsync(50); // a token every 50 ms for 2.45 s
    }
    await vi.advanceTimersByTimeAsync(1000);
    // One send per second of simulated time (at 1 s, 2 s, 3 s), each with the newest value then.
    expect(sent).toEqual([1, 21, 41, 50]);
  });

  it("never overlaps sends and lets close() wait for the one in flight", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const sent: string[] = [];
    const throttle = new ThrottledSender<string>(async (value) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 300));
      sent.push(value);
      inFlight--;
    }, 100);
    throttle.push("a");
    await vi.advanceTimersByTimeAsync(150);
    throttle.push("b");
    const closing = throttle.close();
    await vi.advanceTimersByTimeAsync(1000);
    await closing;
    expect(sent).toEqual(["a"]); // "b" was still waiting when the final answer took over
    expect(maxInFlight).toBe(1);
    throttle.push("c");
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual(["a"]);
  });

  it("reports a failed send and keeps going", async () => {
    const errors: unknown[] = [];
    const sent: number[] = [];
    const throttle = new ThrottledSender<number>(
      async (n) => {
        if (n === 1) throw new Error("429");
        sent.push(n);
      },
      10,
      (e) => errors.push(e),
    );
    throttle.push(1);
    await vi.advanceTimersByTimeAsync(5);
    throttle.push(2);
    await vi.advanceTimersByTimeAsync(50);
    expect(errors).toHaveLength(1);
    expect(sent).toEqual([2]);
  });
});
