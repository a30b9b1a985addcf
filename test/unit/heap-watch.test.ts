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

/** A heap whose size the test sets, and the collections the watch asked for. */
function scripted(startMb: number) {
  let size = startMb * MB;
  const collected: number[] = [];
  return {
    set: (mb: number) => {
      size = mb * MB;
    },
    usedHeap: () => size,
    collect: () => {
      collected.push(size / MB);
      size = 30 * MB; // what is alive
    },
    collected,
  };
}

describe("watchHeap", () => {
  it("waits for the burst to end, then collects once", () => {
    vi.useFakeTimers();
    const heap = scripted(30);
    watch = watchHeap({ ...heap, growthBytes: 8 * MB, quietBytes: MB / 4, intervalMs: 250 });
    // Under load the heap moves between every two readings: no collection, however big it gets.
    for (const mb of [34, 39, 45, 52, 50, 57]) {
      heap.set(mb);
      vi.advanceTimersByTime(250);
    }
    expect(heap.collected).toEqual([]);
    // The burst is over: one reading later the heap has not moved, and it is 27 MB past its baseline.
    vi.advanceTimersByTime(250);
    expect(heap.collected).toEqual([57]);
    expect(watch.collections).toBe(1);
    // Quiet and back to what is alive: nothing more to do.
    vi.advanceTimersByTime(2_000);
    expect(watch.collections).toBe(1);
  });

  it("leaves a quiet heap that has not grown by the threshold alone", () => {
    vi.useFakeTimers();
    const heap = scripted(30);
    watch = watchHeap({ ...heap, growthBytes: 8 * MB, intervalMs: 250 });
    heap.set(36);
    vi.advanceTimersByTime(5_000);
    expect(heap.collected).toEqual([]);
  });

  it("measures growth from the smallest heap seen, and stops reading when stopped", () => {
    vi.useFakeTimers();
    const heap = scripted(40);
    watch = watchHeap({ ...heap, growthBytes: 8 * MB, intervalMs: 250 });
    heap.set(31); // V8 collected on its own
    vi.advanceTimersByTime(500);
    heap.set(39);
    vi.advanceTimersByTime(500);
    expect(heap.collected).toEqual([39]);
    watch.stop();
    heap.set(80);
    vi.advanceTimersByTime(5_000);
    expect(heap.collected).toEqual([39]);
  });

  it("gives V8's garbage back with V8's own collector", async () => {
    const used = () => v8.getHeapStatistics().used_heap_size;
    watch = watchHeap({ growthBytes: 16 * MB, intervalMs: 50 });
    let garbage: object[] | undefined = Array.from({ length: 400_000 }, (_, i) => ({ i, s: `item ${i}` }));
    const grown = used();
    expect(garbage.length).toBe(400_000);
    garbage = undefined;
    await vi.waitFor(() => expect(watch?.collections).toBeGreaterThanOrEqual(1), { timeout: 5_000 });
    expect(used()).toBeLessThan(grown - 16 * MB);
  });
});
