import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/app/config.js";
import { createRuntime } from "../../src/app/runtime.js";
import type { AnswerRecord } from "../../src/core/insight/answer-record.js";
import { AnswerRecorder } from "../../src/core/insight/answer-recorder.js";
import type { InsightReport } from "../../src/core/insight/report.js";
import { silentLogger } from "../../src/core/logger.js";
import { countAnswerLines, FileAnswerLog } from "../../src/stores/answer-log-file.js";
import { RedisAnswerLog } from "../../src/stores/answer-log-redis.js";
import { connectRedis } from "../../src/stores/redis-stores.js";
import { runCliCaptured } from "../cli-harness.js";
import { createTestBot } from "../helpers.js";
import { type RedisServer, startRedisServer } from "../redis-server.js";

const DAY = 86_400_000;
let dir = "";
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = "";
});

async function tempDir(): Promise<string> {
  dir = await mkdtemp(path.join(tmpdir(), "spotlight-answers-"));
  return dir;
}

function record(
  id: string,
  at: number,
  question: string,
  outcome: AnswerRecord["outcome"] = "extractive",
): AnswerRecord {
  return {
    id: id.padEnd(12, "x"),
    at,
    platform: "slack",
    conversationId: "slack:T1:C1:1.2",
    userHash: "h".repeat(16),
    question,
    language: "en",
    mode: outcome === "declined" ? "declined" : "extractive",
    outcome,
    sources: [],
    retrieval: { scores: [1.5] },
    latencyMs: 3,
    feedback: [],
  };
}

async function ask(bot: Awaited<ReturnType<typeof createTestBot>>, text: string, userId = "U_SECRET_1") {
  return bot.handle({
    kind: "question",
    platform: "slack",
    conversationId: `slack:T1:C1:${text.length}`,
    userId,
    text,
  });
}

describe("answer records", () => {
  it("keep the question, outcome, sources, scores and latency, with the user only as a salted hash", async () => {
    const log = new FileAnswerLog(await tempDir(), { maxRecords: 100, retentionMs: DAY });
    const bot = await createTestBot({
      recorder: new AnswerRecorder(log, { redactQuestions: false, logger: silentLogger }),
    });
    const reply = await ask(bot, "Who uses KubeVirt?");
    expect(reply.answerId).toMatch(/^[A-Za-z0-9_-]{12}$/);
    const [kept] = await log.list();
    expect(kept).toMatchObject({
      id: reply.answerId,
      platform: "slack",
      question: "Who uses KubeVirt?",
      outcome: "extractive",
      language: "en",
    });
    expect(kept?.sources.length).toBeGreaterThan(0);
    expect(kept?.retrieval.scores.length).toBeGreaterThan(0);
    const file = await readFile(path.join(dir, "answers.jsonl"), "utf8");
    expect(file).not.toContain("U_SECRET_1");
    // The salt was generated once and kept beside the log: the same user hashes the same way.
    const again = await ask(bot, "What is vCluster?");
    const records = await log.list();
    expect(records[1]?.id).toBe(again.answerId);
    expect(records[1]?.userHash).toBe(records[0]?.userHash);
    expect((await readdir(dir)).sort()).toEqual(["answers.jsonl", "salt"]);
  });

  it("ties 👍/👎 and a 👎's reason to the record; the latest vote of each rater counts", async () => {
    const log = new FileAnswerLog(await tempDir(), {
      maxRecords: 100,
      retentionMs: DAY,
      salt: "a-configured-salt-value",
    });
    const bot = await createTestBot({
      recorder: new AnswerRecorder(log, { redactQuestions: false, logger: silentLogger }),
    });
    const reply = await ask(bot, "Who uses KubeVirt?");
    const answerId = reply.answerId as string;
    const base = { platform: "slack" as const, conversationId: "slack:T1:C1:1", messageRef: "m" };
    await bot.recordFeedback({ ...base, userId: "U1", value: "up", answerId });
    await bot.recordFeedback({ ...base, userId: "U2", value: "up", answerId });
    await bot.recordFeedback({ ...base, userId: "U2", value: "down", answerId });
    await bot.explainFeedback({
      platform: "slack",
      userId: "U2",
      answerId,
      reason: "  names the\nwrong users  ",
    });
    const [kept] = await log.list();
    expect(kept?.feedback.map((f) => [f.value, f.reason])).toEqual([
      ["up", undefined],
      ["down", "names the wrong users"],
    ]);
    expect(await readdir(dir)).toEqual(["answers.jsonl"]);
  });

  it("redacted: no question text is kept", async () => {
    const log = new FileAnswerLog(await tempDir(), { maxRecords: 100, retentionMs: DAY });
    const bot = await createTestBot({
      recorder: new AnswerRecorder(log, { redactQuestions: true, logger: silentLogger }),
    });
    await ask(bot, "Who uses KubeVirt?");
    const [kept] = await log.list();
    expect(kept?.question).toBeUndefined();
    expect(await readFile(path.join(dir, "answers.jsonl"), "utf8")).not.toContain("KubeVirt?");
  });

  it("off: nothing is kept and buttons carry no record id", async () => {
    const answers = await tempDir();
    const config = loadConfig({ ANSWER_LOG: "off", ANSWER_LOG_DIR: answers, LOG_LEVEL: "silent" });
    const rt = await createRuntime(config, silentLogger);
    try {
      expect(rt.shared.answerLog).toBeUndefined();
      const reply = await rt.bot.handle({
        kind: "question",
        platform: "web",
        conversationId: "web:x",
        userId: "v",
        text: "Who uses KubeVirt?",
      });
      expect(reply.answerId).toBeUndefined();
      await rt.bot.recordFeedback({
        platform: "web",
        conversationId: "web:x",
        userId: "v",
        messageRef: "r",
        value: "down",
        reason: "bad",
      });
    } finally {
      await rt.close();
    }
    expect(await readdir(answers)).toEqual([]);
  });

  it("keeps at most maxRecords and nothing older than the retention", async () => {
    let now = 10 * DAY;
    const log = new FileAnswerLog(await tempDir(), { maxRecords: 4, retentionMs: 2 * DAY }, () => now);
    for (let i = 0; i < 9; i++) await log.append(record(`r${i}`, now - (8 - i) * 3_600_000, `question ${i}`));
    expect((await log.list()).map((r) => r.question)).toEqual([
      "question 5",
      "question 6",
      "question 7",
      "question 8",
    ]);
    const lines = (await readFile(path.join(dir, "answers.jsonl"), "utf8")).trim().split("\n");
    expect(lines.length).toBeLessThanOrEqual(5);
    now += 3 * DAY;
    expect(await log.list()).toEqual([]);
  });
});

describe("counting a log's answers without reading its records", () => {
  it("counts answer lines as the reader keeps them: feedback, cut, blank and broken lines are not answers", () => {
    const answer = (id: string) => JSON.stringify({ type: "answer", ...record(id, 1, `q ${id}`) });
    const text = [
      answer("a1"),
      JSON.stringify({ type: "feedback", answerId: "a1", value: "up", rater: "h", at: 2 }),
      "",
      answer("a2").slice(0, 40),
      // A line someone rewrote by hand, keys reordered: parsed, still an answer.
      JSON.stringify({ ...record("a3", 3, "q a3"), type: "answer" }),
      "not json",
      answer("a4"),
    ].join("\n");
    expect(countAnswerLines(Buffer.from(`${text}\n`))).toBe(3);
    expect(countAnswerLines(Buffer.from(text))).toBe(3);
    expect(countAnswerLines(Buffer.alloc(0))).toBe(0);
  });

  it("compacts a log left by an earlier process once it holds a quarter more than allowed", async () => {
    const folder = await tempDir();
    const now = 10 * DAY;
    const earlier = Array.from({ length: 5 }, (_, i) =>
      JSON.stringify({ type: "answer", ...record(`old${i}`, now - 1000 + i, `old question ${i}`) }),
    );
    await writeFile(path.join(folder, "answers.jsonl"), `${earlier.join("\n")}\n`);
    const log = new FileAnswerLog(folder, { maxRecords: 4, retentionMs: DAY }, () => now);
    await log.append(record("new", now, "new question"));
    const lines = (await readFile(path.join(folder, "answers.jsonl"), "utf8")).trim().split("\n");
    expect(lines).toHaveLength(4);
    expect((await log.list()).map((r) => r.question)).toEqual([
      "old question 2",
      "old question 3",
      "old question 4",
      "new question",
    ]);
  });
});

describe("answer records in Redis", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it("are shared, bounded, retained, folded with their feedback, and hashed with one salt", async () => {
    const client = connectRedis(redis.url);
    // Request-path clients queue nothing while connecting: wait for the connection.
    if (client.status !== "ready") await new Promise((resolve) => client.once("ready", resolve));
    let now = 10 * DAY;
    try {
      const log = new RedisAnswerLog(client, { maxRecords: 3, retentionMs: DAY }, () => now);
      for (let i = 0; i < 5; i++) await log.append(record(`q${i}`, now - (5 - i) * 1000, `question ${i}`));
      await log.appendFeedback({
        answerId: "q4".padEnd(12, "x"),
        platform: "slack",
        userHash: "u".repeat(16),
        at: now,
        value: "down",
        reason: "wrong",
      });
      const kept = await log.list();
      expect(kept.map((r) => r.question)).toEqual(["question 2", "question 3", "question 4"]);
      expect(kept[2]?.feedback).toMatchObject([{ value: "down", reason: "wrong" }]);
      expect(await log.list({ since: now - 2500 })).toHaveLength(2);
      const other = new RedisAnswerLog(client, { maxRecords: 3, retentionMs: DAY });
      expect(await other.salt()).toBe(await log.salt());
      now += 2 * DAY;
      expect(await log.list()).toEqual([]);
    } finally {
      await client.quit();
    }
  });
});

describe("spotlight report", () => {
  it("prints the log as JSON and markdown over a period", async () => {
    const answers = await tempDir();
    const log = new FileAnswerLog(answers, { maxRecords: 100, retentionMs: 3650 * DAY });
    const t = Date.now() - 2 * DAY;
    await log.append(record("a1", t, "Who uses KubeVirt?"));
    await log.append(record("a2", t + 1000, "who uses kubevirt"));
    await log.append(record("a3", t + 2000, "What's the weather in Paris?", "declined"));
    await log.append(record("a4", t - 10 * DAY, "An old question"));
    await log.appendFeedback({
      answerId: "a1".padEnd(12, "x"),
      platform: "slack",
      userHash: "u".repeat(16),
      at: t + 5,
      value: "down",
      reason: "too short",
    });
    const env = { ANSWER_LOG_DIR: answers };
    const json = await runCliCaptured(
      ["report", "--json", "--since", "7d", "--until", new Date(t + DAY).toISOString()],
      { env },
    );
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as InsightReport;
    expect(report.totals).toMatchObject({ questions: 3, feedback: { up: 0, down: 1 }, gapRate: 0.333 });
    expect(report.topQuestions.map((g) => [g.question, g.count, g.variants])).toEqual([
      ["Who uses KubeVirt?", 2, ["Who uses KubeVirt?", "who uses kubevirt"]],
      ["What's the weather in Paris?", 1, ["What's the weather in Paris?"]],
    ]);
    expect(report.declined.map((g) => g.question)).toEqual(["What's the weather in Paris?"]);
    expect(report.disliked).toMatchObject([{ question: "Who uses KubeVirt?", reasons: ["too short"] }]);
    const markdown = await runCliCaptured(["report", "--since", "7d"], { env });
    expect(markdown.stdout).toContain("## Declined");
    expect(markdown.stdout).toContain("“too short”");
    expect(markdown.stdout).not.toContain("An old question");
    const bad = await runCliCaptured(["report", "--since", "last tuesday"], { env });
    expect(bad.code).toBe(2);
  });
});
