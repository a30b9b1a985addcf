import { describe, expect, it } from "vitest";
import {
  answerCacheKey,
  InMemoryAnswerCache,
  normalizeQuestion,
} from "../../src/core/answer/answer-cache.js";
import type { AnswerResult } from "../../src/core/answer/answerer.js";
import { ChatModelError } from "../../src/core/answer/chat-model.js";
import { harness, newCache } from "./helpers.js";

const result = (text: string): AnswerResult => ({ text, mode: "llm", sources: [] });

describe("normalised questions", () => {
  it("fold case, width, spacing and closing punctuation", () => {
    expect(normalizeQuestion("  Who uses   KubeVirt?? ")).toBe("who uses kubevirt");
    expect(normalizeQuestion("ＫｕｂｅＶｉｒｔ 有多少星？")).toBe(normalizeQuestion("kubevirt 有多少星"));
  });

  it("key on the knowledge base version and the passages too", () => {
    const base = {
      question: "Who uses KubeVirt?",
      language: "en" as const,
      kbVersion: "v1",
      passageIds: ["a"],
    };
    expect(answerCacheKey(base)).toBe(answerCacheKey({ ...base, question: "who uses kubevirt" }));
    expect(answerCacheKey(base)).not.toBe(answerCacheKey({ ...base, kbVersion: "v2" }));
    expect(answerCacheKey(base)).not.toBe(answerCacheKey({ ...base, passageIds: ["b"] }));
  });
});

describe("InMemoryAnswerCache", () => {
  it("forgets entries after the TTL", async () => {
    let now = 0;
    const cache = new InMemoryAnswerCache({ ttlMs: 100, maxEntries: 10 }, () => now);
    await cache.set("k", result("a"));
    now = 100;
    expect(await cache.get("k")).toEqual(result("a"));
    now = 101;
    expect(await cache.get("k")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("keeps at most maxEntries, dropping the least recently used", async () => {
    const cache = new InMemoryAnswerCache({ ttlMs: 1000, maxEntries: 2 });
    await cache.set("a", result("a"));
    await cache.set("b", result("b"));
    await cache.get("a");
    await cache.set("c", result("c"));
    expect(await cache.get("b")).toBeUndefined();
    expect(await cache.get("a")).toEqual(result("a"));
    expect(cache.size).toBe(2);
  });

  it("hands out copies, so a caller cannot change a cached answer", async () => {
    const cache = new InMemoryAnswerCache();
    await cache.set("k", result("a"));
    const got = await cache.get("k");
    if (got) got.text = "changed";
    expect((await cache.get("k"))?.text).toBe("a");
  });
});

describe("the LLM answerer's cache", () => {
  it("reuses the answer to the same normalised question against the same knowledge base", async () => {
    const h = await harness({ cache: newCache() });
    const first = await h.answerer.answer(h.input("Which companies use KubeVirt?"));
    const progress: string[] = [];
    const second = await h.answerer.answer({
      ...h.input("which companies use kubevirt"),
      onProgress: (p) => progress.push(p.text),
    });
    expect(h.model.calls).toHaveLength(1);
    expect(second).toEqual(first);
    expect(progress).toEqual([first.text]);
  });

  it("is bypassed for a follow-up (the answer depends on the conversation)", async () => {
    const h = await harness({ cache: newCache() });
    const turn = {
      question: "Who created vCluster?",
      answer: "Loft Labs [1].",
      projectIds: ["vcluster"],
      at: 0,
    };
    await h.answerer.answer(h.input("Which companies use KubeVirt?", { history: [turn] }));
    await h.answerer.answer(h.input("Which companies use KubeVirt?", { history: [turn] }));
    expect(h.model.calls).toHaveLength(2);
  });

  it("misses when the knowledge base changes", async () => {
    const cache = newCache();
    const h1 = await harness({ cache });
    await h1.answerer.answer(h1.input("Which companies use KubeVirt?"));
    const h2 = await harness({ cache, kb: { ...h1.kb, version: "another-version" } });
    await h2.answerer.answer(h2.input("Which companies use KubeVirt?"));
    expect(h2.model.calls).toHaveLength(1);
  });

  it("never keeps a fallback: the model may be back next time", async () => {
    const h = await harness({ cache: newCache() });
    h.model.queue({ error: new ChatModelError("http", "500") });
    expect((await h.answerer.answer(h.input("Which companies use KubeVirt?"))).mode).toBe("extractive");
    expect((await h.answerer.answer(h.input("Which companies use KubeVirt?"))).mode).toBe("llm");
    expect(h.model.calls).toHaveLength(2);
  });
});
