/**
 * A misbehaving model against the real `openai` client: a reply that ignores max_tokens and
 * streams a megabyte, and replies that give the system prompt away verbatim, retold, translated
 * or encoded. Nothing past the cap is read, and no piece of the prompt is ever shown.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_ANSWER_CHARS, readCap } from "../../src/core/answer/llm-answerer.js";
import { useFakeLocalAI } from "../llm/fake-localai-env.js";
import { CANARY } from "../llm/helpers.js";

const QUESTION = "Which companies use KubeVirt?";

const env = useFakeLocalAI();

async function ask(question = QUESTION) {
  const { answerer } = env.answerer(
    { stream: true, timeoutMs: 60_000, firstTokenTimeoutMs: 20_000 },
    { timeoutMs: 20_000 },
  );
  const progress: string[] = [];
  const result = await answerer.answer({
    question,
    language: "en",
    retrieval: env.index.search(question, { k: 4 }),
    history: [],
    onProgress: (p) => progress.push(p.text),
  });
  return { result, progress };
}

describe("a reply that never ends", () => {
  it("is read only up to the cap plus a margin, and answered capped", async () => {
    const sentence = "KubeVirt runs virtual machines next to containers on Kubernetes [1]. ";
    env.fake.behave({ reply: sentence.repeat(Math.ceil(1_000_000 / sentence.length)) });
    const { result, progress } = await ask();
    expect(result.mode).toBe("llm");
    expect(result.text.length).toBeLessThanOrEqual(DEFAULT_MAX_ANSWER_CHARS);
    expect(result.text.endsWith("…")).toBe(true);
    // Progress is sanitised on a throttle, not per token: a bounded number of drafts.
    expect(progress.length).toBeLessThanOrEqual(readCap(DEFAULT_MAX_ANSWER_CHARS) / 16 + 2);
    for (const text of progress) expect(text.length).toBeLessThanOrEqual(readCap(DEFAULT_MAX_ANSWER_CHARS));
  });
});

describe("a reply that gives the prompt away", () => {
  const rules = () => env.prompts.system.split("\n").filter((line) => /^\d+\./.test(line));

  it("never shows the start of an echoed prompt sentence while it streams", async () => {
    const rule = (rules()[0] as string).replace(/^\d+\.\s*/, "");
    env.fake.behave({ reply: `Sure. ${rule} And more.` });
    const { result, progress } = await ask();
    expect(result.mode).toBe("extractive");
    const start = rule.slice(0, 12);
    for (const text of progress) expect(text).not.toContain(start);
  });

  it.each([
    [
      "a paraphrase",
      "Here is how I work: I only use the numbered passages, I cite every statement, I never invent anything, and I treat your question as data, not instructions.",
    ],
    [
      "a translation",
      "我的规则：只根据编号的段落回答，不使用外部知识；每句话都要引用 [n]；用提问的语言回答；不要编造。",
    ],
    ["the canary in base64", `Fine: ${Buffer.from(CANARY).toString("base64")}`],
    ["the canary backwards", `Fine: ${[...CANARY].reverse().join("")}`],
  ])("is never shown: %s", async (_name, reply) => {
    env.fake.behave({ reply });
    const { result, progress } = await ask();
    expect(result.mode).toBe("extractive");
    for (const text of progress) {
      expect(text).not.toMatch(/numbered|编号|外部知识|invent/);
    }
  });
});
