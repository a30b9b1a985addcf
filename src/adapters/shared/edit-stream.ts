import { type ReplyEvent, StreamedText } from "../../core/index.js";
import { ThrottledSender } from "./throttle.js";

/** Where a streaming answer is shown while it is written: a placeholder message edited in place. */
export interface EditTarget {
  /** Shows the placeholder with the text so far (maybe empty); resolves false when it could not. */
  show(partial: string): Promise<boolean>;
  /** Replaces the placeholder's text with the text so far. */
  edit(partial: string): Promise<void>;
}

export interface EditStreamOptions {
  /** At most one edit per this many ms. */
  intervalMs: number;
  /**
   * With a delay, the placeholder appears only when the answer is slow: once this long has passed
   * or the answer starts streaming, whichever comes first. Without one it is already shown.
   */
  placeholderDelayMs?: number;
  /**
   * Posting the placeholder counts as a write to it: the first edit waits `intervalMs` from then
   * (from construction when the placeholder is already shown). Slack asks for about one write per
   * second per message, and a placeholder edited at once is two writes where one would do.
   */
  spaceFromPlaceholder?: boolean;
  /** A failed edit or placeholder (reported, never fatal: the final answer follows). */
  onError?: (error: unknown) => void;
}

/**
 * The placeholder-when-slow behaviour every platform shares: fast answers are posted once, slow
 * ones show a placeholder that follows the reply's events with throttled edits until the adapter
 * replaces it with the final reply.
 */
export class EditStream {
  private shown: Promise<boolean> | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly edits: ThrottledSender<string>;
  private readonly text = new StreamedText();

  constructor(
    private readonly target: EditTarget,
    private readonly options: EditStreamOptions,
  ) {
    this.edits = new ThrottledSender<string>(
      async (partial) => {
        if (!this.shown) {
          await this.show(partial);
          return;
        }
        if (await this.shown) await target.edit(partial);
      },
      options.intervalMs,
      options.onError,
    );
    if (options.placeholderDelayMs === undefined) {
      this.shown = Promise.resolve(true);
      if (options.spaceFromPlaceholder) this.edits.markSent();
    } else {
      this.timer = setTimeout(() => void this.show(""), options.placeholderDelayMs);
    }
  }

  /** Follows one reply event (the final one is the adapter's to publish). */
  readonly onEvent = (event: ReplyEvent): void => {
    if (event.type === "final") return;
    this.edits.push(this.text.apply(event));
  };

  /** Stops editing; resolves whether a placeholder is showing (the final reply replaces it). */
  async close(): Promise<boolean> {
    clearTimeout(this.timer);
    await this.edits.close();
    return this.shown ? await this.shown : false;
  }

  private show(partial: string): Promise<boolean> {
    if (this.shown) return this.shown;
    // Text arriving while the placeholder is on its way waits for the next edit, an interval on.
    if (this.options.spaceFromPlaceholder) this.edits.markSent();
    this.shown = this.target.show(partial).catch((error: unknown) => {
      this.options.onError?.(error);
      return false;
    });
    return this.shown;
  }
}
