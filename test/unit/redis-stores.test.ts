import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MEMORY_LIMITS } from "../../src/core/answer/memory.js";
import {
  connectRedis,
  RedisAnswerCache,
  RedisConversationMemory,
  RedisDeduplicator,
  RedisRateLimiter,
} from "../../src/stores/redis-stores.js";
import { type RedisServer, startRedisServer } from "../redis-server.js";

let server: RedisServer;
let a: Redis;
let b: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  // Two clients stand for two replicas.
  a = connectRedis(server.url);
  b = connectRedis(server.url);
  // Request-path clients queue nothing while connecting (they fail over to local state instead).
  await Promise.all(
    [a, b].map((c) =>
      c.status === "ready" ? undefined : new Promise((resolve) => c.once("ready", resolve)),
    ),
  );
});

afterAll(async () => {
  a?.disconnect();
  b?.disconnect();
  await server?.stop();
});

describe("Redis stores (real redis-server)", () => {
  it("de-duplicates atomically across replicas", async () => {
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        new RedisDeduplicator(i % 2 ? a : b).claim("slack:msg:C1:1.1", 60_000),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await new RedisDeduplicator(a).claim("slack:msg:C1:1.2", 60_000)).toBe(true);
  });

  it("lets a key be claimed again after its TTL", async () => {
    const d = new RedisDeduplicator(a);
    expect(await d.claim("short", 30)).toBe(true);
    expect(await d.claim("short", 30)).toBe(false);
    await new Promise((r) => setTimeout(r, 80));
    expect(await d.claim("short", 30)).toBe(true);
  });

  it("shares conversation memory, bounded in turns", async () => {
    const limits = { ...DEFAULT_MEMORY_LIMITS, maxTurns: 3 };
    const writer = new RedisConversationMemory(a, limits);
    const reader = new RedisConversationMemory(b, limits);
    for (let i = 0; i < 5; i++)
      await writer.append("slack:T:C:1", { question: `q${i}`, answer: `a${i}`, projectIds: [], at: i });
    const turns = await reader.get("slack:T:C:1");
    expect(turns.map((t) => t.question)).toEqual(["q2", "q3", "q4"]);
    expect(await reader.get("slack:T:C:other")).toEqual([]);
  });

  it("bounds memory by characters on read", async () => {
    const memory = new RedisConversationMemory(a, { ...DEFAULT_MEMORY_LIMITS, maxChars: 10 });
    await memory.append("chars", { question: "12345", answer: "67890", projectIds: [], at: 1 });
    await memory.append("chars", { question: "abc", answer: "def", projectIds: [], at: 2 });
    expect((await memory.get("chars")).map((t) => t.question)).toEqual(["abc"]);
  });

  it("shares rate-limit windows across replicas", async () => {
    const decisions = [];
    for (let i = 0; i < 4; i++)
      decisions.push(await new RedisRateLimiter(i % 2 ? a : b).take("user:slack:U1", 3, 60_000));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3]?.retryAfterMs).toBeGreaterThan(0);
    expect(decisions[3]?.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it("shares cached answers", async () => {
    await new RedisAnswerCache(a, 60_000).set("k", { text: "t [1]", mode: "llm", sources: [] });
    expect(await new RedisAnswerCache(b, 60_000).get("k")).toEqual({
      text: "t [1]",
      mode: "llm",
      sources: [],
    });
    expect(await new RedisAnswerCache(b, 60_000).get("missing")).toBeUndefined();
  });
});
