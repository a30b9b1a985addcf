/**
 * Sends the latest of a stream of values at most once per interval, one send at a time. Streaming
 * answers produce a value per token; Discord allows about five edits per five seconds per message,
 * so intermediate values are dropped and only the newest is sent.
 */
export class LatestValueThrottle<T> {
  private latest: { value: T } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly send: (value: T) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Offers a value; it is sent now, later (coalesced with newer ones), or never if closed first. */
  push(value: T): void {
    if (this.closed) return;
    this.latest = { value };
    if (this.timer) return;
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  /** Stops sending and resolves once a send in flight is done, so a final update lands after it. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.latest = undefined;
    await this.chain;
  }

  private flush(): void {
    const latest = this.latest;
    if (!latest || this.closed) return;
    this.latest = undefined;
    this.chain = this.chain.then(async () => {
      if (this.closed) return;
      this.lastSentAt = this.now();
      try {
        await this.send(latest.value);
      } catch (error) {
        this.onError(error);
      }
    });
  }
}
