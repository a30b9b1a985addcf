import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ThrottledUpdater } from "../../src/adapters/slack/progress.js";

describe("ThrottledUpdater", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends the first text at once, then at most one update per interval, newest text winning", async () => {
    const sent: string[] = [];
    const updater = new ThrottledUpdater(
      async (text) => {
        sent.push(text);
      },
      1000,
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
    const updater = new ThrottledUpdater(
      (text) => {
        sent.push(text);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      10,
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
    const updater = new ThrottledUpdater(
      async (text) => {
        sent.push(text);
        if (text === "a") throw new Error("rate limited");
      },
      10,
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
