/**
 * Two Spotlight processes (the built bin, as a Deployment's replicas would run it) on one real
 * redis-server, receiving Slack's HTTP events: a retry that reaches the other replica is answered
 * once, and a follow-up in the thread answered by one replica is answered by the other with the
 * memory the first wrote.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appMention,
  eventCallback,
  FakeSlack,
  JSON_CONTENT_TYPE,
  messageEvent,
  postSigned,
} from "../fakes/fake-slack.js";
import { repoRoot } from "../helpers.js";
import { freePort, type RedisServer, startRedisServer } from "../redis-server.js";

const SIGNING_SECRET = "8f742231b10e8888abcd99aaaaaa85a5";

interface Replica {
  url: string;
  child: ChildProcess;
  output: () => string;
}

let redis: RedisServer;
let slack: FakeSlack;
const replicas: Replica[] = [];

async function startReplica(): Promise<Replica> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(repoRoot, "bin", "spotlight.js"), "start"], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(port),
      HOST: "127.0.0.1",
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      REDIS_URL: redis.url,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += String(d);
  });
  child.stderr?.on("data", (d) => {
    output += String(d);
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, child, output: () => output };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`replica did not become ready:\n${output}`);
}

beforeAll(async () => {
  redis = await startRedisServer();
  slack = new FakeSlack();
  await slack.start();
  replicas.push(await startReplica(), await startReplica());
}, 30_000);

afterAll(async () => {
  await Promise.all(
    replicas.map(
      (r) =>
        new Promise<void>((resolve) => {
          if (r.child.exitCode !== null) return resolve();
          r.child.once("exit", () => resolve());
          r.child.kill("SIGTERM");
        }),
    ),
  );
  await slack?.close();
  await redis?.stop();
});

const post = (replica: Replica, body: unknown, retryNum?: number) =>
  postSigned(`${replica.url}/slack/events`, SIGNING_SECRET, JSON.stringify(body), JSON_CONTENT_TYPE, {
    ...(retryNum ? { retryNum, retryReason: "http_timeout" } : {}),
  });

describe("two replicas on one Redis", () => {
  it("answer a Slack event once when its retry reaches the other replica, and share thread memory", async () => {
    const [a, b] = replicas as [Replica, Replica];
    const mention = appMention({ text: "<@U_BOT> Who uses KubeVirt?", channel: "C9" });
    const event = eventCallback(mention, { event_id: "EvScale1" });
    const deliveries = await Promise.all([post(a, event), post(b, event, 1), post(a, event, 2)]);
    for (const d of deliveries) expect(d.status).toBe(200);

    const [answer] = await slack.waitForCalls("chat.postMessage", 1, 10_000);
    expect(answer?.body).toMatchObject({ channel: "C9", thread_ts: mention.ts });
    expect(JSON.stringify(answer?.body.blocks)).toMatch(/Nvidia/);

    // The follow-up names nothing and reaches the other replica: the thread is known there, and
    // the memory written by the first replica makes "it" KubeVirt.
    const followUp = messageEvent({
      text: "How many GitHub stars does it have?",
      channel: "C9",
      thread_ts: String(mention.ts),
    });
    expect((await post(b, eventCallback(followUp, { event_id: "EvScale2" }))).status).toBe(200);
    const calls = await slack.waitForCalls("chat.postMessage", 2, 10_000);
    expect(calls[1]?.body.thread_ts).toBe(mention.ts);
    expect(JSON.stringify(calls[1]?.body.blocks)).toContain("5,000");

    // Nothing more arrives: exactly one answer per message across both replicas.
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.callsTo("chat.postMessage")).toHaveLength(2);
  }, 30_000);
});
