/**
 * Resolves on the event loop's next check phase, after the I/O already waiting has been handled.
 * Heavy work (retrieval, answering, rendering) awaits it before starting, so acknowledgements that
 * arrived meanwhile go out first instead of queueing behind it.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
