// Whole processes, as deployed: `spotlight start` in Slack HTTP mode against a bare Bolt app that
// only acks (bench/bare/bolt-http.mjs), both against the fake Slack on 127.0.0.1, interleaved in
// one run so the ratios hold on a busy machine. Measured: start-up to /healthz 200 and to /readyz
// 200 (Spotlight listens before it is ready; the bare app's /healthz is its readiness), idle RSS,
// sustained throughput and ack latency for 500 signed slash commands in waves of 50 (half /ask,
// half /project), CPU per request, RSS after 1,000 requests; and `spotlight ask` against `node -e 0`.
// RSS and CPU of a child come from /proc (Linux); CPU of a short command from node's own cpuUsage.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  FakeSlack,
  FORM_CONTENT_TYPE,
  formEncode,
  postSigned,
  slashCommandPayload,
} from "../test/fakes/fake-slack.js";
import { type BenchResult, ms, percentile } from "./stats.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SECRET = "8f742231b10e8888abcd99aa85a5be11";
const WAVE = 50;
const REQUESTS = 500;
const ROUNDS = 2;
// Linux's USER_HZ: /proc/<pid>/stat counts CPU in ticks of 10 ms.
const TICK_MS = 10;

type Which = "spotlight" | "bare";

interface Round {
  startupMs: number;
  readyMs: number;
  idleRssMb: number;
  rssAfterMb: number;
  throughput: number;
  acks: number[];
  cpuPerRequestMs: number;
  /** Requests of the measured 500 whose answer (or slow-down note) reached the fake Slack. */
  answered: number;
  /** From the last ack to the last answer of the measured 500. */
  lastAnswerMs: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return line ? Number(line[1]) / 1024 : Number.NaN;
}

function cpuMs(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ${url} said 200`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  throw new Error(`no 200 from ${url} within 30 s`);
}

function launch(which: Which, port: number, fake: FakeSlack, answerLogDir: string): ChildProcess {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    PORT: String(port),
    HOST: "127.0.0.1",
    SLACK_BOT_TOKEN: "xoxb-bench",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.url,
    LOG_LEVEL: "warn",
    // The answer log is on, as deployed, but starts empty each round and stays out of the checkout.
    ANSWER_LOG_DIR: answerLogDir,
  };
  const args =
    which === "spotlight"
      ? [path.join(root, "bin", "spotlight.js"), "start"]
      : [path.join(root, "bench", "bare", "bolt-http.mjs")];
  return spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "inherit"] });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** `count` signed slash commands in waves of 50 concurrent; each one's ack latency. */
async function waves(url: string, fake: FakeSlack, count: number, offset: number): Promise<number[]> {
  const acks: number[] = [];
  for (let start = 0; start < count; start += WAVE) {
    const wave = await Promise.all(
      Array.from({ length: Math.min(WAVE, count - start) }, async (_, j) => {
        const i = offset + start + j;
        const payload = slashCommandPayload({
          command: i % 2 === 0 ? "/ask" : "/project",
          text: i % 2 === 0 ? "Who uses KubeVirt?" : "kubevirt",
          channel_id: `C${i % 7}`,
          user_id: `U${i}`,
          response_url: fake.responseUrl(`r${i}`),
        });
        const res = await postSigned(url, SECRET, formEncode(payload), FORM_CONTENT_TYPE);
        if (res.status !== 200) throw new Error(`ack failed: ${res.status}`);
        return res.ms;
      }),
    );
    acks.push(...wave);
  }
  return acks;
}

async function round(which: Which): Promise<Round> {
  const fake = new FakeSlack({ responseUrlMaxUses: 100 });
  await fake.start();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const answerLogDir = mkdtempSync(path.join(tmpdir(), "spotlight-bench-answers-"));
  const started = performance.now();
  const child = launch(which, port, fake, answerLogDir);
  try {
    await waitFor(`${origin}/healthz`, child);
    const startupMs = performance.now() - started;
    if (which === "spotlight") await waitFor(`${origin}/readyz`, child);
    const readyMs = performance.now() - started;
    const pid = child.pid as number;
    await sleep(1_000);
    const idleRssMb = rssMb(pid);
    await waves(`${origin}/slack/events`, fake, WAVE, 0); // warm-up
    await sleep(500);
    fake.reset();
    const cpuBefore = cpuMs(pid);
    const t0 = performance.now();
    const acks = await waves(`${origin}/slack/events`, fake, REQUESTS, WAVE);
    const elapsed = performance.now() - t0;
    const lastAck = Date.now();
    // Answers finish after their acks: let them, so CPU counts the whole work of each request.
    await sleep(1_000);
    const cpuPerRequestMs = (cpuMs(pid) - cpuBefore) / REQUESTS;
    const { answered, lastAnswerAt } = answersSeen(fake, which, REQUESTS);
    await waves(`${origin}/slack/events`, fake, 1_000 - REQUESTS - WAVE, REQUESTS + WAVE);
    await sleep(1_000);
    return {
      startupMs,
      readyMs,
      idleRssMb,
      rssAfterMb: rssMb(pid),
      throughput: REQUESTS / (elapsed / 1000),
      acks,
      cpuPerRequestMs,
      answered,
      lastAnswerMs: Math.max(0, lastAnswerAt - lastAck),
    };
  } finally {
    await stop(child);
    await fake.close();
    rmSync(answerLogDir, { recursive: true, force: true });
  }
}

/**
 * How many requests were answered since the fake was last reset, and when the last answer came
 * (Date.now()): a /project card or a slow-down note comes through its own response_url, an /ask's
 * answer replaces its placeholder (chat.update; the extractive answerer sends no progress edits).
 * The bare app answers nothing: its requests count as answered at their ack.
 */
function answersSeen(fake: FakeSlack, which: Which, count: number) {
  if (which === "bare") return { answered: count, lastAnswerAt: 0 };
  const byUrl = fake.responses.filter((r) => r.error === undefined);
  const updates = fake.callsTo("chat.update").filter((c) => c.response.ok === true);
  return {
    answered: new Set(byUrl.map((r) => r.id)).size + updates.length,
    lastAnswerAt: Math.max(0, ...byUrl.map((r) => r.at), ...updates.map((c) => c.at)),
  };
}

/** CPU of one short command, by the child's own accounting (bench/bare/cpu-report.mjs). */
function commandCpuMs(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", path.join(root, "bench", "bare", "cpu-report.mjs"), ...args],
      {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let err = "";
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("exit", () => {
      const m = err.match(/cpu-ms ([\d.]+)/);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`no CPU report: ${err.slice(0, 300)}`));
    });
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => percentile(xs, 50);

export async function bench(): Promise<BenchResult> {
  const results: Record<Which, Round[]> = { spotlight: [], bare: [] };
  for (let r = 0; r < ROUNDS; r++) {
    results.bare.push(await round("bare"));
    results.spotlight.push(await round("spotlight"));
  }
  const summary = (rounds: Round[]) => {
    const acks = rounds.flatMap((x) => x.acks);
    return {
      "start-up to /healthz ms": median(rounds.map((x) => x.startupMs)),
      "to /readyz ms": median(rounds.map((x) => x.readyMs)),
      "idle RSS MB": mean(rounds.map((x) => x.idleRssMb)),
      "RSS after 1,000 MB": mean(rounds.map((x) => x.rssAfterMb)),
      "req/s": mean(rounds.map((x) => x.throughput)),
      "ack p50 ms": percentile(acks, 50),
      "ack p99 ms": percentile(acks, 99),
      "CPU/req ms": mean(rounds.map((x) => x.cpuPerRequestMs)),
    };
  };
  const ours = summary(results.spotlight);
  const bare = summary(results.bare);
  const rounded = (o: Record<string, number>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, ms(Number(v.toFixed(1)))]));
  const ratios = Object.fromEntries(
    Object.keys(ours).map((k) => [
      k,
      Number(((ours as Record<string, number>)[k] / (bare as Record<string, number>)[k]).toFixed(2)),
    ]),
  );
  const ask: number[] = [];
  const empty: number[] = [];
  for (let i = 0; i < 3; i++) {
    empty.push(await commandCpuMs(["-e", "0"]));
    ask.push(await commandCpuMs([path.join(root, "bin", "spotlight.js"), "ask", "Who uses KubeVirt?"]));
  }
  return {
    name: `Processes: spotlight start (Slack HTTP) vs bare Bolt; ${REQUESTS} slash commands in waves of ${WAVE}, ${ROUNDS} interleaved rounds`,
    rows: [
      { app: "spotlight", ...rounded(ours) },
      { app: "bare Bolt (ack only)", ...rounded(bare) },
      { app: "ratio spotlight / bare", ...ratios },
    ],
    notes: [
      `spotlight ask CPU: median ${ms(median(ask))} ms; node -e 0: ${ms(median(empty))} ms (3 runs each, interleaved).`,
      `Spotlight's RSS after 1,000 / idle: ${(ours["RSS after 1,000 MB"] / ours["idle RSS MB"]).toFixed(2)}; the bare app's: ${(bare["RSS after 1,000 MB"] / bare["idle RSS MB"]).toFixed(2)}.`,
      "To /readyz: Spotlight listens before it is ready (/healthz 200, /readyz 503 while the knowledge base loads and Slack is checked); the bare app's /healthz is its readiness.",
      `Spotlight answered ${results.spotlight.map((x) => x.answered).join(" and ")} of ${REQUESTS} measured requests (per round); the last answer came ${results.spotlight.map((x) => ms(Math.round(x.lastAnswerMs))).join(" and ")} ms after the last ack.`,
      "Spotlight answers each /ask extractively and each /project with a card through the response_url; the bare app only acks.",
      "Targets (issue 14): req/s ≥ 0.8×, ack p99 ≤ 1.5×, start-up ≤ 1.5×, idle RSS ≤ 100 MB, RSS after 1,000 within 20% of idle, ask ≤ 500 ms CPU.",
    ],
  };
}
