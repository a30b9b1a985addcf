/**
 * Throttles in-place updates of a streaming answer: at most one update per interval and one in
 * flight at a time; the newest text wins and texts in between are dropped. Slack allows about one
 * chat.update per second per message (Tier 3 with bursts), and a model streams far faster.
 */
export class ThrottledUpdater {
  private latest: string | undefined;
  private sent: string | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Updates actually sent (for tests and metrics). */
  sentCount = 0;

  constructor(
    private readonly send: (text: string) => Promise<void>,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Offers the text so far; it is sent now, later, or replaced by newer text before it is sent. */
  push(text: string): void {
    if (this.closed) return;
    this.latest = text;
    this.schedule();
  }

  /** Stops updating and waits for an update in flight, so a final edit cannot be overwritten by it. */
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
    const text = this.latest;
    if (this.closed || text === undefined || text === this.sent) return;
    this.lastSentAt = this.now();
    this.sentCount++;
    // send() reports its own failures; a lost progress update is harmless.
    this.inFlight = this.send(text)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
        this.sent = text;
        if (this.latest !== this.sent) this.schedule();
      });
  }
}
