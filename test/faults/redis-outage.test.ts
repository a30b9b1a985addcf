/**
 * A real redis-server stopped and restarted under the shared state: every call still answers, from
 * this replica's own state, and the outage shows on /readyz's body and in /metrics.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Logger, silentLogger } from "../../src/core/logger.js";
import { PrometheusMetrics } from "../../src/http/metrics.js";
import { createSharedState, type SharedState } from "../../src/stores/shared-state.js";
import { freePort } from "../redis-server.js";

let port: number;
let child: ChildProcess | undefined;
let shared: SharedState;

async function startRedis(): Promise<void> {
  const proc = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child = proc;
  await new Promise<void>((resolve, reject) => {
    let output = "";
    proc.once("error", reject);
    proc.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) resolve();
    });
  });
}

async function stopRedis(): Promise<void> {
  const proc = child;
  child = undefined;
  if (!proc || proc.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    proc.once("exit", () => resolve());
    proc.kill("SIGKILL");
  });
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await condition()); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await condition()).toBe(true);
}

const logger: Logger = silentLogger;

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  shared = await createSharedState(`redis://127.0.0.1:${port}`, logger);
  await until(async () => (await shared.ready()) === undefined);
});

afterAll(async () => {
  await shared?.close();
  await stopRedis();
});

describe("shared state through a Redis outage", () => {
  it("answers every call from local state while Redis is down, and uses Redis again once it is back", async () => {
    // Claimed while Redis is up: a redelivery during the outage is still refused on this replica.
    expect(await shared.dedupe.claim("slack:event:E1", 60_000)).toBe(true);
    await shared.memory.append("slack:T:C:1", {
      question: "q1",
      answer: "a1",
      projectIds: [],
      at: Date.now(),
    });

    await stopRedis();

    expect(await shared.dedupe.claim("slack:event:E1", 60_000)).toBe(false);
    expect(await shared.dedupe.claim("slack:event:E2", 60_000)).toBe(true);
    expect(await shared.dedupe.claim("slack:event:E2", 60_000)).toBe(false);
    const decision = await shared.rateLimiter.take("user:U1", 2, 60_000);
    expect(decision.allowed).toBe(true);
    await shared.rateLimiter.take("user:U1", 2, 60_000);
    expect((await shared.rateLimiter.take("user:U1", 2, 60_000)).allowed).toBe(false);
    // Memory written before the outage was mirrored locally: the thread keeps its context.
    expect((await shared.memory.get("slack:T:C:1")).length).toBe(1);
    await shared.answerCache.set("k", { text: "cached", mode: "llm", sources: [] });
    expect((await shared.answerCache.get("k"))?.text).toBe("cached");
    await shared.threads.remember("T:C:1", 60_000);
    expect(await shared.threads.has("T:C:1")).toBe(true);

    expect(shared.status().up).toBe(false);
    expect(shared.status().fallbacks).toBeGreaterThan(0);
    const report = (await shared.ready()) as { ready: boolean; problem: string };
    // Still ready (it answers), with the outage in the body.
    expect(report.ready).toBe(true);
    expect(report.problem).toMatch(/redis/);

    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    metrics.watchSharedState(() => shared.status());
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/spotlight_shared_state_up 0/);
    expect(text).toMatch(/spotlight_shared_state_fallbacks [1-9]/);

    await startRedis();
    await until(async () => {
      await shared.dedupe.claim(`probe:${Math.random()}`, 1_000);
      return shared.status().up;
    });
    expect(await shared.ready()).toBeUndefined();
    expect(await metrics.registry.metrics()).toMatch(/spotlight_shared_state_up 1/);
  });
});
