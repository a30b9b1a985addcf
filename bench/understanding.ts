// Question understanding: what reading a question costs on top of retrieval (subjects, intents,
// content words). The budget is at most 1 ms p50 per question.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { Bot } from "../src/core/bot.js";
import { loadKnowledgeBase } from "../src/core/knowledge/load.js";
import { type BenchResult, ms, percentile } from "./stats.js";

const dataDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "data");

export async function bench(): Promise<BenchResult> {
  const bot = new Bot({ kb: await loadKnowledgeBase(dataDir) });
  const questions: string[] = [];
  for (const file of ["questions.yaml", "tuning.yaml"]) {
    const cases = parse(await readFile(path.join(dataDir, "eval", file), "utf8")) as { q: string }[];
    questions.push(...cases.map((c) => c.q));
  }
  for (const q of questions) bot.questions.understand(q); // warm-up
  const understand: number[] = [];
  const answer: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const q of questions) {
      const t0 = performance.now();
      bot.questions.understand(q);
      understand.push(performance.now() - t0);
      const t1 = performance.now();
      await bot.questions.ask(q);
      answer.push(performance.now() - t1);
    }
  }
  return {
    name: "Question understanding (extractive, per question)",
    rows: [
      {
        step: "understand",
        n: understand.length,
        p50_ms: ms(percentile(understand, 50)),
        p99_ms: ms(percentile(understand, 99)),
      },
      {
        step: "whole answer",
        n: answer.length,
        p50_ms: ms(percentile(answer, 50)),
        p99_ms: ms(percentile(answer, 99)),
      },
    ],
    notes: ["Budget: understanding adds at most 1 ms p50 per question."],
  };
}
