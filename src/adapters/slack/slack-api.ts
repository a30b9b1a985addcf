import type { webApi } from "@slack/bolt";
import type { Logger } from "../../core/index.js";
import type { KeepAliveFetch } from "../shared/keep-alive-fetch.js";
import type { SlackMessage } from "./render.js";
import {
  retryAfterSeconds,
  SlackCallError,
  type SlackClient,
  SlackRateLimitedError,
} from "./slack-client.js";

export { SlackCallError } from "./slack-client.js";

/** Where a message goes: a channel (or DM), optionally inside a thread. */
export interface Place {
  channel: string;
  threadTs?: string;
}

/** What a POST to a response_url carries. */
export interface ResponseUrlBody {
  response_type?: "ephemeral" | "in_channel";
  replace_original?: boolean;
  delete_original?: boolean;
  text: string;
  blocks?: SlackMessage["blocks"];
}

/** Counters the adapter keeps (rate limits, skipped progress updates, ...). */
export interface SlackApiCounters {
  rateLimited: number;
  skippedUpdates: number;
}

export interface SlackApiOptions {
  /** The longest Retry-After honoured with a retry; longer ones fail the call. */
  maxRetryAfterMs?: number;
  /** Per response_url POST. */
  responseTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Who SlackApi calls: its own client for the calls every answer makes, the WebClient for the rest. */
export interface SlackApiDeps {
  /** chat.postMessage, chat.update, chat.postEphemeral, chat.delete. */
  client: Pick<SlackClient, "call">;
  /** views.open (a 👎 asking why). */
  web: webApi.WebClient;
  /** response_url POSTs. */
  transport: Pick<KeepAliveFetch, "post">;
}

function rateLimitedFor(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, retryAfter } = error as { code?: unknown; retryAfter?: unknown };
  return code === "slack_webapi_rate_limited_error" && typeof retryAfter === "number"
    ? retryAfter
    : undefined;
}

/** The Slack error code of a failed Web API call (`channel_not_found`...), if it has one. */
export function slackErrorCode(error: unknown): string | undefined {
  if (error instanceof SlackCallError) return error.slackError;
  if (typeof error !== "object" || error === null) return undefined;
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === "string" ? data.error : undefined;
}

const RESPONSE_URL_HEADERS = { "content-type": "application/json; charset=utf-8" };

/** Waits before each retry of a response_url POST; their sum stays far inside the URL's validity. */
const RESPONSE_URL_BACKOFF_MS = [250, 1_000, 3_000];

/** A failure worth retrying: the network (connection reset, DNS, timeout) or the server's side (5xx). */
export function isTransient(error: unknown): boolean {
  if (error instanceof SlackCallError) return error.status !== undefined && error.status >= 500;
  if (!(error instanceof Error)) return false;
  return (
    error.name === "TimeoutError" ||
    error.name === "AbortError" ||
    (error instanceof TypeError && /fetch failed|network|socket/i.test(error.message))
  );
}

/** An error with its causes ("fetch failed: connect ECONNREFUSED …"): "fetch failed" alone says nothing. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(typeof code === "string" ? `${current.message} (${code})` : current.message);
      current = (current as { cause?: unknown }).cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(": ");
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The Web API calls the adapter makes, with Slack's rate limits honoured: a 429 pauses that method
 * for Retry-After seconds, the call is retried once after the pause, and calls made meanwhile wait
 * for it instead of hammering Slack. Progress updates are best effort: during a pause they are
 * skipped, never queued. The WebClient must be built with `rejectRateLimitedCalls: true`.
 */
export class SlackApi {
  readonly counters: SlackApiCounters = { rateLimited: 0, skippedUpdates: 0 };
  private readonly pausedUntil = new Map<string, number>();
  private readonly maxRetryAfterMs: number;
  private readonly responseTimeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly deps: SlackApiDeps,
    private readonly logger: Logger,
    options: SlackApiOptions = {},
  ) {
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.responseTimeoutMs = options.responseTimeoutMs ?? 10_000;
    this.sleep = options.sleep ?? sleepFor;
    this.now = options.now ?? Date.now;
  }

  /** Posts a message and returns its ts. */
  async post(place: Place, message: SlackMessage): Promise<string> {
    const result = await this.call("chat.postMessage", false, () =>
      this.deps.client.call("chat.postMessage", {
        channel: place.channel,
        text: message.text,
        blocks: message.blocks,
        ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
        // Sources and reading lists are links; previews of them would bury the answer.
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    if (typeof result?.ts !== "string" || result.ts === "")
      throw new SlackCallError("chat.postMessage returned no ts", "no_ts");
    return result.ts;
  }

  /** Replaces a message the bot posted. Best effort (progress) returns false instead of waiting or throwing. */
  async update(channel: string, ts: string, message: SlackMessage, bestEffort = false): Promise<boolean> {
    const call = () =>
      this.deps.client.call("chat.update", { channel, ts, text: message.text, blocks: message.blocks });
    if (!bestEffort) return (await this.call("chat.update", false, call)) !== undefined;
    try {
      return (await this.call("chat.update", true, call)) !== undefined;
    } catch (error) {
      this.logger.warn({ err: error, slackError: slackErrorCode(error) }, "progress update failed");
      return false;
    }
  }

  async postEphemeral(place: Place, user: string, message: SlackMessage): Promise<void> {
    await this.call("chat.postEphemeral", false, () =>
      this.deps.client.call("chat.postEphemeral", {
        channel: place.channel,
        user,
        text: message.text,
        blocks: message.blocks,
        ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
      }),
    );
  }

  /** Opens a modal; `triggerId` comes from the click and is valid for 3 seconds. */
  async openView(triggerId: string, view: Record<string, unknown>): Promise<void> {
    await this.call("views.open", false, () =>
      this.deps.web.views.open({
        trigger_id: triggerId,
        view: view as unknown as webApi.ViewsOpenArguments["view"],
      }),
    );
  }

  async delete(channel: string, ts: string): Promise<void> {
    await this.call("chat.delete", false, () => this.deps.client.call("chat.delete", { channel, ts }));
  }

  /**
   * POSTs to a slash command's or an action's response_url (at most 5 uses in 30 minutes). A
   * network failure or a 5xx is retried with backoff, well within the URL's 30 minutes: under load
   * a lost answer after the ack is worse than the (rare) duplicate of a post that did arrive.
   */
  async respond(responseUrl: string, body: ResponseUrlBody): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.respondOnce(responseUrl, body);
        return;
      } catch (error) {
        const delay = RESPONSE_URL_BACKOFF_MS[attempt];
        if (!isTransient(error) || delay === undefined) throw error;
        this.logger.warn(
          { attempt: attempt + 1, retryInMs: delay, detail: describeError(error) },
          "response_url call failed; retrying",
        );
        await this.sleep(delay);
      }
    }
  }

  private async respondOnce(responseUrl: string, body: ResponseUrlBody): Promise<void> {
    await this.call("response_url", false, async () => {
      const res = await this.deps.transport.post(
        new URL(responseUrl),
        JSON.stringify(body),
        RESPONSE_URL_HEADERS,
        this.responseTimeoutMs,
      );
      if (res.status === 429) {
        throw new SlackRateLimitedError("response_url", retryAfterSeconds(res.headers["retry-after"]));
      }
      if (res.status < 200 || res.status > 299) {
        let error = `http_${res.status}`;
        try {
          const parsed = JSON.parse(res.text) as { error?: unknown };
          if (typeof parsed.error === "string") error = parsed.error;
        } catch {
          // Not JSON: the status says enough.
        }
        throw new SlackCallError(`response_url answered ${res.status} (${error})`, error, res.status);
      }
      return true;
    });
  }

  private async call<T>(method: string, bestEffort: boolean, fn: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 0; ; attempt++) {
      const wait = (this.pausedUntil.get(method) ?? 0) - this.now();
      if (wait > 0) {
        if (bestEffort) {
          this.counters.skippedUpdates++;
          return undefined;
        }
        await this.sleep(wait);
      }
      try {
        return await fn();
      } catch (error) {
        const retryAfter = rateLimitedFor(error);
        if (retryAfter === undefined) throw error;
        this.counters.rateLimited++;
        const ms = Math.max(0, retryAfter * 1000);
        this.pausedUntil.set(method, Math.max(this.pausedUntil.get(method) ?? 0, this.now() + ms));
        this.logger.warn({ method, retryAfterSeconds: retryAfter, attempt }, "Slack rate limit");
        if (bestEffort) {
          this.counters.skippedUpdates++;
          return undefined;
        }
        // One retry after the pause; a second 429, or a pause too long to wait, fails the call.
        if (attempt >= 1 || ms > this.maxRetryAfterMs) throw error;
      }
    }
  }
}
