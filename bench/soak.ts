/**
 * `npm run soak`: a benchmark, not a test. Runs the real server (bin/spotlight.js start) against
 * a fake Slack and a fake Discord, a misbehaving fake LocalAI and a real redis-server that is restarted now and then,
 * drives mixed traffic (Slack slash commands and mentions over HTTP, Discord interactions over
 * HTTP, playground questions) for
 * SOAK_SECONDS (default 180), and prints answers lost, p99 ack, the worst first visible reply, the
 * largest event-loop lag the server reported and its RSS growth.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { APP_ID, FakeDiscord } from "../test/fakes/fake-discord.js";
import { type Behaviour, startFakeLocalAI } from "../test/fakes/fake-localai.js";
import {
  appMention,
  eventCallback,
  FakeSlack,
  FORM_CONTENT_TYPE,
  formEncode,
  JSON_CONTENT_TYPE,
  postSigned,
  slashCommandPayload,
} from "../test/fakes/fake-slack.js";
import { freePort } from "../test/redis-server.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const RATE = Number(process.env.SOAK_RPS ?? 6);
const SIGNING_SECRET = "8f742231b10e8888abcd99aa85a5be11";
const FIRST_TOKEN_MS = 5_000;
const LLM_TIMEOUT_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

// The model misbehaves in turn: fine, a megabyte that ignores max_tokens, a stall, overload, slow
// first tokens, an echo of its rules.
const sentence = "KubeVirt runs virtual machines next to containers on Kubernetes [1]. ";
const BEHAVIOURS: [string, Behaviour][] = [
  ["fine", { reply: "Nvidia and Cloudflare use KubeVirt [1].", chunkDelayMs: 20 }],
  ["megabyte", { reply: sentence.repeat(Math.ceil(1_000_000 / sentence.length)) }],
  ["stall", { hang: { afterChunks: 2 } }],
  ["overloaded", { status: 503, retryAfter: 1 }],
  ["slow", { delayMs: 3_000, reply: "vCluster runs virtual clusters [1].", chunkDelayMs: 50 }],
  ["echo", { reply: (req) => `Sure: ${req.messages[0]?.content.slice(0, 400) ?? ""}` }],
];

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.once("error", reject);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("Ready to accept connections")) resolve();
    });
  });
  return child;
}

async function scrape(origin: string): Promise<{ lag: number; rss: number }> {
  const text = await fetch(`${origin}/metrics`).then((r) => r.text());
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, "m").exec(text)?.[1] ?? 0);
  return {
    lag: value("spotlight_nodejs_eventloop_lag_max_seconds"),
    rss: value("spotlight_process_resident_memory_bytes"),
  };
}

async function main(): Promise<void> {
  const slack = new FakeSlack();
  await slack.start();
  const model = await startFakeLocalAI();
  const discord = await new FakeDiscord().start();
  const keys = generateKeyPairSync("ed25519");
  const discordKey = keys.publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("hex");
  const redisPort = await freePort();
  let redis = await startRedis(redisPort);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [path.join(root, "bin", "spotlight.js"), "start"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "error",
      PLAYGROUND: "on",
      SLACK_BOT_TOKEN: "xoxb-soak-bot-token",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      DISCORD_PUBLIC_KEY: discordKey,
      DISCORD_APPLICATION_ID: APP_ID,
      DISCORD_API_URL: discord.restUrl,
      OPENAI_BASE_URL: model.baseURL,
      OPENAI_MODEL: "test-model",
      LLM_TIMEOUT_MS: String(LLM_TIMEOUT_MS),
      LLM_FIRST_TOKEN_TIMEOUT_MS: String(FIRST_TOKEN_MS),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      RATE_LIMIT_PER_USER: "0",
      RATE_LIMIT_PER_CHANNEL: "0",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve) => {
    server.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("Spotlight playground:")) resolve();
    });
  });

  const acks: number[] = [];
  const acksByKind = new Map<string, number[]>();
  const ack = (kind: string, ms: number) => {
    // The playground has no ack: its first byte is its first visible reply (measured below).
    if (kind !== "playground") acks.push(ms);
    acksByKind.set(kind, [...(acksByKind.get(kind) ?? []), ms]);
  };
  const firstVisible: number[] = [];
  const pending = new Map<string, { kind: string; check: () => boolean; explain?: () => string }>();
  let lagMax = 0;
  const first = await scrape(origin);
  let rssLast = first.rss;
  let sent = 0;
  let failedRequests = 0;
  const final = (text: string) => !text.includes("hourglass");
  const answeredIn = (channel: string, threadTs?: string) => () =>
    [...slack.messages.values()].some(
      (m) =>
        m.channel === channel &&
        !m.deleted &&
        (threadTs === undefined || m.thread_ts === threadTs) &&
        final(JSON.stringify(m.blocks ?? m.text)),
    );

  const endpoint = `${origin}/slack/events`;
  const oneRequest = async (n: number) => {
    const kind = n % 5;
    const started = Date.now();
    try {
      if (kind === 0) {
        const id = `p${n}`;
        const res = await postSigned(
          endpoint,
          SIGNING_SECRET,
          formEncode(
            slashCommandPayload({
              command: "/project",
              text: "kubevirt",
              response_url: slack.responseUrl(id),
              channel_id: `CP${n}`,
            }),
          ),
          FORM_CONTENT_TYPE,
        );
        ack("slack /project", res.ms);
        pending.set(id, {
          kind: "slack /project",
          check: () => slack.responses.some((r) => r.id === id && !r.error),
        });
      } else if (kind === 1) {
        const channel = `CA${n}`;
        const res = await postSigned(
          endpoint,
          SIGNING_SECRET,
          formEncode(
            slashCommandPayload({
              command: "/ask",
              text: "Who uses KubeVirt?",
              response_url: slack.responseUrl(`a${n}`),
              channel_id: channel,
            }),
          ),
          FORM_CONTENT_TYPE,
        );
        ack("slack /ask", res.ms);
        pending.set(`a${n}`, {
          kind: "slack /ask",
          check: () => answeredIn(channel)() || slack.responses.some((r) => r.id === `a${n}` && !r.error),
        });
      } else if (kind === 2) {
        const channel = `CM${n}`;
        const event = appMention({ text: "<@U_BOT> which companies use KubeVirt?", channel });
        const res = await postSigned(
          endpoint,
          SIGNING_SECRET,
          JSON.stringify(eventCallback(event)),
          JSON_CONTENT_TYPE,
        );
        ack("slack mention", res.ms);
        pending.set(`m${n}`, { kind: "slack mention", check: answeredIn(channel, String(event.ts)) });
      } else if (kind === 3) {
        const interaction = discord.chatInputInteraction({
          data: { name: "ask", options: [{ name: "question", type: 3, value: "Who uses KubeVirt?" }] },
        });
        discord.dispatch("INTERACTION_CREATE", interaction);
        const body = Buffer.from(JSON.stringify(interaction));
        const timestamp = String(Math.floor(Date.now() / 1000));
        const signature = sign(null, Buffer.concat([Buffer.from(timestamp), body]), keys.privateKey);
        const res = await fetch(`${origin}/discord/interactions`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-signature-ed25519": signature.toString("hex"),
            "x-signature-timestamp": timestamp,
          },
          body,
        });
        const response = (await res.json()) as { type: number };
        ack("discord /ask", Date.now() - started);
        const respondedAt = Date.now();
        // What Discord does with the endpoint's response: applies it as the interaction's callback.
        let applied: number | undefined;
        if (response.type === 5)
          applied = await fetch(
            `${discord.restUrl}/v10/interactions/${interaction.id}/${interaction.token}/callback`,
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(response),
            },
          ).then((r) => r.status);
        pending.set(`d${n}`, {
          kind: "discord /ask",
          check: () =>
            response.type === 4 ||
            discord.calls.some((c) => {
              if (c.method !== "PATCH" || !c.path.includes(interaction.token) || c.status >= 300)
                return false;
              const sent = (c.body ?? {}) as { components?: unknown[]; content?: string };
              return (sent.components ?? []).length > 0 || /restarting/i.test(sent.content ?? "");
            }),
          explain: () =>
            `HTTP response type ${response.type} read at +${respondedAt - started} ms, applied → ${applied ?? "-"}; ${discord.calls
              .filter((c) => c.path.includes(interaction.token))
              .map(
                (c) =>
                  `${c.method} ${c.path.replace(interaction.token, "<token>")} → ${c.status} at +${c.at - started} ms`,
              )
              .join("; ")}`,
        });
      } else {
        const res = await fetch(`${origin}/api/ask`, {
          method: "POST",
          headers: { "content-type": "application/json", host: `localhost:${port}` },
          body: JSON.stringify({ text: "What is vCluster?", conversation: `soak-${n}-conversation` }),
        });
        ack("playground", Date.now() - started);
        let answered = false;
        let shown = false;
        const reader = res.body?.getReader();
        const decoder = new TextDecoder();
        let buffered = "";
        for (;;) {
          const chunk = await reader?.read();
          if (!chunk || chunk.done) break;
          buffered += decoder.decode(chunk.value, { stream: true });
          if (!shown && buffered.includes('"type"')) {
            shown = true;
            firstVisible.push(Date.now() - started);
          }
          if (buffered.includes('"type":"reply"')) answered = true;
        }
        pending.set(`w${n}`, { kind: "playground", check: () => answered });
      }
    } catch {
      failedRequests++;
    }
  };

  const startedAt = Date.now();
  const endsAt = startedAt + SECONDS * 1000;
  const traffic: Promise<void>[] = [];
  let phase = 0;
  let lastPhaseAt = 0;
  let lastRedisAt = startedAt;
  let redisDownSince: number | undefined;
  while (Date.now() < endsAt) {
    const now = Date.now();
    if (now - lastPhaseAt > 8_000) {
      const [name, behaviour] = BEHAVIOURS[phase % BEHAVIOURS.length] as [string, Behaviour];
      model.reset();
      model.behave(behaviour);
      process.stderr.write(`[soak] ${Math.round((now - startedAt) / 1000)}s: model ${name}\n`);
      phase++;
      lastPhaseAt = now;
      // Outbound calls fail now and then: Slack answers 500 or resets.
      slack.failNext("chat.update", { status: 500 }, 2);
      slack.failNextResponse({ status: 503 });
    }
    if (redisDownSince === undefined && now - lastRedisAt > 40_000) {
      redis.kill("SIGKILL");
      redisDownSince = now;
      process.stderr.write(`[soak] ${Math.round((now - startedAt) / 1000)}s: redis stopped\n`);
    } else if (redisDownSince !== undefined && now - redisDownSince > 8_000) {
      redis = await startRedis(redisPort);
      redisDownSince = undefined;
      lastRedisAt = Date.now();
      process.stderr.write(`[soak] ${Math.round((now - startedAt) / 1000)}s: redis restarted\n`);
    }
    traffic.push(oneRequest(sent++));
    const sample = await scrape(origin).catch(() => undefined);
    if (sample) {
      lagMax = Math.max(lagMax, sample.lag);
      rssLast = sample.rss;
    }
    await sleep(1000 / RATE);
  }
  await Promise.all(traffic);
  // Stragglers: the slowest answer takes the model's whole timeout plus the retries' backoff.
  const deadline = Date.now() + LLM_TIMEOUT_MS + 10_000;
  while (Date.now() < deadline && [...pending.values()].some((p) => !p.check())) await sleep(250);
  const lost = [...pending.entries()].filter(([, p]) => !p.check());
  for (const [id, p] of lost) if (p.explain) process.stderr.write(`[soak] lost ${id}: ${p.explain()}\n`);

  server.kill("SIGTERM");
  await new Promise((resolve) => server.once("exit", resolve));
  redis.kill("SIGKILL");
  await model.close();
  await slack.close();
  await discord.close();

  const byKind = new Map<string, number>();
  for (const [, p] of lost) byKind.set(p.kind, (byKind.get(p.kind) ?? 0) + 1);
  const lines = [
    `requests sent:          ${sent} over ${SECONDS}s (${failedRequests} failed to send)`,
    `answers lost:           ${lost.length}${lost.length ? ` (${[...byKind].map(([k, v]) => `${k}: ${v}`).join(", ")})` : ""}`,
    `platform ack p50 / p99 / max: ${percentile(acks, 50)} / ${percentile(acks, 99)} / ${Math.max(0, ...acks)} ms`,
    ...[...acksByKind].map(
      ([kind, values]) =>
        `  ${kind.padEnd(20)} p50 ${percentile(values, 50)} / p99 ${percentile(values, 99)} ms`,
    ),
    `first visible p99 / max (playground): ${percentile(firstVisible, 99)} / ${Math.max(0, ...firstVisible)} ms (first-token timeout ${FIRST_TOKEN_MS} ms)`,
    `max event-loop lag:     ${Math.round(lagMax * 1000)} ms`,
    `RSS growth:             ${Math.round((rssLast - first.rss) / 1024 / 1024)} MiB (${Math.round(first.rss / 1024 / 1024)} -> ${Math.round(rssLast / 1024 / 1024)} MiB)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  process.exitCode = lost.length === 0 ? 0 : 1;
}

await main();
