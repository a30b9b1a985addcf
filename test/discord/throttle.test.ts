import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LatestValueThrottle } from "../../src/adapters/discord/throttle.js";

describe("LatestValueThrottle", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the first value at once, then only the newest value once per interval", async () => {
    const sent: number[] = [];
    const throttle = new LatestValueThrottle<number>(
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
    const throttle = new LatestValueThrottle<string>(async (value) => {
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
    const throttle = new LatestValueThrottle<number>(
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
