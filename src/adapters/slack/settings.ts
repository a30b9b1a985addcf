import type { webApi } from "@slack/bolt";
import type { SlackMode } from "./manifest.js";

/** The Slack app's settings (from the environment, through the app's config). */
export interface SlackSettings {
  mode: SlackMode;
  botToken: string;
  appToken?: string;
  signingSecret?: string;
  apiUrl?: string;
  commandPrefix: string;
}

/** Knobs for tests and benchmarks; production uses the defaults. */
export interface SlackAdapterOptions {
  /** Bolt's own log level follows this ("info" by default). */
  logLevel?: string;
  /** Merged over the WebClient defaults (e.g. `retryConfig: { retries: 0 }` in tests). */
  clientOptions?: webApi.WebClientOptions;
  /** At most one progress update per this many ms per message. */
  progressIntervalMs?: number;
  /** A mention's answer shows a placeholder if it is not ready after this long (or starts streaming). */
  placeholderDelayMs?: number;
  /** How long a message or event id is remembered against redelivery. */
  dedupeTtlMs?: number;
  /** How long a thread the bot answered in takes follow-ups without a mention. */
  threadTtlMs?: number;
  maxRetryAfterMs?: number;
  /** How long stop() lets answers in progress finish before aborting them, when it is not told. */
  stopGraceMs?: number;
  now?: () => number;
}

/** Counters: logged at stop, and a metrics endpoint can read them. */
export interface SlackStats {
  commands: number;
  questions: number;
  answers: number;
  duplicates: number;
  ignored: number;
  feedbackUp: number;
  feedbackDown: number;
  rateLimited: number;
  skippedUpdates: number;
  rejectedRequests: number;
  failures: number;
}

/** The counters the handler and responder keep (the API and receiver keep the rest). */
export type SlackCounters = Omit<SlackStats, "rateLimited" | "skippedUpdates" | "rejectedRequests">;

export function emptyCounters(): SlackCounters {
  return {
    commands: 0,
    questions: 0,
    answers: 0,
    duplicates: 0,
    ignored: 0,
    feedbackUp: 0,
    feedbackDown: 0,
    failures: 0,
  };
}

/** Who the bot is in the workspace (from auth.test). */
export interface Identity {
  botUserId: string;
  botId: string;
}

export const HOUR = 60 * 60 * 1000;

export function threadKey(team: string, channel: string, threadTs: string): string {
  return `${team}:${channel}:${threadTs}`;
}
