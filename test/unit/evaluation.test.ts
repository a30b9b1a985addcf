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

  // Floors that guard against regressions, a little under each set's measured figures
  // (docs/answers.md): the tuning sets were tuned on, the heldout-fresh sets never were.
  type Floors = { recall: number; answer: number; first: number; decline: number; hedge: number };
  const floors: [string, Floors][] = [
    ["tuning.yaml", { recall: 1, answer: 0.97, first: 0.95, decline: 1, hedge: 0.9 }],
    ["tuning-2.yaml", { recall: 0.97, answer: 0.93, first: 0.91, decline: 0.97, hedge: 0.95 }],
    ["tuning-3.yaml", { recall: 0.98, answer: 0.93, first: 0.91, decline: 0.97, hedge: 0.95 }],
    ["tuning-4.yaml", { recall: 0.97, answer: 0.95, first: 0.92, decline: 0.94, hedge: 0.95 }],
    ["tuning-5.yaml", { recall: 0.95, answer: 0.92, first: 0.9, decline: 0.9, hedge: 0.9 }],
    ["tuning-6.yaml", { recall: 0.95, answer: 0.9, first: 0.86, decline: 0.93, hedge: 0.94 }],
    ["tuning-7.yaml", { recall: 0.97, answer: 0.94, first: 0.87, decline: 0.97, hedge: 0.97 }],
    ["tuning-8.yaml", { recall: 0.97, answer: 0.97, first: 0.95, decline: 0.97, hedge: 0.94 }],
    ["tuning-9.yaml", { recall: 0.95, answer: 0.97, first: 0.91, decline: 0.92, hedge: 0.95 }],
    ["tuning-10.yaml", { recall: 0.97, answer: 0.95, first: 0.92, decline: 0.95, hedge: 0.93 }],
    // Held out: measured and reported, never tuned on; the floors only catch a regression.
    ["heldout-fresh.yaml", { recall: 0.95, answer: 0.89, first: 0.86, decline: 0.95, hedge: 0.72 }],
    ["heldout-fresh-2.yaml", { recall: 0.94, answer: 0.88, first: 0.86, decline: 0.85, hedge: 0.82 }],
  ];

  it.each(floors)("on %s the figures stay at or above their floors", async (file, f) => {
    const cases = await loadEvalSet(path.join(dataDir, "eval", file));
    const s = (await evaluate(bot, cases, 4)).summary;
    expect(s.total).toBeGreaterThanOrEqual(100);
    expect(s.recallAtK).toBeGreaterThanOrEqual(f.recall);
    expect(s.answerAccuracy).toBeGreaterThanOrEqual(f.answer);
    expect(s.firstSentenceAccuracy).toBeGreaterThanOrEqual(f.first);
    expect(s.declineAccuracy).toBeGreaterThanOrEqual(f.decline);
    expect(s.hedgeAccuracy).toBeGreaterThanOrEqual(f.hedge);
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
