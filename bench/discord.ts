// Time to the deferred response (Discord's 3-second acknowledgement) for concurrent slash commands
// while the language model takes 30 s: through the gateway (real discord.js against the fake
// Discord) and through the HTTP interactions endpoint. The answers are aborted once every defer is
// in, so the run takes seconds, not the model's 30.

import { generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";
import { INTERACTIONS_PATH } from "../src/adapters/discord/http-interactions.js";
import { loadConfig } from "../src/app/config.js";
import type { Runtime } from "../src/app/runtime.js";
import type { Answerer, AnswerInput, AnswerResult } from "../src/core/answer/answerer.js";
import { Bot } from "../src/core/bot.js";
import { loadKnowledgeBase } from "../src/core/knowledge/load.js";
import { silentLogger } from "../src/core/logger.js";
import { HttpServer } from "../src/http/server.js";
import { startDiscord } from "../test/adapter-starters.js";
import { APP_ID, FakeDiscord } from "../test/fakes/fake-discord.js";
import { type BenchResult, ms, percentile } from "./stats.js";

const LLM_MS = 30_000;
const ACK_DEADLINE_MS = 3000;
const TOKEN = "MTE4MDAwMDAwMDAwMDAwMDAwMQ.Gabcde.abcdefghijklmnopqrstuvwxyz0123456789";
const QUESTION = { name: "question", type: 3 as const, value: "Who uses KubeVirt?" };

/** A model that takes 30 s (or until the adapter stops and aborts it). */
class SlowModel implements Answerer {
  async answer(input: AnswerInput): Promise<AnswerResult> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, LLM_MS);
      input.signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return { text: "KubeVirt is used by Nvidia and Cloudflare.", mode: "llm", sources: [] };
  }
}

async function runtimeFor(env: Record<string, string>): Promise<Runtime> {
  const config = loadConfig({ LOG_LEVEL: "silent", ...env });
  const kb = await loadKnowledgeBase(config.dataDir);
  const bot = new Bot({ kb, answerer: new SlowModel() });
  return { config, logger: silentLogger, kb, index: bot.index, bot, close: async () => {} };
}

function row(mode: string, concurrency: number, latencies: number[]): Record<string, string | number> {
  return {
    mode,
    concurrency,
    "p50 ms": ms(percentile(latencies, 50)),
    "p99 ms": ms(percentile(latencies, 99)),
    "max ms": ms(Math.max(...latencies)),
    "over 3 s": latencies.filter((l) => l > ACK_DEADLINE_MS).length,
    "CPU/req ms": "",
  };
}

/** Gateway: from the fake dispatching INTERACTION_CREATE to the deferral callback arriving at it. */
async function gateway(concurrency: number): Promise<number[]> {
  const fake = await new FakeDiscord({ token: TOKEN }).start();
  const runtime = await runtimeFor({
    DISCORD_TOKEN: TOKEN,
    DISCORD_APPLICATION_ID: APP_ID,
    DISCORD_API_URL: fake.restUrl,
  });
  const adapter = await startDiscord(runtime, undefined, { shutdownGraceMs: 0 });
  try {
    const delivered = Array.from(
      { length: concurrency },
      () =>
        fake.deliverInteraction(fake.chatInputInteraction({ data: { name: "ask", options: [QUESTION] } }))
          .data,
    );
    await fake.waitForCalls("POST", /\/callback$/, concurrency, 30_000);
    return delivered.map((d) => {
      const state = fake.interaction(d.id);
      if (!state?.ackedAt || state.responseType !== 5)
        throw new Error(`interaction ${d.id} was not deferred`);
      return state.ackedAt - state.deliveredAt;
    });
  } finally {
    await adapter.stop();
    await fake.close();
  }
}

/** The bare framework for HTTP interactions: verify the Ed25519 signature, defer, nothing else. */
async function bareEd25519(publicKey: KeyObject): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const timestamp = String(req.headers["x-signature-timestamp"] ?? "");
      const signature = Buffer.from(String(req.headers["x-signature-ed25519"] ?? ""), "hex");
      if (!verify(null, Buffer.concat([Buffer.from(timestamp), body]), publicKey, signature)) {
        res.writeHead(401).end();
        return;
      }
      const interaction = JSON.parse(body.toString("utf8")) as { type?: number };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ type: interaction.type === 1 ? 1 : 5 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface HttpSample {
  latencies: number[];
  /** This process's CPU (server and client sides) per request, requests signed beforehand. */
  cpuMs: number;
}

/** HTTP: from sending the signed request to the deferral response arriving, Spotlight's or bare. */
/** A serving endpoint, Spotlight's or the bare one, with its fake Discord, taking waves of requests. */
export interface HttpTarget {
  /** `concurrency` concurrent signed /ask interactions: their latencies and the CPU they cost. */
  wave(concurrency: number): Promise<HttpSample>;
  close(): Promise<void>;
}

/**
 * Opens one endpoint for a whole run, as a deployed process serves for days: the knowledge base
 * loaded and indexed once, its caches warm, rather than a new process per 50 requests.
 */
export async function openHttp(which: "spotlight" | "bare" = "spotlight"): Promise<HttpTarget> {
  const fake = await new FakeDiscord().start();
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const hex = publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("hex");
  let port: number;
  let close: () => Promise<void>;
  if (which === "bare") {
    ({ port, close } = await bareEd25519(publicKey));
  } else {
    const runtime = await runtimeFor({
      DISCORD_PUBLIC_KEY: hex,
      DISCORD_APPLICATION_ID: APP_ID,
      DISCORD_API_URL: fake.restUrl,
    });
    const server = new HttpServer(silentLogger);
    const adapter = await startDiscord(runtime, server, { shutdownGraceMs: 0, restOptions: { retries: 0 } });
    ({ port } = await server.listen(0, "127.0.0.1"));
    close = async () => {
      await adapter.stop();
      await server.close();
    };
  }
  const wave = async (concurrency: number): Promise<HttpSample> => {
    const requests = Array.from({ length: concurrency }, () => {
      const interaction = fake.chatInputInteraction({ data: { name: "ask", options: [QUESTION] } });
      // Discord knows the interactions it sends: their webhooks exist once they are acknowledged.
      fake.dispatch("INTERACTION_CREATE", interaction);
      const body = Buffer.from(JSON.stringify(interaction));
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = sign(null, Buffer.concat([Buffer.from(timestamp), body]), privateKey).toString("hex");
      return { interaction, body, timestamp, signature };
    });
    const cpu = process.cpuUsage();
    const latencies = await Promise.all(
      requests.map(async ({ body, timestamp, signature }) => {
        const started = performance.now();
        const response = await fetch(`http://127.0.0.1:${port}${INTERACTIONS_PATH}`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-signature-ed25519": signature,
            "x-signature-timestamp": timestamp,
          },
          body,
        });
        const json = (await response.json()) as { type?: number };
        if (json.type !== 5) throw new Error(`expected a deferral, got ${JSON.stringify(json)}`);
        return performance.now() - started;
      }),
    );
    // Spotlight's work after the deferral (retrieval, the model call starting) counts too.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const used = process.cpuUsage(cpu);
    // What Discord does with each deferral it received over HTTP: without it every answer's edit
    // would meet an unknown webhook, and the stop at the end would wait out their retries.
    await Promise.all(
      requests.map(({ interaction }) =>
        fetch(`${fake.restUrl}/v10/interactions/${interaction.id}/${interaction.token}/callback`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ type: 5 }),
        }),
      ),
    );
    return { latencies, cpuMs: (used.user + used.system) / 1000 / concurrency };
  };
  return {
    wave,
    async close() {
      await close();
      await fake.close();
    },
  };
}

/** One wave on an endpoint of its own (the single-request latency row). */
async function http(concurrency: number, which: "spotlight" | "bare" = "spotlight"): Promise<HttpSample> {
  const target = await openHttp(which);
  try {
    return await target.wave(concurrency);
  } finally {
    await target.close();
  }
}

export async function bench(): Promise<BenchResult> {
  const rows: Record<string, string | number>[] = [];
  await gateway(5); // warm-up: module loading, JIT, sockets
  for (const concurrency of [1, 50]) {
    rows.push(row("gateway (discord.js)", concurrency, await gateway(concurrency)));
  }
  rows.push(row("HTTP endpoint", 1, (await http(1)).latencies));
  // One endpoint of each kind for the whole run, warmed up, then interleaved waves of 50.
  const targets = { spotlight: await openHttp("spotlight"), bare: await openHttp("bare") };
  const ours: HttpSample[] = [];
  const bare: HttpSample[] = [];
  try {
    await targets.spotlight.wave(50);
    await targets.bare.wave(50);
    // Six rounds: CPU per request over 50 requests moves by ±15% from round to round on a shared machine.
    for (let r = 0; r < 6; r++) {
      bare.push(await targets.bare.wave(50));
      ours.push(await targets.spotlight.wave(50));
    }
  } finally {
    await targets.spotlight.close();
    await targets.bare.close();
  }
  const cpu = (xs: HttpSample[]) => xs.reduce((a, x) => a + x.cpuMs, 0) / xs.length;
  rows.push({
    ...row(
      "HTTP endpoint",
      50,
      ours.flatMap((x) => x.latencies),
    ),
    "CPU/req ms": ms(cpu(ours)),
  });
  rows.push({
    ...row(
      "bare Ed25519 handler",
      50,
      bare.flatMap((x) => x.latencies),
    ),
    "CPU/req ms": ms(cpu(bare)),
  });
  rows.push({
    mode: "ratio HTTP spotlight / bare",
    concurrency: 50,
    "CPU/req ms": Number((cpu(ours) / cpu(bare)).toFixed(2)),
  });
  return {
    name: "Discord: time to the deferred response while the model takes 30 s",
    rows,
    notes: [
      "Gateway times run from the fake dispatching INTERACTION_CREATE to the callback reaching it (ms " +
        "resolution); HTTP times from sending the signed request to its response. Discord allows 3 s; the " +
        "answers themselves would arrive ~30 s later as edits (aborted here once every deferral is in).",
    ],
  };
}
