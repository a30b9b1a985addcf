import path from "node:path";
import { describe, expect, it } from "vitest";
import { evaluate, loadEvalSet, missingGroups } from "../../src/core/eval/evaluate.js";
import { createTestBot, dataDir } from "../helpers.js";

const bot = await createTestBot();

describe("evaluation", () => {
  it("on the public set: recall@4 = 1.0, extractive accuracy >= 0.9, both declines declined", async () => {
    const cases = await loadEvalSet(path.join(dataDir, "eval", "questions.yaml"));
    const report = await evaluate(bot, cases, 4);
    expect(report.summary.total).toBe(cases.length);
    expect(report.summary.recallAtK).toBe(1);
    expect(report.summary.answerAccuracy).toBeGreaterThanOrEqual(0.9);
    const declines = report.cases.filter((c) => c.kind === "decline");
    expect(declines.map((c) => c.id).sort()).toEqual(["leak-instructions", "weather"]);
    expect(declines.every((c) => c.declined)).toBe(true);
  });

  it("on the held-out set the same thresholds hold", async () => {
    const report = await evaluate(bot, await loadEvalSet(path.join(dataDir, "eval", "heldout.yaml")), 4);
    expect(report.summary.recallAtK).toBe(1);
    expect(report.summary.answerAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.summary.declineAccuracy).toBe(1);
  });

  it("on the tuning set (users' phrasings of every kind): facts first, hedges and declines right", async () => {
    const report = await evaluate(bot, await loadEvalSet(path.join(dataDir, "eval", "tuning.yaml")), 4);
    const s = report.summary;
    expect(s.total).toBeGreaterThanOrEqual(100);
    expect(s.recallAtK).toBe(1);
    expect(s.answerAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(s.firstSentenceAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(s.declineAccuracy).toBe(1);
    expect(s.hedgeAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it("on the fresh held-out set (never tuned on): floors that guard against regressions", async () => {
    const report = await evaluate(
      bot,
      await loadEvalSet(path.join(dataDir, "eval", "heldout-fresh.yaml")),
      4,
    );
    const s = report.summary;
    expect(s.total).toBeGreaterThanOrEqual(120);
    expect(s.recallAtK).toBeGreaterThanOrEqual(0.95);
    expect(s.answerAccuracy).toBeGreaterThanOrEqual(0.85);
    expect(s.declineAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(s.hedgeAccuracy).toBeGreaterThanOrEqual(0.65);
  });

  it("on the second tuning set (other writers' phrasings): floors against regressions", async () => {
    const report = await evaluate(bot, await loadEvalSet(path.join(dataDir, "eval", "tuning-2.yaml")), 4);
    const s = report.summary;
    expect(s.recallAtK).toBeGreaterThanOrEqual(0.97);
    expect(s.answerAccuracy).toBeGreaterThanOrEqual(0.92);
    expect(s.firstSentenceAccuracy).toBeGreaterThanOrEqual(0.88);
    expect(s.declineAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(s.hedgeAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it("on the third tuning set (yes/no, pasted quotes, many kinds of detail): floors against regressions", async () => {
    const report = await evaluate(bot, await loadEvalSet(path.join(dataDir, "eval", "tuning-3.yaml")), 4);
    const s = report.summary;
    expect(s.recallAtK).toBeGreaterThanOrEqual(0.98);
    expect(s.answerAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(s.firstSentenceAccuracy).toBeGreaterThanOrEqual(0.87);
    expect(s.declineAccuracy).toBeGreaterThanOrEqual(0.97);
    expect(s.hedgeAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it("on the fourth tuning set (the most varied writers): floors against regressions", async () => {
    const report = await evaluate(bot, await loadEvalSet(path.join(dataDir, "eval", "tuning-4.yaml")), 4);
    const s = report.summary;
    expect(s.recallAtK).toBeGreaterThanOrEqual(0.95);
    expect(s.answerAccuracy).toBeGreaterThanOrEqual(0.88);
    expect(s.firstSentenceAccuracy).toBeGreaterThanOrEqual(0.84);
    expect(s.declineAccuracy).toBeGreaterThanOrEqual(0.88);
    expect(s.hedgeAccuracy).toBeGreaterThanOrEqual(0.78);
  });

  it("a hedge case passes only when the answer says the article doesn't state it", async () => {
    const cases = [
      { id: "h1", q: "what's vCluster's pricing?", kind: "hedge" as const, expect: [["vCluster"]] },
      { id: "h2", q: "how many stars does vCluster have?", kind: "hedge" as const, expect: [] },
      { id: "h3", q: "what's the weather in Paris?", kind: "hedge" as const, expect: [] },
    ];
    const report = await evaluate(bot, cases, 4);
    expect(report.cases.map((c) => c.pass)).toEqual([true, false, false]);
    expect(report.summary.hedgeAccuracy).toBeCloseTo(1 / 3);
  });

  it("matches expected groups across number formats and case", () => {
    expect(missingGroups("It has 5 000 stars and NVIDIA", [["5,000"], ["nvidia"]])).toEqual([]);
    expect(missingGroups("8000 stars", [["8,000", "8000"], ["Loft"]])).toEqual(["Loft"]);
  });

  it("rejects a malformed evaluation file with file and field", async () => {
    await expect(loadEvalSet(path.join(dataDir, "projects.yaml"))).rejects.toMatchObject({
      code: "bad-data",
    });
    await expect(loadEvalSet("/nonexistent/questions.yaml")).rejects.toThrow(/not found/);
  });
});
