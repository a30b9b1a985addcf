import { describe, expect, it, vi } from "vitest";
import { WorkTracker } from "../../src/adapters/shared/work-tracker.js";

/** Work that waits until its signal is aborted, recording the signal it was given. */
function waitForAbort(signals: AbortSignal[]) {
  return (signal: AbortSignal) => {
    signals.push(signal);
    return new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  };
}

describe("WorkTracker", () => {
  it("gives each task a signal of its own and aborts them all when the grace period is over", async () => {
    const tracker = new WorkTracker();
    const signals: AbortSignal[] = [];
    const failures: unknown[] = [];
    for (let i = 0; i < 3; i++) tracker.run(waitForAbort(signals), (e) => failures.push(e));
    // Each task starts on a turn of the event loop of its own.
    await vi.waitFor(() => expect(signals).toHaveLength(3));
    expect(new Set(signals).size).toBe(3);
    expect(signals.some((s) => s.aborted)).toBe(false);

    expect(await tracker.drain(10, 1_000)).toBe(false);
    expect(signals.every((s) => s.aborted)).toBe(true);
    expect(tracker.signal.aborted).toBe(true);
    expect(signals.map((s) => (s.reason as Error).message)).toEqual(Array(3).fill("adapter stopping"));
    expect(tracker.size).toBe(0);
    expect(failures).toEqual([]);
  });

  it("hands work run after the abort a signal already aborted", async () => {
    const tracker = new WorkTracker();
    tracker.run(waitForAbort([]), () => {});
    expect(await tracker.drain(0, 1_000)).toBe(false);
    const seen: boolean[] = [];
    tracker.run(
      async (signal) => {
        seen.push(signal.aborted);
      },
      () => {},
    );
    await tracker.idle();
    expect(seen).toEqual([true]);
  });

  it("reports a failed task to its error handler and forgets it", async () => {
    const tracker = new WorkTracker();
    const failures: unknown[] = [];
    tracker.run(
      async () => {
        throw new Error("boom");
      },
      (e) => failures.push(e),
    );
    await tracker.idle();
    expect((failures[0] as Error).message).toBe("boom");
    expect(tracker.size).toBe(0);
  });

  it("hands out task signals of their own for work tracked with add, aborted by the drain until done", async () => {
    const tracker = new WorkTracker();
    const running = tracker.taskSignal();
    const finished = tracker.taskSignal();
    expect(running.signal).not.toBe(finished.signal);
    finished.done();
    tracker.add(new Promise<void>((resolve) => running.signal.addEventListener("abort", () => resolve())));
    expect(await tracker.drain(10, 1_000)).toBe(false);
    expect(running.signal.aborted).toBe(true);
    // A task that had ended is no longer the drain's to abort.
    expect(finished.signal.aborted).toBe(false);
    // After the drain, a new task starts aborted.
    expect(tracker.taskSignal().signal.aborted).toBe(true);
  });
});
