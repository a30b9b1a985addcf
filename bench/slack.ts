// Slash-command ack latency under load: 50 concurrent commands, half `/ask`, half `/project`,
// while the language model takes 30 seconds per answer, for Spotlight's adapter and for a bare
// Bolt app that only acks,
// in HTTP mode (our receiver on the shared server vs Bolt's HTTPReceiver) and in Socket Mode.
// Both run in one process against the fake Slack, so compare the ratio, not absolute numbers.
// The main thread holds the app under test and the load generator (the same for both).

import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { App, LogLevel } from "@slack/bolt";
import type { Answerer, AnswerInput, AnswerResult } from "../src/core/answer/answerer.js";
import { toSources } from "../src/core/answer/sources.js";
import { Bot } from "../src/core/bot.js";
import { loadKnowledgeBase } from "../src/core/knowledge/load.js";
import { silentLogger } from "../src/core/logger.js";
import { HttpServer } from "../src/http/server.js";
import { startSlack } from "../test/adapter-starters.js";
import {
  FakeSlack,
  FORM_CONTENT_TYPE,
  formEncode,
  postSigned,
  slashCommandPayload,
} from "../test/fakes/fake-slack.js";
import { type BenchResult, ms, percentile } from "./stats.js";

const dataDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "data");
const CONCURRENCY = 50;
const WAVES = 10;
const WARMUP = 10;
const LLM_MS = 30_000;
const SECRET = "8f742231b10e8888abcd99aa85a5be11";
const PROJECTS = ["kubevirt", "capi", "vcluster", "kairos", "localai"];

/** Where the Slack side runs: Web API and response_urls, plus Socket Mode's WebSocket. */
interface SlackSide {
  url: string;
  responseUrl(id: string): string;
  close(): Promise<void>;
}

const FAKE_SLACK_THREAD = "fake-slack-thread";

// In HTTP mode the fake Slack runs on a thread of its own: its work (parsing and recording the
// app's Web API calls and response_url posts) stands for Slack's servers and is not the app's, so
// it must not take the app's event loop. Socket Mode keeps it on the main thread, which sends the
// envelopes and times their acks; the bare app makes no Web API calls in either mode.
if (!isMainThread && workerData === FAKE_SLACK_THREAD && parentPort) {
  const port = parentPort;
  const fake = new FakeSlack();
  await fake.start();
  port.postMessage({ url: fake.url, responseBase: fake.responseUrl("") });
  port.once("message", () => {
    void fake.close().then(() => port.close());
  });
}

async function fakeSlackThread(): Promise<SlackSide> {
  // This module again, on a thread with the TypeScript loader the bench runs under.
  const load = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
    .then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(load, { eval: true, workerData: FAKE_SLACK_THREAD });
  const [ready] = (await once(worker, "message")) as [{ url: string; responseBase: string }];
  return {
    url: ready.url,
    responseUrl: (id) => `${ready.responseBase}${encodeURIComponent(id)}`,
    async close() {
      worker.postMessage("close");
      await once(worker, "exit");
    },
  };
}

/** A model that streams a little, then takes 30 s (or until the adapter aborts it at stop). */
class ThirtySecondLlm implements Answerer {
  async answer(input: AnswerInput): Promise<AnswerResult> {
    input.onProgress?.({ text: "Thinking about it" });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, LLM_MS);
      input.signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(input.signal?.reason);
      });
    });
    return {
      text: "Done.",
      mode: "llm",
      sources: toSources(input.retrieval.hits.slice(0, 1).map((h) => h.passage)),
    };
  }
}

export type Send = (i: number) => Promise<number>;

export interface Sample {
  acks: number[];
  /** Acknowledged requests per second over all the waves. */
  throughput: number;
}

/** After a warm-up, WAVES waves of CONCURRENCY concurrent commands, one wave after the other. */
export async function measure(send: Send, offset: number): Promise<Sample> {
  for (let i = 0; i < WARMUP; i++) await send(offset + i);
  const acks: number[] = [];
  const started = performance.now();
  for (let w = 0; w < WAVES; w++) {
    const base = offset + WARMUP + w * CONCURRENCY;
    acks.push(...(await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => send(base + i)))));
  }
  return { acks, throughput: acks.length / ((performance.now() - started) / 1000) };
}

function row(mode: string, app: string, samples: Sample[]): Record<string, string | number> {
  const acks = samples.flatMap((s) => s.acks);
  return {
    mode,
    app,
    requests: acks.length,
    "req/s": ms(Number(mean(samples.map((s) => s.throughput)).toFixed(1))),
    p50_ms: ms(percentile(acks, 50)),
    p99_ms: ms(percentile(acks, 99)),
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function ratio(mode: string, ours: Sample[], bare: Sample[]): Record<string, string | number> {
  const a = ours.flatMap((s) => s.acks);
  const b = bare.flatMap((s) => s.acks);
  return {
    mode,
    app: "ratio spotlight / bare",
    requests: "",
    "req/s": Number((mean(ours.map((s) => s.throughput)) / mean(bare.map((s) => s.throughput))).toFixed(2)),
    p50_ms: Number((percentile(a, 50) / percentile(b, 50)).toFixed(2)),
    p99_ms: Number((percentile(a, 99) / percentile(b, 99)).toFixed(2)),
  };
}

/** Half `/ask` (slow: placeholder, then the model), half `/project` (a card through the response_url). */
const command = (fake: SlackSide, i: number) =>
  slashCommandPayload({
    ...(i % 2 === 0
      ? { command: "/ask", text: "Who uses KubeVirt?" }
      : { command: "/project", text: PROJECTS[(i >> 1) % PROJECTS.length] as string }),
    channel_id: `C${i}`,
    trigger_id: `${Date.now()}.${i}.fake${i.toString(16).padStart(8, "0")}`,
    response_url: fake.responseUrl(`r${i}`),
  });

async function spotlight(fake: SlackSide, mode: "http" | "socket") {
  const kb = await loadKnowledgeBase(dataDir);
  const bot = new Bot({ kb, answerer: new ThirtySecondLlm() });
  const slack = {
    mode,
    botToken: "xoxb-bench",
    ...(mode === "socket" ? { appToken: "xapp-bench" } : { signingSecret: SECRET }),
    apiUrl: fake.url,
    commandPrefix: "",
  };
  const http = mode === "http" ? new HttpServer(silentLogger) : undefined;
  const adapter = await startSlack(
    { bot, logger: silentLogger, config: { slack, logLevel: "silent" } },
    http,
    {
      clientOptions: { retryConfig: { retries: 0 } },
      // Stop aborts the 30-second answers at once.
      stopGraceMs: 0,
    },
  );
  const address = await http?.listen(0, "127.0.0.1");
  return {
    url: address ? `http://127.0.0.1:${address.port}/slack/events` : "",
    async stop() {
      await adapter.stop();
      await http?.close();
    },
  };
}

async function bareBolt(fake: SlackSide, mode: "http" | "socket") {
  const app = new App({
    token: "xoxb-bench",
    ...(mode === "socket" ? { appToken: "xapp-bench", socketMode: true } : { signingSecret: SECRET }),
    tokenVerificationEnabled: false,
    botId: "B1",
    botUserId: "U_BOT",
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
  });
  for (const name of ["/ask", "/project"]) {
    app.command(name, async ({ ack }) => {
      await ack();
    });
  }
  const started = await app.start(0);
  const port = mode === "http" ? ((started as Server).address() as AddressInfo).port : 0;
  return { url: `http://127.0.0.1:${port}/slack/events`, stop: () => app.stop().then(() => undefined) };
}

/** The app under test with its fake Slack, ready to take commands (the profiling driver uses it too). */
export async function open(
  mode: "http" | "socket",
  which: "spotlight" | "bare",
): Promise<{ send: Send; close(): Promise<void> }> {
  let socket: FakeSlack | undefined;
  let fake: SlackSide;
  if (mode === "socket") {
    socket = new FakeSlack();
    await socket.start();
    fake = socket;
  } else {
    fake = await fakeSlackThread();
  }
  const target = which === "spotlight" ? await spotlight(fake, mode) : await bareBolt(fake, mode);
  const close = async () => {
    await target.stop();
    await fake.close();
  };
  try {
    await socket?.waitForConnection(5_000);
  } catch (error) {
    await close();
    throw error;
  }
  const send: Send = socket
    ? async (i) => (await socket.sendEnvelope("slash_commands", command(fake, i))).ms
    : async (i) => {
        const res = await postSigned(target.url, SECRET, formEncode(command(fake, i)), FORM_CONTENT_TYPE);
        if (res.status !== 200) throw new Error(`ack failed: ${res.status}`);
        return res.ms;
      };
  return { send, close };
}

export async function run(mode: "http" | "socket", which: "spotlight" | "bare"): Promise<Sample> {
  const target = await open(mode, which);
  try {
    return await measure(target.send, 0);
  } finally {
    await target.close();
  }
}

export async function bench(): Promise<BenchResult> {
  const rows: Record<string, string | number>[] = [];
  for (const mode of ["http", "socket"] as const) {
    // Interleaved, so both see the same machine load.
    const ours: Sample[] = [];
    const bare: Sample[] = [];
    for (let r = 0; r < 2; r++) {
      bare.push(await run(mode, "bare"));
      ours.push(await run(mode, "spotlight"));
    }
    rows.push(row(mode, "spotlight, LLM takes 30 s", ours), row(mode, "bare Bolt, ack only", bare));
    rows.push(ratio(mode, ours, bare));
  }
  return {
    name: `Slack slash commands: ${WAVES} waves of ${CONCURRENCY} concurrent commands (half /ask, half /project) while the LLM takes 30 s, 2 interleaved rounds`,
    rows,
    notes: [
      "Ack latency is the round trip of a signed POST (HTTP) or from envelope to ack (Socket Mode), measured",
      "after a warm-up, with the load generator in the same process (the fake Slack on its own thread in HTTP",
      "mode, on the main one in Socket Mode). Slack's deadline is 3,000 ms.",
    ],
  };
}
