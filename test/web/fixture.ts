import { mountPlayground, type PlaygroundOptions } from "../../src/adapters/web/playground.js";
import type { StreamEvent } from "../../src/adapters/web/wire.js";
import { loadConfig } from "../../src/app/config.js";
import type { Answerer, AnswerInput, AnswerResult } from "../../src/core/answer/answerer.js";
import { ExtractiveAnswerer } from "../../src/core/answer/extractive.js";
import { toSources } from "../../src/core/answer/sources.js";
import { Bot, type BotDeps, type Feedback } from "../../src/core/bot.js";
import { SearchIndex } from "../../src/core/knowledge/search-index.js";
import { silentLogger } from "../../src/core/logger.js";
import { HttpServer } from "../../src/http/server.js";
import { loadRepoKb } from "../helpers.js";

/** A promise with its resolver, to hold an answer half-written until the test has looked. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** What the scripted answerer does for one question. */
export interface Script {
  /** Streamed through onProgress, in order; the answer's text is their concatenation. */
  chunks: string[];
  /** When set, the answer stops after the first chunk until this resolves. */
  hold?: Promise<void>;
  mode?: AnswerResult["mode"];
  notice?: string;
}

/**
 * An answerer that streams what the test scripts, citing the question's real top passages.
 * Unscripted questions get the extractive answer. It stands in for the model so that what
 * reaches the page is exactly what the test chose, unsanitised: the page itself must be safe.
 */
export class ScriptedAnswerer implements Answerer {
  private readonly scripts: Script[] = [];
  readonly questions: string[] = [];
  /** The abort signal of each answer, in order. */
  readonly signals: (AbortSignal | undefined)[] = [];

  constructor(private readonly fallback: Answerer) {}

  enqueue(script: Script): void {
    this.scripts.push(script);
  }

  async answer(input: AnswerInput): Promise<AnswerResult> {
    this.questions.push(input.question);
    this.signals.push(input.signal);
    const script = this.scripts.shift();
    if (!script) return this.fallback.answer(input);
    let text = "";
    for (const [i, chunk] of script.chunks.entries()) {
      text += chunk;
      input.onProgress?.({ text });
      if (i === 0 && script.hold) await script.hold;
    }
    const result: AnswerResult = {
      text,
      mode: script.mode ?? "llm",
      sources: toSources(input.retrieval.hits.slice(0, 2).map((h) => h.passage)),
    };
    if (script.notice) result.notice = script.notice;
    return result;
  }
}

export interface Playground {
  url: string;
  bot: Bot;
  answerer: ScriptedAnswerer;
  feedback: Feedback[];
  close(): Promise<void>;
}

/** A real HttpServer on a free loopback port with the playground mounted over the repository's knowledge base. */
export async function startPlayground(
  options: {
    env?: Record<string, string>;
    bot?: Partial<BotDeps>;
    playground?: Partial<PlaygroundOptions>;
  } = {},
): Promise<Playground> {
  const kb = await loadRepoKb();
  const config = loadConfig({ PORT: "0", ...options.env });
  const index = new SearchIndex(kb);
  const answerer = new ScriptedAnswerer(new ExtractiveAnswerer(index));
  const bot = new Bot({ kb, index, answerer, ...options.bot });
  const feedback: Feedback[] = [];
  bot.onFeedback((f) => feedback.push(f));
  const http = new HttpServer(silentLogger);
  mountPlayground({ logger: silentLogger, bot }, http, {
    host: config.host,
    ...(config.playground.token ? { token: config.playground.token } : {}),
    ...options.playground,
  });
  const address = await http.listen(0, config.host);
  return {
    url: `http://${config.host}:${address.port}/`,
    bot,
    answerer,
    feedback,
    close: () => http.close(),
  };
}

/** Parses a newline-delimited JSON body into stream events. */
export function parseNdjson(body: string): StreamEvent[] {
  return body
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as StreamEvent);
}
