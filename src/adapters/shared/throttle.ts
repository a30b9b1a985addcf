/**
 * Throttles in-place updates of a streaming answer: at most one send per interval and one in
 * flight at a time; the newest value wins and values in between are dropped. Slack allows about
 * one chat.update per second per message, Discord about five edits per five seconds, and a model
 * streams far faster. Every platform's streaming goes through this one class.
 */
export class ThrottledSender<T> {
  private latest: { value: T } | undefined;
  private sent: { value: T } | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Sends actually made (for tests and metrics). */
  sentCount = 0;

  constructor(
    private readonly send: (value: T) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Offers a value; it is sent now, later, or replaced by a newer value before it is sent. */
  push(value: T): void {
    if (this.closed) return;
    this.latest = { value };
    this.schedule();
  }

  /**
   * Counts a write made outside this sender (e.g. posting the message it edits) as a send: the
   * next one waits the interval from now.
   */
  markSent(): void {
    this.lastSentAt = this.now();
  }

  /** Stops sending and waits for a send in flight, so a final edit cannot be overwritten by it. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  private schedule(): void {
    if (this.closed || this.inFlight || this.timer) return;
    const wait = this.lastSentAt + this.intervalMs - this.now();
    if (wait <= 0) this.fire();
    else this.timer = setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    this.timer = undefined;
    const latest = this.latest;
    if (this.closed || latest === undefined || latest.value === this.sent?.value) return;
    this.lastSentAt = this.now();
    this.sentCount++;
    // A lost progress update is harmless: it is reported, and the next one (or the final) follows.
    this.inFlight = this.send(latest.value)
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.inFlight = undefined;
        this.sent = latest;
        if (this.latest?.value !== this.sent.value) this.schedule();
      });
  }
}
