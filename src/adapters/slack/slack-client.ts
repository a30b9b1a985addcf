import type { Logger } from "../../core/index.js";
import type { KeepAliveFetch, TextResponse } from "../shared/keep-alive-fetch.js";

/** A Slack error carrying what Slack said, e.g. `message_not_found` or an HTTP status. */
export class SlackCallError extends Error {
  constructor(
    message: string,
    readonly slackError: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "SlackCallError";
  }
}

/** A 429: `code` and `retryAfter` (seconds) as the WebClient's rate-limit error has them. */
export class SlackRateLimitedError extends SlackCallError {
  readonly code = "slack_webapi_rate_limited_error";

  constructor(
    where: string,
    readonly retryAfter: number,
  ) {
    super(`${where} rate limited: retry after ${retryAfter} s`, "ratelimited", 429);
    this.name = "SlackRateLimitedError";
  }
}

/** Slack's answer to a Web API call that succeeded (`ok: true`). */
export type SlackResult = Record<string, unknown> & { ok: true };

export interface SlackClientOptions {
  /** The bot token, sent as `Authorization: Bearer …`, never in a body or a log. */
  token: string;
  /** Ends with `/` (`https://slack.com/api/` by default). */
  apiUrl?: string;
  transport: Pick<KeepAliveFetch, "post">;
  logger: Logger;
  /** Waits before each retry of a failure on the way (network, a status other than 200 and 429). */
  retryDelaysMs?: readonly number[];
  /** Per attempt; 0 waits as long as the socket lives. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The retry schedule of a WebClient `retryConfig` (p-retry's: minTimeout × factor^n, capped). */
export function retryDelays(config: {
  retries?: number;
  factor?: number;
  minTimeout?: number;
  maxTimeout?: number;
}): number[] {
  const { retries = 10, factor = 2, minTimeout = 1_000, maxTimeout = Number.POSITIVE_INFINITY } = config;
  return Array.from({ length: retries }, (_, n) => Math.min(minTimeout * factor ** n, maxTimeout));
}

/** Retry-After in seconds; Slack always sends one with a 429, 1 s when it is missing or unreadable. */
export function retryAfterSeconds(value: string | string[] | undefined): number {
  const seconds = Number(Array.isArray(value) ? value[0] : value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 1;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The Web API methods every answer calls (chat.postMessage, chat.update, …) as JSON POSTs on
 * keep-alive sockets. It replaces `@slack/web-api`'s WebClient on that path, whose request queue,
 * retry wrapper, debug strings and form encoding cost several times the request itself; rarer
 * calls (auth.test, views.open, Bolt's own) still go through the WebClient. It fails as the
 * WebClient does: `ok: false` is a SlackCallError with Slack's error code (not retried), a 429 a
 * SlackRateLimitedError with Retry-After (not retried here: SlackApi pauses the method), a network
 * failure or another status is retried on the WebClient's schedule.
 */
export class SlackClient {
  private readonly apiUrl: string;
  private readonly headers: Record<string, string>;
  private readonly retryDelaysMs: readonly number[];
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: SlackClientOptions) {
    this.apiUrl = options.apiUrl ?? "https://slack.com/api/";
    this.headers = {
      "content-type": "application/json; charset=utf-8",
      authorization: `Bearer ${options.token}`,
      "user-agent": "spotlight",
    };
    this.retryDelaysMs =
      options.retryDelaysMs ?? retryDelays({ retries: 2, minTimeout: 500, maxTimeout: 5_000 });
    this.sleep = options.sleep ?? sleepFor;
  }

  /** Calls a Web API method that takes a JSON body. */
  async call(method: string, args: Record<string, unknown>): Promise<SlackResult> {
    const url = new URL(`${this.apiUrl}${method}`);
    const body = JSON.stringify(args);
    for (let attempt = 0; ; attempt++) {
      let res: TextResponse;
      try {
        res = await this.options.transport.post(url, body, this.headers, this.options.timeoutMs);
        if (res.status === 429)
          throw new SlackRateLimitedError(method, retryAfterSeconds(res.headers["retry-after"]));
        if (res.status !== 200) {
          throw new SlackCallError(`${method} answered HTTP ${res.status}`, `http_${res.status}`, res.status);
        }
      } catch (error) {
        const delay = this.retryDelaysMs[attempt];
        if (error instanceof SlackRateLimitedError || delay === undefined) throw error;
        this.options.logger.warn(
          { method, attempt: attempt + 1, retryInMs: delay, detail: (error as Error).message },
          "Slack call failed; retrying",
        );
        await this.sleep(delay);
        continue;
      }
      return this.result(method, res.text);
    }
  }

  private result(method: string, text: string): SlackResult {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new SlackCallError(`${method} answered something other than JSON`, "invalid_response");
    }
    const result = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const metadata = result.response_metadata as { warnings?: unknown; messages?: unknown } | undefined;
    if (metadata?.warnings !== undefined || metadata?.messages !== undefined) {
      this.options.logger.warn(
        { method, warnings: metadata.warnings, messages: metadata.messages },
        "Slack warns",
      );
    }
    if (result.ok !== true) {
      const code = typeof result.error === "string" ? result.error : "unknown_error";
      throw Object.assign(new SlackCallError(`${method} failed: ${code}`, code), { data: result });
    }
    return result as SlackResult;
  }
}
