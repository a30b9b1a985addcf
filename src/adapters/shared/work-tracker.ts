import { setMaxListeners } from "node:events";
import { yieldToEventLoop } from "./yield.js";

/**
 * Work in progress of one adapter, for the shutdown drain every platform does the same way: stop
 * receiving, let answers in progress finish within the grace period, then abort the rest.
 */
export class WorkTracker {
  private readonly tasks = new Set<Promise<void>>();
  private readonly aborter = new AbortController();

  constructor() {
    // Every answer in progress listens on this one signal; dozens at once are normal, not a leak.
    setMaxListeners(0, this.aborter.signal);
  }

  /** Aborted when the drain's grace period is over. */
  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  get size(): number {
    return this.tasks.size;
  }

  /** Runs `work` after the current round of I/O and tracks it; failures go to `onError`. */
  run(work: (signal: AbortSignal) => Promise<void>, onError: (error: unknown) => void): void {
    // A burst of requests gets all its acknowledgements out before any of them starts answering.
    this.add(
      yieldToEventLoop()
        .then(() => work(this.signal))
        .catch(onError),
    );
  }

  /** Tracks work already started. */
  add(work: Promise<void>): void {
    const task = work.finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  /** Resolves when nothing is in progress (work started meanwhile included). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  /** Waits up to `graceMs` for work in progress, then aborts what is left; true when all finished. */
  async drain(graceMs: number, afterAbortMs = 1_000): Promise<boolean> {
    if (await this.idleWithin(graceMs)) return true;
    this.aborter.abort(new Error("adapter stopping"));
    await this.idleWithin(afterAbortMs);
    return false;
  }

  private async idleWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      this.idle().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
    clearTimeout(timer);
    return finished;
  }
}
