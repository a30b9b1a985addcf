import type { AnsweredThreads, Bot, Deduplicator, Logger } from "../core/index.js";
import type { HttpRoutes } from "./shared/http.js";

/** What the app hands every adapter when it starts: the bot, and the process's shared pieces. */
export interface AdapterContext {
  bot: Bot;
  logger: Logger;
  /** The process's HTTP server, for platforms that receive over HTTP (and readiness checks). */
  http?: HttpRoutes;
  /** Shared with other replicas (Redis) so each event is answered once across them. */
  dedupe?: Deduplicator;
  /** Threads the bot answered in, shared with other replicas, for follow-ups without a mention. */
  threads?: AnsweredThreads;
}

/**
 * The contract every platform implements (Slack, Discord, the web playground, the terminal chat).
 * An adapter only translates: platform events to bot requests, reply parts to platform messages.
 * Its settings come through its constructor; what it shares with the process, through `start`.
 */
export interface Adapter {
  readonly name: string;
  /** Connects (or mounts its routes) and resolves once it takes requests; fails on bad settings. */
  start(context: AdapterContext): Promise<void>;
  /**
   * Stops taking requests, lets answers in progress finish within `graceMs`, aborts the rest,
   * then disconnects. Safe to call twice, and before `start` finished.
   */
  stop(graceMs: number): Promise<void>;
}
