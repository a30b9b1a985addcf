import path from "node:path";
import { describe, expect, it } from "vitest";
import { ChatModelError } from "../../src/core/answer/chat-model.js";
import { InMemoryConversationMemory } from "../../src/core/answer/memory.js";
import { Bot } from "../../src/core/bot.js";
import { checkCitations, citedSentences, evaluate, loadEvalSet } from "../../src/core/eval/evaluate.js";
import type { Source } from "../../src/core/types.js";
import { dataDir, harness } from "./helpers.js";

const source = (n: number, text: string): Source => ({
  n,
  articleId: "a",
  title: "t",
  section: "s",
  url: "u",
  text,
});

describe("citation support", () => {
  it("keeps a citation with the sentence it closes", () => {
    expect(
      citedSentences("It has 5,000 stars (as of the article). [1] Nvidia uses it [2]. 它始于2018年。[3]"),
    ).toEqual([
      { text: "It has 5,000 stars (as of the article). [1]", cited: [1] },
      { text: "Nvidia uses it [2].", cited: [2] },
      { text: "它始于2018年。 [3]", cited: [3] },
    ]);
  });

  it("checks each expected fact against the passages its sentence cites", () => {
    const sources = [
      source(1, "KubeVirt has more than 5,000 GitHub stars."),
      source(2, "KubeVirt 的用户包括 Nvidia、Cloudflare。"),
    ];
    expect(
      checkCitations("KubeVirt has 5000 stars [1]. Nvidia uses it [1]. Cloudflare does too.", sources, [
        ["5,000", "5000"],
        ["Nvidia"],
        ["Cloudflare"],
        ["Red Hat"],
      ]),
    ).toEqual([
      { fact: "5,000 | 5000", status: "supported", cited: [1] },
      { fact: "Nvidia", status: "unsupported", cited: [1] },
      { fact: "Cloudflare", status: "uncited", cited: [] },
    ]);
  });

  it("accepts a passage in the other language that holds an alternative of the fact", () => {
    const sources = [source(1, "Kairos 是一个用于构建可定制可引导镜像的软件工厂，主要用于边缘计算环境。")];
    expect(
      checkCitations("Kairos builds images for the edge [1].", sources, [["edge", "边缘"]])[0]?.status,
    ).toBe("supported");
  });

  it("is 100% for the extractive answers of the public set (they quote what they cite)", async () => {
    const h = await harness();
    const bot = new Bot({ kb: h.kb, index: h.index });
    const report = await evaluate(bot, await loadEvalSet(path.join(dataDir, "eval", "questions.yaml")), 4);
    expect(report.summary.citationChecks).toBeGreaterThan(10);
    expect(report.summary.citationSupport).toBe(1);
    expect(report.summary.modes.llm ?? 0).toBe(0);
  });

  it("reports model answers: modes, fallbacks and unsupported citations", async () => {
    const h = await harness();
    // A model that states every fact and cites the least relevant retrieved passage for all of them.
    h.model.always({ reply: "Nvidia, Cloudflare, 5,000, 2018, Loft, OpenAI, edge, image [4]." });
    const bot = new Bot({
      kb: h.kb,
      index: h.index,
      answerer: h.answerer,
      memory: new InMemoryConversationMemory(),
    });
    const cases = await loadEvalSet(path.join(dataDir, "eval", "questions.yaml"));
    const report = await evaluate(bot, cases, 4);
    expect(report.summary.modes.llm).toBeGreaterThan(0);
    expect(report.summary.citationSupport).toBeLessThan(1);
    const unsupported = report.cases.flatMap((c) => c.citations).filter((c) => c.status === "unsupported");
    expect(unsupported.length).toBeGreaterThan(0);
    expect(report.summary.modelAnswers).toBe(report.summary.modes.llm);
  });

  it("counts fallbacks by reason, apart from extractive answers and from the model's", async () => {
    const h = await harness();
    h.model.always({ error: new ChatModelError("unavailable", "503", { status: 503 }) });
    const bot = new Bot({ kb: h.kb, index: h.index, answerer: h.answerer });
    const cases = await loadEvalSet(path.join(dataDir, "eval", "questions.yaml"));
    const report = await evaluate(bot, cases, 4);
    const answered = report.cases.filter((c) => c.mode !== "declined").length;
    expect(report.summary.modelAnswers).toBe(0);
    expect(report.summary.modes.extractive ?? 0).toBe(0);
    // Three 503s open the circuit: the rest are refused without a call.
    expect(report.summary.fallbacks).toEqual({ "llm-busy": 3, "llm-circuit-open": answered - 3 });
    expect(report.summary.modes.fallback).toBe(answered);
  });

  it("reports no citation support, rather than 100%, when no fact was checked", async () => {
    const h = await harness();
    h.model.always({ reply: "The article doesn't say." });
    const bot = new Bot({ kb: h.kb, index: h.index, answerer: h.answerer });
    const cases = (await loadEvalSet(path.join(dataDir, "eval", "questions.yaml"))).slice(0, 3);
    const report = await evaluate(bot, cases, 4);
    expect(report.summary.citationChecks).toBe(0);
    expect(report.summary.citationSupport).toBeNull();
  });
});
