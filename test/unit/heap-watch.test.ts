import v8 from "node:v8";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type HeapWatch, watchHeap } from "../../src/app/heap-watch.js";

const MB = 1024 * 1024;
let watch: HeapWatch | undefined;
afterEach(() => {
  watch?.stop();
  watch = undefined;
  vi.useRealTimers();
});

/** A heap whose sizes the test sets (in MB), and the collections the watch asked for. */
function scripted(used: number, committed: number) {
  const size = { used, committed };
  const collected: { used: number; committed: number }[] = [];
  return {
    set: (u: number, c: number) => Object.assign(size, { used: u, committed: c }),
    heap: () => ({ used: size.used * MB, committed: size.committed * MB }),
    collect: () => {
      collected.push({ ...size });
      // What is alive, compacted onto as few pages as it needs.
      Object.assign(size, { used: 26, committed: 29 });
    },
    collected,
  };
}

const options = { growthBytes: 4 * MB, quietBytes: MB / 4, intervalMs: 250 };

describe("watchHeap", () => {
  it("waits for the burst to end, then collects once", () => {
    vi.useFakeTimers();
    const heap = scripted(26, 29);
    watch = watchHeap({ ...heap, ...options });
    // Under load the heap moves between every two readings: no collection, however big it gets.
    for (const [used, committed] of [
      [31, 34],
      [38, 40],
      [45, 48],
      [30, 48], // V8's own collection: objects freed, pages kept
      [36, 48],
    ] as const) {
      heap.set(used, committed);
      vi.advanceTimersByTime(250);
    }
    expect(heap.collected).toEqual([]);
    // The burst is over: a reading later the heap has not moved, and 19 MB more is committed.
    vi.advanceTimersByTime(250);
    expect(heap.collected).toEqual([{ used: 36, committed: 48 }]);
    expect(watch.collections).toBe(1);
    // Quiet and back to what is alive: nothing more to do.
    vi.advanceTimersByTime(2_000);
    expect(watch.collections).toBe(1);
  });

  it("leaves a quiet heap that has not grown by the threshold alone", () => {
    vi.useFakeTimers();
    const heap = scripted(26, 29);
    watch = watchHeap({ ...heap, ...options });
    heap.set(29, 32);
    vi.advanceTimersByTime(5_000);
    expect(heap.collected).toEqual([]);
  });

  it("measures growth from the smallest committed size seen, and stops reading when stopped", () => {
    vi.useFakeTimers();
    const heap = scripted(30, 40);
    watch = watchHeap({ ...heap, ...options });
    heap.set(26, 29); // V8's memory reducer gave pages back on its own
    vi.advanceTimersByTime(500);
    expect(heap.collected).toEqual([]);
    heap.set(31, 33);
    vi.advanceTimersByTime(500);
    expect(heap.collected).toEqual([{ used: 31, committed: 33 }]);
    watch.stop();
    heap.set(80, 90);
    vi.advanceTimersByTime(5_000);
    expect(heap.collected).toHaveLength(1);
  });

  it("gives V8's garbage back with V8's own collector", async () => {
    const committed = () => v8.getHeapStatistics().total_heap_size;
    const before = committed();
    watch = watchHeap({ growthBytes: 16 * MB, intervalMs: 50 });
    let garbage: object[] | undefined = Array.from({ length: 400_000 }, (_, i) => ({ i, s: `item ${i}` }));
    const grown = committed();
    expect(garbage.length).toBe(400_000);
    expect(grown).toBeGreaterThan(before + 16 * MB);
    garbage = undefined;
    await vi.waitFor(() => expect(watch?.collections).toBeGreaterThanOrEqual(1), { timeout: 5_000 });
    expect(committed()).toBeLessThan(grown - 16 * MB);
  });

  it("stops watching, and the process goes on, if a collection fails", () => {
    vi.useFakeTimers();
    let size = 20 * MB;
    let calls = 0;
    watch = watchHeap({
      heap: () => ({ used: size, committed: size }),
      collect: () => {
        calls++;
        throw new Error("no collector here");
      },
      growthBytes: 4 * MB,
      intervalMs: 250,
    });
    size = 40 * MB;
    vi.advanceTimersByTime(2_000);
    expect(calls).toBe(1);
    expect(watch.collections).toBe(0);
  });
});
