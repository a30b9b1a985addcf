import { setMaxListeners } from "node:events";
import { yieldToEventLoop } from "./yield.js";

/** An abort signal of one task's own, aborted with its tracker's; `done` when the task ends. */
export interface TaskSignal {
  signal: AbortSignal;
  done(): void;
}

/**
 * Work in progress of one adapter, for the shutdown drain every platform does the same way: stop
 * receiving, let answers in progress finish within the grace period, then abort the rest.
 */
export class WorkTracker {
  private readonly tasks = new Set<Promise<void>>();
  private readonly aborter = new AbortController();
  /** One controller per task run here: see `run`. */
  private readonly controllers = new Set<AbortController>();

  constructor() {
    // Discord and the playground listen on this one signal; dozens at once are normal, not a leak.
    setMaxListeners(0, this.aborter.signal);
  }

  /** Aborted when the drain's grace period is over. */
  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  get size(): number {
    return this.tasks.size;
  }

  /**
   * Runs `work` after the current round of I/O and tracks it; failures go to `onError`. Each task
   * gets a signal of its own, aborted with the tracker's: an EventTarget checks every listener it
   * holds for a duplicate when one is added, so hundreds of answers waiting on a model, each
   * listening on one shared signal, would make every new request pay for all the others.
   */
  run(work: (signal: AbortSignal) => Promise<void>, onError: (error: unknown) => void): void {
    const task = this.taskSignal();
    // A burst of requests gets all its acknowledgements out before any of them starts answering.
    this.add(
      yieldToEventLoop()
        .then(() => work(task.signal))
        .catch(onError)
        .finally(task.done),
    );
  }

  /**
   * A signal for one task, aborted when the drain's grace period is over, for work tracked with
   * `add`: one of its own, never a listener on the tracker's (see `run`).
   */
  taskSignal(): TaskSignal {
    const controller = new AbortController();
    if (this.aborter.signal.aborted) controller.abort(this.aborter.signal.reason);
    else this.controllers.add(controller);
    return { signal: controller.signal, done: () => this.controllers.delete(controller) };
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
    const reason = new Error("adapter stopping");
    this.aborter.abort(reason);
    for (const controller of this.controllers) controller.abort(reason);
    this.controllers.clear();
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
