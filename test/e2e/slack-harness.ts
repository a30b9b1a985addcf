/**
 * Runs the real Slack adapter (real @slack/bolt) against the fake Slack, in Socket Mode or on the
 * shared HTTP server, with answerers that stand in for a slow, failing or verbose language model.
 */

import type { AddressInfo } from "node:net";
import type { SlackAdapter, SlackAdapterOptions } from "../../src/adapters/slack/slack-adapter.js";
import type { SlackConfig } from "../../src/app/config.js";
import type { Answerer, AnswerInput, AnswerResult } from "../../src/core/answer/answerer.js";
import { messages } from "../../src/core/answer/messages.js";
import { toSources } from "../../src/core/answer/sources.js";
import type { Bot, BotDeps, Feedback } from "../../src/core/bot.js";
import type { Logger } from "../../src/core/logger.js";
import { HttpServer } from "../../src/http/server.js";
import { startSlack } from "../adapter-starters.js";
import { FakeSlack } from "../fakes/fake-slack.js";
import { createTestBot } from "../helpers.js";

export const SIGNING_SECRET = "8f742231b10e8888abcd99aa85a5be11";
export const BOT_TOKEN = "xoxb-test-bot-token";
export const APP_TOKEN = "xapp-test-app-token";

/** A logger that keeps every line, so tests can check what was (never) logged. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const write = (level: string) => (fields: object, message?: string) => {
      lines.push(
        JSON.stringify({ level, ...bindings, ...fields, msg: message }, (_k, v: unknown) =>
          v instanceof Error ? { message: v.message } : v,
        ),
      );
    };
    return {
      debug: write("debug"),
      info: write("info"),
      warn: write("warn"),
      error: write("error"),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return Object.assign(make({}), { lines });
}

export interface HarnessOptions {
  mode: "socket" | "http";
  answerer?: Answerer;
  prefix?: string;
  adapter?: SlackAdapterOptions;
  logLevel?: string;
  /** More for the bot (e.g. an answer recorder). */
  bot?: Partial<BotDeps>;
}

export interface Harness {
  fake: FakeSlack;
  bot: Bot;
  adapter: SlackAdapter;
  logger: Logger & { lines: string[] };
  feedback: Feedback[];
  /** HTTP mode: the shared server and its /slack/events URL. */
  http?: HttpServer;
  origin?: string;
  endpoint?: string;
  stop(): Promise<void>;
}

export function slackConfig(fake: FakeSlack, mode: "socket" | "http", prefix = ""): SlackConfig {
  return {
    mode,
    botToken: BOT_TOKEN,
    ...(mode === "socket" ? { appToken: APP_TOKEN } : { signingSecret: SIGNING_SECRET }),
    // SLACK_API_URL: the only way the adapter learns where "Slack" is.
    apiUrl: fake.url,
    commandPrefix: prefix,
  };
}

/** Starts a fake Slack and the adapter against it. Stop it in afterEach. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const fake = new FakeSlack();
  await fake.start();
  const logger = memoryLogger();
  const bot = await createTestBot({
    logger,
    ...(options.answerer ? { answerer: options.answerer } : {}),
    ...options.bot,
  });
  const feedback: Feedback[] = [];
  bot.onFeedback((f) => feedback.push(f));
  const runtime = {
    bot,
    logger,
    config: { slack: slackConfig(fake, options.mode, options.prefix), logLevel: options.logLevel ?? "info" },
  };
  const adapterOptions: SlackAdapterOptions = {
    // The fake answers at once; retries would only slow failing tests down.
    clientOptions: { retryConfig: { retries: 0 } },
    stopGraceMs: 2_000,
    ...options.adapter,
  };
  let http: HttpServer | undefined;
  let adapter: SlackAdapter;
  try {
    // As in production, the shared server runs in both modes (health and readiness).
    http = new HttpServer(logger);
    adapter = await startSlack(runtime, http, adapterOptions);
    if (options.mode === "socket") await fake.waitForConnection();
  } catch (error) {
    await fake.close();
    throw error;
  }
  const harness: Harness = {
    fake,
    bot,
    adapter,
    logger,
    feedback,
    async stop() {
      await adapter.stop();
      await http?.close();
      await fake.close();
    },
  };
  if (http) {
    const address: AddressInfo = await http.listen(0, "127.0.0.1");
    harness.http = http;
    harness.origin = `http://127.0.0.1:${address.port}`;
    if (options.mode === "http") harness.endpoint = `${harness.origin}/slack/events`;
  }
  return harness;
}

/** Answers with a fixed text (or one built from the question), citing the top passages: a model stand-in. */
export class ScriptedAnswerer implements Answerer {
  calls = 0;
  constructor(private readonly text: string | ((input: AnswerInput) => string)) {}

  async answer(input: AnswerInput): Promise<AnswerResult> {
    this.calls++;
    const text = typeof this.text === "string" ? this.text : this.text(input);
    return { text, mode: "llm", sources: toSources(input.retrieval.hits.slice(0, 2).map((h) => h.passage)) };
  }
}

/** A clock tests advance by hand, so "30 seconds" pass when the test says so. */
export class ManualClock {
  private time = 0;
  private readonly sleepers: { at: number; resolve: () => void }[] = [];

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleeper = { at: this.time + ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener("abort", () => {
        this.sleepers.splice(this.sleepers.indexOf(sleeper), 1);
        reject(signal.reason);
      });
    });
  }

  advance(ms: number): void {
    this.time += ms;
    for (const sleeper of [...this.sleepers]) {
      if (sleeper.at <= this.time) {
        this.sleepers.splice(this.sleepers.indexOf(sleeper), 1);
        sleeper.resolve();
      }
    }
  }

  get sleeping(): number {
    return this.sleepers.length;
  }
}

/**
 * A model that streams a burst of tokens, then takes `delayMs` (30 seconds by default, on the given
 * clock) before its last words: the slow LLM Slack's 3-second ack deadline must not wait for.
 */
export class SlowLlm implements Answerer {
  started = 0;
  constructor(
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
    private readonly delayMs = 30_000,
    private readonly tokens = 100,
  ) {}

  async answer(input: AnswerInput): Promise<AnswerResult> {
    this.started++;
    let text = "";
    for (let i = 0; i < this.tokens; i++) {
      text += `token${i} `;
      input.onProgress?.({ text });
    }
    await this.sleep(this.delayMs, input.signal);
    text += "and that is the answer.";
    return { text, mode: "llm", sources: toSources(input.retrieval.hits.slice(0, 1).map((h) => h.passage)) };
  }
}

/**
 * A model endpoint that is down: the call fails and the answer falls back to the extractive one,
 * saying so, the way the LLM answerer reports a failed model.
 */
export class DownLlm implements Answerer {
  attempts = 0;
  constructor(private readonly fallback: Answerer) {}

  async answer(input: AnswerInput): Promise<AnswerResult> {
    this.attempts++;
    try {
      // Port 9 (discard) refuses connections, like a LocalAI that is not running.
      await fetch("http://127.0.0.1:9/v1/chat/completions", {
        method: "POST",
        signal: AbortSignal.timeout(2000),
      });
    } catch {
      const result = await this.fallback.answer(input);
      return {
        ...result,
        fallback: "llm-error",
        notice: messages.fallbackNotice[input.language]["llm-error"],
      };
    }
    throw new Error("the model endpoint was expected to be down");
  }
}
