/**
 * The LLM answerer with the REAL `openai` client (src/llm) against the fake LocalAI: every
 * deviation real servers show must end in a grounded answer or in the marked extractive fallback.
 */
import { describe, expect, it } from "vitest";
import type { LlmSettings } from "../../src/core/answer/llm-answerer.js";
import { InMemoryConversationMemory } from "../../src/core/answer/memory.js";
import { checkModelReady } from "../../src/core/answer/model-readiness.js";
import { Bot } from "../../src/core/bot.js";
import { type Behaviour, DEFAULT_REPLY, startFakeLocalAI } from "../fakes/fake-localai.js";
import { useFakeLocalAI } from "../llm/fake-localai-env.js";
import { CANARY } from "../llm/helpers.js";

const QUESTION = "Which companies use KubeVirt?";

const env = useFakeLocalAI();

function setup(settings: Partial<LlmSettings> = {}, baseURL?: string) {
  const { model, answerer } = env.answerer(settings, baseURL ? { baseURL } : {});
  const input = (question = QUESTION) => ({
    question,
    language: "en" as const,
    retrieval: env.index.search(question, { k: 4 }),
    history: [],
  });
  return { model, answerer, input };
}

describe("readiness: GET /v1/models", () => {
  it("is ready when the model is listed, and names it when not", async () => {
    const { model } = setup();
    expect(await checkModelReady(model)).toBeUndefined();
    env.fake.setModels(["llama-3.2-1b-instruct"]);
    expect(await checkModelReady(model)).toMatch(/"test-model" is not listed .*llama-3\.2-1b-instruct/);
    expect(env.fake.hits.filter((h) => h.path === "/v1/models")).toHaveLength(2);
  });

  it("reports a stopped server instead of throwing", async () => {
    const gone = await startFakeLocalAI();
    const url = gone.baseURL;
    await gone.close();
    expect(await checkModelReady(setup({}, url).model)).toMatch(
      /cannot list the endpoint's models: Connection error/,
    );
  });
});

describe("answers", () => {
  it("streams (SSE) a grounded answer; the request holds the rules, the passages and the caps", async () => {
    const { answerer, input } = setup({ maxTokens: 200, temperature: 0.3 });
    const question = input();
    const progress: string[] = [];
    const result = await answerer.answer({ ...question, onProgress: (p) => progress.push(p.text) });

    expect(result).toMatchObject({ mode: "llm", text: DEFAULT_REPLY });
    expect(result.sources).toHaveLength(1);
    expect(result.sources[0]?.text).toBe(question.retrieval.hits[0]?.passage.text);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(result.text);

    const request = env.fake.lastRequest;
    expect(request?.stream).toBe(true);
    expect(request?.body).toMatchObject({ model: "test-model", max_tokens: 200, temperature: 0.3 });
    const [system, user] = request?.messages ?? [];
    expect(system?.role).toBe("system");
    expect(system?.content).toMatch(/Answer only from the numbered passages/);
    expect(system?.content).toContain(CANARY);
    for (const [i, hit] of question.retrieval.hits.entries())
      expect(user?.content).toContain(`[${i + 1}] ${hit.passage.section}`);
    for (const hit of question.retrieval.hits) expect(user?.content).toContain(hit.passage.text);
    expect(user?.content).toContain(QUESTION);
  });

  it("answers without streaming when LLM_STREAM=false", async () => {
    const { answerer, input } = setup({ stream: false });
    expect(await answerer.answer(input())).toMatchObject({ mode: "llm", text: DEFAULT_REPLY });
    expect(env.fake.lastRequest?.stream).toBe(false);
  });

  it.each<[string, Behaviour]>([
    ["the llama.cpp stream shape", { llamaCppShape: true }],
    ["no usage", { noUsage: true }],
    ["zero usage", { usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } }],
    ["empty deltas", { emptyDeltas: true }],
    ["no [DONE]", { noDone: true }],
    ["a slow server within the timeouts", { delayMs: 200, chunkDelayMs: 20 }],
  ])("tolerates %s", async (_name, behaviour) => {
    env.fake.behave(behaviour);
    const { answerer, input } = setup();
    expect(await answerer.answer(input())).toMatchObject({ mode: "llm", text: DEFAULT_REPLY });
  });

  it("neutralises a foreign URL and pings in what the server streams", async () => {
    env.fake.behave({
      reply: "Nvidia uses it [1]. Details: https://evil.example.com/x @everyone <@U123> <!here>",
    });
    const { answerer, input } = setup();
    const result = await answerer.answer(input());
    expect(result.mode).toBe("llm");
    expect(result.text).toBe(
      "Nvidia uses it [1]. Details: (link removed) @\u200beveryone @\u200bU123 @\u200bhere",
    );
  });

  it("never lets an echoed system prompt out", async () => {
    env.fake.behave({ reply: (req) => `Sure! ${req.messages[0]?.content ?? ""}` });
    const { answerer, input } = setup();
    const progress: string[] = [];
    const result = await answerer.answer({ ...input(), onProgress: (p) => progress.push(p.text) });
    expect(result).toMatchObject({ mode: "extractive", fallback: "llm-error" });
    expect([...progress, result.text].join("\n")).not.toContain(CANARY);
  });

  it("a follow-up retrieves from the conversation and sends it in the prompt", async () => {
    const { answerer } = setup();
    const bot = new Bot({ kb: env.kb, index: env.index, answerer, memory: new InMemoryConversationMemory() });
    const ask = (text: string) =>
      bot.handle({
        kind: "question",
        platform: "discord",
        conversationId: "discord:G1:C1:T1",
        userId: "u",
        text,
      });
    env.fake.queue([{ reply: "Nvidia and Cloudflare [1]." }, { reply: "More than 5,000 [1]." }]);
    await ask(QUESTION);
    const followUp = await ask("and how many stars does it have?");
    expect(followUp.mode).toBe("llm");
    const user = env.fake.lastRequest?.messages[1]?.content ?? "";
    expect(user).toContain("User: Which companies use KubeVirt?\nSpotlight: Nvidia and Cloudflare.");
    expect(user.slice(user.indexOf("<passages>")).split("\n\n")[0]).toContain("KubeVirt");
    expect(followUp.sources[0]?.text).toMatch(/5,000/);
  });
});

// How fast each fallback comes is measured in bench/llm.ts, not asserted here.
describe("faults: every one yields the marked extractive answer, with its reason", () => {
  const FIRST_TOKEN_MS = 500;
  const TOTAL_MS = 1500;

  it.each<[string, Behaviour, { stream?: boolean; reason: string; requests: number }]>([
    ["HTTP 500", { status: 500 }, { reason: "llm-error", requests: 1 }],
    ["HTTP 503 asking for 30 s", { status: 503, retryAfter: 30 }, { reason: "llm-busy", requests: 1 }],
    ["HTTP 429 twice", { status: 429, retryAfter: 0 }, { reason: "llm-busy", requests: 2 }],
    ["model not found (404)", { status: 404 }, { reason: "llm-model-missing", requests: 1 }],
    ["malformed SSE", { malformedSse: true }, { reason: "llm-error", requests: 1 }],
    ["the socket closed mid-stream", { closeMidStream: true }, { reason: "llm-down", requests: 1 }],
    [
      "llama.cpp's error: line mid-stream",
      { errorMidStream: { style: "errorLine" } },
      { reason: "llm-context", requests: 1 },
    ],
    [
      "LocalAI's data: {error} mid-stream",
      { errorMidStream: { style: "dataError" } },
      { reason: "llm-error", requests: 1 },
    ],
    ["an unfinished empty stream", { unfinished: true }, { reason: "llm-error", requests: 1 }],
    ["a server that never answers", { hang: true }, { reason: "llm-timeout", requests: 1 }],
    ["a stream that stalls", { hang: { afterChunks: 1 } }, { reason: "llm-timeout", requests: 1 }],
    [
      "a server slower than the first-token timeout",
      { delayMs: 5000 },
      { reason: "llm-timeout", requests: 1 },
    ],
    ["HTTP 500, not streamed", { status: 500 }, { stream: false, reason: "llm-error", requests: 1 }],
    [
      "a truncated body, not streamed",
      { malformedSse: true },
      { stream: false, reason: "llm-error", requests: 1 },
    ],
    [
      // Nothing reached the user yet, so the connection error is retried once.
      "the socket closed mid-body, not streamed",
      { closeMidStream: true },
      { stream: false, reason: "llm-down", requests: 2 },
    ],
    ["no answer at all, not streamed", { hang: true }, { stream: false, reason: "llm-timeout", requests: 1 }],
  ])("%s", async (_name, behaviour, expected) => {
    env.fake.behave({ ...behaviour, errorMessage: "boom" });
    const { answerer, input, model } = setup({
      stream: expected.stream ?? true,
      firstTokenTimeoutMs: FIRST_TOKEN_MS,
      timeoutMs: TOTAL_MS,
    });
    const result = await answerer.answer(input());
    expect(result).toMatchObject({ mode: "extractive", fallback: expected.reason });
    expect(result.notice).toMatch(/^Fallback: /);
    expect(result.text).toMatch(/Nvidia|Cloudflare/);
    expect(env.fake.requests).toHaveLength(expected.requests);
    expect(model.model).toBe("test-model");
  });

  it("a stopped server", async () => {
    const gone = await startFakeLocalAI();
    const url = gone.baseURL;
    await gone.close();
    const { answerer, input } = setup({}, url);
    expect(await answerer.answer(input())).toMatchObject({ mode: "extractive", fallback: "llm-down" });
  });
});

describe("recovery", () => {
  it("retries once after a 429 or 503 with a short Retry-After", async () => {
    env.fake.queue([{ status: 429, retryAfter: 1 }]);
    const { answerer, input } = setup();
    expect(await answerer.answer(input())).toMatchObject({ mode: "llm" });
    env.fake.queue([{ status: 503, retryAfter: 0 }]);
    expect(await answerer.answer(input())).toMatchObject({ mode: "llm" });
    expect(env.fake.requests).toHaveLength(4);
  });

  it("survives a server that closes the socket after every stream (llama.cpp)", async () => {
    // A fresh origin, so the client's pool holds exactly the poisoned socket.
    const own = await startFakeLocalAI({ behaviour: { closeSocketAfterStream: true } });
    try {
      const { answerer, input } = setup({}, own.baseURL);
      expect((await answerer.answer(input())).mode).toBe("llm");
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect((await answerer.answer(input("Who created vCluster?"))).mode).toBe("llm");
      expect(own.droppedConnections).toBe(1);
    } finally {
      await own.close();
    }
  });

  it("holds at most N requests on the server; past the queue answers at once, busy", async () => {
    env.fake.behave({ hang: true });
    const { answerer, input } = setup({
      maxConcurrency: 1,
      queueSize: 0,
      firstTokenTimeoutMs: 10_000,
      timeoutMs: 10_000,
    });
    const held = answerer.answer(input());
    await env.fake.waitForRequests(1);
    expect(await answerer.answer(input())).toMatchObject({ mode: "extractive", fallback: "llm-busy" });
    env.fake.release();
    expect(await held).toMatchObject({ mode: "llm" });
    expect(env.fake.maxInFlight).toBe(1);
  });

  it("stops calling a failing server for the cool-down", async () => {
    env.fake.behave({ status: 500 });
    const { answerer, input } = setup();
    for (let i = 0; i < 3; i++) await answerer.answer(input());
    expect(await answerer.answer(input())).toMatchObject({ fallback: "llm-circuit-open" });
    expect(env.fake.requests).toHaveLength(3);
  });

  it("close() ends a hung request at once", async () => {
    env.fake.behave({ hang: true });
    const { answerer, input, model } = setup({ firstTokenTimeoutMs: 10_000, timeoutMs: 10_000 });
    const pending = answerer.answer(input());
    await env.fake.waitForRequests(1);
    await model.close();
    expect(await pending).toMatchObject({ mode: "extractive", fallback: "llm-error" });
  });
});
