import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EditStream } from "../../src/adapters/shared/edit-stream.js";

type Write = { kind: "show" | "edit"; text: string; at: number };

function target(writes: Write[], showMs = 0) {
  return {
    show: async (text: string) => {
      if (showMs > 0) await new Promise((resolve) => setTimeout(resolve, showMs));
      writes.push({ kind: "show", text, at: Date.now() });
      return true;
    },
    edit: async (text: string) => {
      writes.push({ kind: "edit", text, at: Date.now() });
    },
  };
}

describe("EditStream spacing its writes from the placeholder", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("edits a placeholder posted just before an interval after it, not at once", async () => {
    const writes: Write[] = [];
    const stream = new EditStream(target(writes), { intervalMs: 1_000, spaceFromPlaceholder: true });
    stream.onEvent({ type: "delta", text: "Thinking" });
    await vi.advanceTimersByTimeAsync(999);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toEqual([{ kind: "edit", text: "Thinking", at: 1_000 }]);
    await stream.close();
  });

  it("posts text that arrives before the placeholder in the placeholder itself: one write, not two", async () => {
    const writes: Write[] = [];
    const stream = new EditStream(target(writes), {
      intervalMs: 1_000,
      placeholderDelayMs: 1_500,
      spaceFromPlaceholder: true,
    });
    stream.onEvent({ type: "delta", text: "Hello" });
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual([{ kind: "show", text: "Hello", at: 0 }]);
    stream.onEvent({ type: "delta", text: ", world" });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(writes).toEqual([
      { kind: "show", text: "Hello", at: 0 },
      { kind: "edit", text: "Hello, world", at: 1_000 },
    ]);
    expect(await stream.close()).toBe(true);
  });

  it("holds text arriving while a slow answer's placeholder is on its way for the next interval", async () => {
    const writes: Write[] = [];
    const stream = new EditStream(target(writes, 200), {
      intervalMs: 1_000,
      placeholderDelayMs: 1_500,
      spaceFromPlaceholder: true,
    });
    await vi.advanceTimersByTimeAsync(1_550);
    stream.onEvent({ type: "delta", text: "Starting" });
    await vi.advanceTimersByTimeAsync(200);
    expect(writes).toEqual([{ kind: "show", text: "", at: 1_700 }]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(writes).toEqual([
      { kind: "show", text: "", at: 1_700 },
      { kind: "edit", text: "Starting", at: 2_500 },
    ]);
    await stream.close();
  });

  it("without the option, edits a shown placeholder at once (Discord's deferred reply)", async () => {
    const writes: Write[] = [];
    const stream = new EditStream(target(writes), { intervalMs: 1_000 });
    stream.onEvent({ type: "delta", text: "Thinking" });
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual([{ kind: "edit", text: "Thinking", at: 0 }]);
    await stream.close();
  });
});
