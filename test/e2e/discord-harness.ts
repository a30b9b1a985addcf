/**
 * Runs the real Discord adapter (real discord.js) against the fake Discord, with a Bot over the
 * repository's knowledge base and, when a test needs one, a scripted answerer.
 */

import { afterEach, expect } from "vitest";
import type { DiscordAdapter, DiscordStartOptions } from "../../src/adapters/discord/discord-adapter.js";
import { loadConfig } from "../../src/app/config.js";
import type { Runtime } from "../../src/app/runtime.js";
import type { Answerer, AnswerInput, AnswerResult } from "../../src/core/answer/answerer.js";
import { InMemoryConversationMemory } from "../../src/core/answer/memory.js";
import { Bot, type BotDeps } from "../../src/core/bot.js";
import { silentLogger } from "../../src/core/logger.js";
import type { HttpServer } from "../../src/http/server.js";
import { startDiscord } from "../adapter-starters.js";
import { APP_ID, FakeDiscord, type FakeDiscordOptions, type RecordedCall } from "../fakes/fake-discord.js";
import { loadRepoKb } from "../helpers.js";

/** Shaped like a real bot token so the configuration accepts it; the fake is told to expect it. */
export const TOKEN = "MTE4MDAwMDAwMDAwMDAwMDAwMQ.Gabcde.abcdefghijklmnopqrstuvwxyz0123456789";

export interface Harness {
  fake: FakeDiscord;
  bot: Bot;
  memory: InMemoryConversationMemory;
  adapter: DiscordAdapter;
  runtime: Runtime;
  close(): Promise<void>;
}

export interface HarnessOptions {
  answerer?: Answerer;
  /** Extra environment, e.g. DISCORD_MESSAGE_CONTENT=true. */
  env?: Record<string, string>;
  fake?: FakeDiscordOptions;
  http?: HttpServer;
  start?: DiscordStartOptions;
  /** A Bot subclass, for tests that need the core to be slow where it normally is not. */
  makeBot?: (deps: BotDeps) => Bot;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await new FakeDiscord({ token: TOKEN, ...options.fake }).start();
  try {
    const config = loadConfig({
      DISCORD_TOKEN: TOKEN,
      DISCORD_APPLICATION_ID: APP_ID,
      DISCORD_API_URL: fake.restUrl,
      LOG_LEVEL: "silent",
      ...options.env,
    });
    const kb = await loadRepoKb();
    const memory = new InMemoryConversationMemory();
    const deps: BotDeps = { kb, memory, ...(options.answerer ? { answerer: options.answerer } : {}) };
    const bot = options.makeBot ? options.makeBot(deps) : new Bot(deps);
    const runtime: Runtime = {
      config,
      logger: silentLogger,
      kb,
      index: bot.index,
      bot,
      close: async () => {},
    };
    const adapter = await startDiscord(runtime, options.http, {
      timing: { progressIntervalMs: 20 },
      clientOptions: { rest: { retries: 0 } },
      shutdownGraceMs: 2000,
      ...options.start,
    });
    return {
      fake,
      bot,
      memory,
      adapter,
      runtime,
      async close() {
        await adapter.stop();
        await fake.close();
      },
    };
  } catch (error) {
    await fake.close();
    throw error;
  }
}

/** A promise with its resolver, to hold an answer until the test has seen what it wants. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open: (value: T) => void = () => {};
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** An answerer scripted per test; it counts its calls (autocomplete must never make one). */
export class ScriptedAnswerer implements Answerer {
  calls = 0;
  constructor(private readonly script: (input: AnswerInput) => Promise<AnswerResult> | AnswerResult) {}
  async answer(input: AnswerInput): Promise<AnswerResult> {
    this.calls++;
    return this.script(input);
  }
}

/** Answers with fixed text citing the first retrieved passage. */
export function answerWith(text: string): ScriptedAnswerer {
  return new ScriptedAnswerer((input) => ({
    text,
    mode: "llm",
    sources: input.retrieval.hits.slice(0, 1).map((hit, i) => ({
      n: i + 1,
      articleId: hit.passage.articleId,
      title: hit.passage.articleTitle,
      section: hit.passage.section,
      url: hit.passage.url,
      text: hit.passage.text,
    })),
  }));
}

type JsonRecord = Record<string, unknown>;
const isRecord = (v: unknown): v is JsonRecord => typeof v === "object" && v !== null && !Array.isArray(v);

/** The message a REST call sends or edits, if it sends one (channel messages, interaction answers, webhooks). */
export function sentMessage(call: RecordedCall): JsonRecord | undefined {
  if (!isRecord(call.body)) return undefined;
  if (/\/callback$/.test(call.path)) {
    const type = call.body.type;
    return (type === 4 || type === 7) && isRecord(call.body.data) ? call.body.data : undefined;
  }
  if (call.method === "POST" && /^\/channels\/\d+\/messages$/.test(call.path)) return call.body;
  if (/^\/webhooks\//.test(call.path) && (call.method === "POST" || call.method === "PATCH"))
    return call.body;
  if (call.method === "PATCH" && /^\/channels\/\d+\/messages\/\d+$/.test(call.path)) return call.body;
  return undefined;
}

export const PING = /<@[!&]?\d+>|@(everyone|here)/i;

/** Every message the bot sent pinged nobody: allowed_mentions parse [] and no ping syntax. */
export function expectNoPings(fake: FakeDiscord): number {
  let checked = 0;
  for (const call of fake.calls) {
    const message = sentMessage(call);
    if (message) {
      checked++;
      expect(message.allowed_mentions, `${call.method} ${call.path}`).toMatchObject({ parse: [] });
      const mentions = message.allowed_mentions as JsonRecord;
      if ("replied_user" in mentions) expect(mentions.replied_user).toBe(false);
      expect(JSON.stringify({ ...message, message_reference: undefined })).not.toMatch(PING);
    }
    if (/\/threads$/.test(call.path) && isRecord(call.body)) expect(String(call.body.name)).not.toMatch(PING);
  }
  return checked;
}

/** Calls answering one interaction (its callback, its webhook edits and follow-ups), in order. */
export function callsFor(fake: FakeDiscord, token: string): RecordedCall[] {
  return fake.calls.filter((c) => c.path.includes(`/${token}`));
}

/**
 * A `start` for one test file: each test's harness is closed after it, and every test ends by
 * checking that nothing pinged anyone and the fake saw no protocol error.
 */
export function useHarness(): (options?: HarnessOptions) => Promise<Harness> {
  let harness: Harness | undefined;
  afterEach(async () => {
    const h = harness;
    harness = undefined;
    if (!h) return;
    const errors = [...h.fake.protocolErrors];
    expectNoPings(h.fake);
    await h.close();
    expect(errors).toEqual([]);
  });
  return async (options = {}) => {
    harness = await startHarness(options);
    return harness;
  };
}
