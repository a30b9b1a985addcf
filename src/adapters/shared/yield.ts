/**
 * Heavy steps (retrieval, answering, rendering) wait here for their turn: one step per turn of the
 * event loop, in the order they asked, with the I/O that arrived meanwhile (requests to
 * acknowledge) handled between two steps.
 *
 * A plain `setImmediate` per step would let a burst of 50 requests run all 50 steps back to back
 * in one check phase, and the 51st request's ack would wait for all of them. Taking one step per
 * turn keeps every ack at most one step behind, and no step waits behind acks for long: each turn
 * still takes one.
 */
const waiting: (() => void)[] = [];
let head = 0;
let scheduled = false;

function takeOne(): void {
  const next = waiting[head];
  waiting[head++] = noop;
  if (head === waiting.length) {
    waiting.length = 0;
    head = 0;
    scheduled = false;
  } else {
    // Under a steady load the queue may never empty: drop the steps already taken now and then.
    if (head >= 1024 && head * 2 >= waiting.length) {
      waiting.splice(0, head);
      head = 0;
    }
    // Scheduled from the check phase, so it runs on the next turn, after that turn's poll for I/O.
    setImmediate(takeOne);
  }
  next?.();
}

const noop = () => {};

/** Resolves on a later turn of the event loop, one waiting step per turn, first come first served. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(takeOne);
    }
  });
}

/** How many steps are waiting for their turn (for tests: the queue empties and starts again). */
export function stepsWaiting(): number {
  return waiting.length - head;
}
