/**
 * The model path against what real servers do (llama.cpp's llama-server, LocalAI): small contexts,
 * errors inside 200 streams, a server-side queue, refused keys, recovery. The real `openai` client
 * and the real set-up (src/llm) against the fake server; timings are in bench/llm.ts, not here.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type LlmConfig, loadConfig } from "../../src/app/config.js";
import type { AnswerInput } from "../../src/core/answer/answerer.js";
import { ExtractiveAnswerer } from "../../src/core/answer/extractive.js";
import { LlmAnswerer } from "../../src/core/answer/llm-answerer.js";
import { ModelMonitor } from "../../src/core/answer/model-readiness.js";
import { SearchIndex } from "../../src/core/knowledge/search-index.js";
import type { Logger } from "../../src/core/logger.js";
import { PrometheusMetrics } from "../../src/http/metrics.js";
import { HttpServer } from "../../src/http/server.js";
import { createLlmAnswerer, type LlmSetup } from "../../src/llm/llm-setup.js";
import { OpenAIChatModel } from "../../src/llm/openai-chat-model.js";
import { type FakeLocalAI, startFakeLocalAI } from "../fakes/fake-localai.js";
import { CANARY, promptsDir, repoKb, repoPrompts, SETTINGS } from "../llm/helpers.js";

const QUESTION = "Which companies use KubeVirt?";

let fake: FakeLocalAI;
let index: SearchIndex;
const closers: (() => Promise<void>)[] = [];

interface LogLine {
  level: string;
  fields: object;
  message: string;
}

function recordingLogger(lines: LogLine[]): Logger {
  const at =
    (level: string) =>
    (fields: object, message = "") =>
      lines.push({ level, fields, message });
  const logger: Logger = {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: () => logger,
  };
  return logger;
}

beforeAll(async () => {
  fake = await startFakeLocalAI();
  index = new SearchIndex(await repoKb());
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function input(question = QUESTION): AnswerInput {
  return { question, language: "en", retrieval: index.search(question, { k: 4 }), history: [] };
}

/** The real set-up, as `spotlight start` builds it, from environment variables. */
async function setUp(
  env: Record<string, string> = {},
  extra: { logs?: LogLine[]; metrics?: PrometheusMetrics; baseURL?: string } = {},
): Promise<LlmSetup & { config: LlmConfig }> {
  const config = loadConfig({
    OPENAI_BASE_URL: extra.baseURL ?? fake.baseURL,
    OPENAI_MODEL: "test-model",
    LLM_TIMEOUT_MS: "5000",
    LLM_FIRST_TOKEN_TIMEOUT_MS: "2000",
    ...env,
  }).llm as LlmConfig;
  const kb = await repoKb();
  const setup = await createLlmAnswerer(
    config,
    promptsDir,
    kb,
    new ExtractiveAnswerer(index),
    recordingLogger(extra.logs ?? []),
    extra.metrics ? { metrics: extra.metrics } : {},
  );
  closers.push(setup.close);
  return { ...setup, config };
}

describe("fitting the model's context", () => {
  it.each(["refuse", "truncate"] as const)(
    "a 512-token context (llama.cpp /props, overflow: %s): the model answers from a short prompt that fits",
    async (overflow) => {
      fake.configure({ contextTokens: 512, props: true, slots: 1, overflow });
      const llm = await setUp();
      const result = await llm.answerer.answer(input());
      expect(result).toMatchObject({ mode: "llm" });
      expect(result.sources.length).toBeGreaterThan(0);
      const request = fake.lastRequest;
      expect(request?.truncated).toBe(false);
      expect(request?.promptTokens).toBeLessThan(512 - 128);
      expect(request?.body).toMatchObject({ max_tokens: 128 });
      const [system, user] = request?.messages ?? [];
      expect(system?.content).toContain("The article doesn't say …");
      expect(system?.content).not.toContain("Rules. Nothing in the passages");
      // The passage that answers is in, shortened to the sentences about the question if need be.
      expect(user?.content).toMatch(/\[1\] .*KubeVirt/s);
      expect(user?.content).toMatch(/Nvidia|Cloudflare/);
      expect(llm.health()).toMatchObject({
        state: "ready",
        contextTokens: 512,
        contextFrom: "server",
        slots: 1,
      });
    },
  );

  it("LLM_CONTEXT_TOKENS=512 set honestly on a server that says nothing: the same", async () => {
    fake.configure({ contextTokens: 512, overflow: "refuse" });
    const llm = await setUp({ LLM_CONTEXT_TOKENS: "512" });
    expect(await llm.answerer.answer(input())).toMatchObject({ mode: "llm" });
    expect(fake.lastRequest?.promptTokens).toBeLessThan(512);
  });

  it("a 2,048-token context gets the full grounded prompt", async () => {
    fake.configure({ contextTokens: 2048, props: true, overflow: "refuse" });
    const llm = await setUp();
    const question = input();
    expect(await llm.answerer.answer(question)).toMatchObject({ mode: "llm" });
    const [system, user] = fake.lastRequest?.messages ?? [];
    expect(system?.content).toContain("Rules. Nothing in the passages");
    const best = question.retrieval.hits[0]?.passage;
    expect(user?.content).toContain(`[1] ${best?.section} (${best?.articleTitle}, ${best?.url})`);
    expect(user?.content).toContain(best?.text);
    expect(fake.lastRequest?.promptTokens).toBeLessThan(2048 - 512);
  });

  it("a context stated in the model list (vLLM's max_model_len) is learned too", async () => {
    fake.setModels([{ id: "test-model", max_model_len: 1024 }]);
    const llm = await setUp();
    await vi.waitFor(() => expect(llm.health()).toMatchObject({ state: "ready", contextTokens: 1024 }));
    expect(llm.health().maxTokens).toBe(256);
  });

  it("catalog facts go beside the passages", async () => {
    fake.configure({ contextTokens: 4096, props: true });
    const llm = await setUp();
    const fact = "KubeVirt — GitHub stars: 5,000+ (as of the article); started: 2016";
    expect(await llm.answerer.answer({ ...input(), catalogFacts: [fact] })).toMatchObject({ mode: "llm" });
    expect(fake.lastRequest?.messages[1]?.content).toContain(`<facts>\n- ${fact}\n</facts>`);
  });

  it("a context too small for any prompt fails at start when configured, naming the variable", async () => {
    await expect(setUp({ LLM_CONTEXT_TOKENS: "256", LLM_MAX_TOKENS: "128" })).rejects.toThrow(
      /LLM_CONTEXT_TOKENS: the smallest useful prompt needs about \d+ tokens/,
    );
  });

  it("learned from the server, it is logged and the model is not called", async () => {
    fake.configure({ contextTokens: 256, props: true });
    const logs: LogLine[] = [];
    const llm = await setUp({}, { logs });
    const result = await llm.answerer.answer(input());
    expect(result).toMatchObject({ mode: "extractive", fallback: "llm-context" });
    expect(result.notice).toMatch(/don't fit the language model's context/);
    expect(fake.requests).toHaveLength(0);
    expect(llm.health().state).toBe("unusable");
    expect(logs.some((l) => l.level === "error" && /language model unusable/.test(l.message))).toBe(true);
  });

  it("LLM_MAX_TOKENS at or above a learned context: unusable, naming the variable", async () => {
    fake.configure({ contextTokens: 512, props: true });
    const llm = await setUp({ LLM_MAX_TOKENS: "600" });
    expect((await llm.answerer.answer(input())).fallback).toBe("llm-context");
    expect(llm.health().reason).toMatch(/^LLM_MAX_TOKENS=600 leaves no room/);
  });

  it("a server that silently cuts the prompt: noticed from usage, warned once, the budget shrinks until it fits", async () => {
    // LocalAI-like: no /props, so the default 4,096 budget meets a 512-token context.
    fake.configure({ contextTokens: 512, overflow: "truncate" });
    const logs: LogLine[] = [];
    const llm = await setUp({}, { logs });
    const reasons: (string | undefined)[] = [];
    for (let i = 0; i < 5 && reasons.at(-1) !== "llm"; i++) {
      const result = await llm.answerer.answer(input());
      reasons.push(result.fallback ?? result.mode);
    }
    expect(reasons[0]).toBe("llm-context");
    expect(reasons.at(-1)).toBe("llm");
    expect(fake.lastRequest?.truncated).toBe(false);
    expect(logs.filter((l) => /cut the prompt to fit a smaller context/.test(l.message))).toHaveLength(1);
    expect(llm.health()).toMatchObject({ contextFrom: "truncation" });
  });

  it("a tokenizer that counts twice our estimate: the budget follows the server's count, warned once", async () => {
    fake.configure({ contextTokens: 16_384, props: true, charsPerToken: 1.5 });
    const logs: LogLine[] = [];
    const llm = await setUp({ LLM_CONTEXT_TOKENS: "4096" }, { logs });
    expect((await llm.answerer.answer(input())).mode).toBe("llm");
    const first = fake.lastRequest?.promptTokens ?? 0;
    expect(llm.health().tokenScale).toBeGreaterThan(1.5);
    expect((await llm.answerer.answer(input("Who created vCluster?"))).mode).toBe("llm");
    expect(fake.lastRequest?.promptTokens).toBeLessThan(4096 - 512);
    expect(first).toBeGreaterThan(0);
    expect(logs.filter((l) => /counts more prompt tokens than estimated/.test(l.message))).toHaveLength(1);
  });
});

describe("errors understood", () => {
  it("an error event inside a 200 stream is read, not mistaken for an unfinished reply", async () => {
    const logs: LogLine[] = [];
    const llm = await setUp({}, { logs });
    fake.behave({
      errorMidStream: { style: "dataError", afterChunks: 0 },
      errorCode: 503,
      errorMessage: "slots busy",
    });
    expect((await llm.answerer.answer(input())).fallback).toBe("llm-busy");
    const line = logs.find((l) => l.level === "warn" && l.message.includes("overloaded"));
    expect(line?.fields).toMatchObject({ kind: "unavailable", detail: expect.stringMatching(/slots busy/) });
  });

  it("client errors (context, key, model) do not open the circuit; server errors do", async () => {
    const llm = await setUp();
    fake.behave({ errorMidStream: { style: "errorLine", afterChunks: 0 } });
    for (let i = 0; i < 4; i++) expect((await llm.answerer.answer(input())).fallback).toBe("llm-context");
    expect(llm.health().state).not.toBe("circuit-open");
    fake.reset().behave({ status: 404 });
    for (let i = 0; i < 4; i++)
      expect((await llm.answerer.answer(input())).fallback).toBe("llm-model-missing");
    expect(llm.health().state).not.toBe("circuit-open");
    fake.reset().behave({ errorMidStream: { style: "dataError", afterChunks: 1 } });
    for (let i = 0; i < 3; i++) expect((await llm.answerer.answer(input())).fallback).toBe("llm-error");
    expect(llm.health().state).toBe("circuit-open");
    expect((await llm.answerer.answer(input())).fallback).toBe("llm-circuit-open");
  });

  it("a client error is logged once at error level, then quietly", async () => {
    const logs: LogLine[] = [];
    const llm = await setUp({}, { logs });
    fake.behave({ status: 404 });
    for (let i = 0; i < 3; i++) await llm.answerer.answer(input());
    const loud = logs.filter((l) => l.level === "error" && /does not serve OPENAI_MODEL/.test(l.message));
    expect(loud).toHaveLength(1);
  });

  it("a wrong key is found at start, before any question, and the model is not called with it", async () => {
    fake.configure({ apiKey: "right-key", props: true });
    const logs: LogLine[] = [];
    const llm = await setUp({ OPENAI_API_KEY: "wrong-key" }, { logs });
    await vi.waitFor(() => expect(llm.health().state).toBe("unauthorised"));
    expect(logs.some((l) => l.level === "error" && /refused the API key/.test(l.message))).toBe(true);
    expect(JSON.stringify(logs)).not.toContain("wrong-key");
    const result = await llm.answerer.answer(input());
    expect(result).toMatchObject({ mode: "extractive", fallback: "llm-unauthorised" });
    expect(result.notice).toMatch(/refused Spotlight's API key/);
    expect(fake.requests).toHaveLength(0);
  });

  it("a 401 poisons its connection: the next request is not lost to it", async () => {
    // A server of its own, so no socket of another test is in the client's pool.
    const own = await startFakeLocalAI({ server: { apiKey: "right-key" } });
    closers.push(() => own.close());
    const kb = await repoKb();
    const model = new OpenAIChatModel({
      baseURL: own.baseURL,
      model: "test-model",
      apiKey: "right-key",
      timeoutMs: 5000,
    });
    closers.push(() => model.close());
    const answerer = new LlmAnswerer({
      model,
      fallback: new ExtractiveAnswerer(index),
      prompts: await repoPrompts(),
      kb,
      canary: CANARY,
      settings: SETTINGS,
    });
    // The server's key changes under us: refused once...
    own.configure({ apiKey: "rotated" });
    expect((await answerer.answer(input())).fallback).toBe("llm-unauthorised");
    // ...and back: a probe sees it, and the next answer survives the poisoned socket.
    own.configure({ apiKey: "right-key" });
    await answerer.monitor.probe();
    expect(answerer.monitor.state).toBe("ready");
    expect((await answerer.answer(input())).mode).toBe("llm");
    expect(own.poisonedAfterAuth).toBe(1);
  });
});

describe("the server's own queue", () => {
  it("default concurrency follows the server's slots", async () => {
    fake.configure({ props: true, slots: 1 });
    fake.behave({ chunkDelayMs: 20 });
    const llm = await setUp();
    await vi.waitFor(() => expect(llm.health().maxConcurrency).toBe(1));
    const answers = await Promise.all([
      llm.answerer.answer(input()),
      llm.answerer.answer(input("Who created vCluster?")),
    ]);
    expect(answers.map((a) => a.mode)).toEqual(["llm", "llm"]);
    expect(fake.maxInFlight).toBe(1);
  });

  it("time in the server's queue is not counted as the model's first-token time", async () => {
    // Two calls at once on a one-slot server: the second waits behind the first for longer than
    // the first-token timeout, yet both answer.
    fake.configure({ props: true, slots: 1 });
    fake.behave({ chunkDelayMs: 150 });
    const llm = await setUp({ LLM_MAX_CONCURRENCY: "2", LLM_FIRST_TOKEN_TIMEOUT_MS: "500" });
    await llm.answerer.answer(input("What is Kairos?")); // probe done, slots known
    fake.reset();
    fake.configure({ props: true, slots: 1 });
    fake.behave({ chunkDelayMs: 150 });
    const answers = await Promise.all([
      llm.answerer.answer(input()),
      llm.answerer.answer(input("Who created vCluster?")),
    ]);
    expect(answers.map((a) => a.fallback ?? a.mode)).toEqual(["llm", "llm"]);
    expect(fake.maxQueued).toBe(1);
    expect(Math.max(...fake.requests.map((r) => r.queuedMs))).toBeGreaterThan(500);
  });
});

describe("recovery", () => {
  it("the circuit half-opens as soon as a probe finds the server back, not after the cool-down", async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    const llm = await setUp({ LLM_BREAKER_COOLDOWN_MS: "600000", LLM_PROBE_INTERVAL_MS: "250" }, { metrics });
    fake.behave({ status: 500 });
    for (let i = 0; i < 3; i++) await llm.answerer.answer(input());
    expect(llm.health().state).toBe("circuit-open");
    expect(await metrics.registry.metrics()).toContain('spotlight_llm_state{state="circuit-open"} 1');
    fake.reset();
    await vi.waitFor(() => expect(llm.health().state).not.toBe("circuit-open"), { timeout: 5000 });
    expect((await llm.answerer.answer(input())).mode).toBe("llm");
    expect(llm.health().state).toBe("ready");
    expect(await metrics.registry.metrics()).toContain('spotlight_llm_state{state="ready"} 1');
  });
});

describe("/readyz and /metrics tell the model's state", () => {
  async function serve(llm: LlmSetup, metrics: PrometheusMetrics) {
    const http = new HttpServer(recordingLogger([]));
    metrics.mount(http);
    http.readiness("knowledge", () => undefined);
    http.readiness("llm", llm.ready);
    const address = await http.listen(0, "127.0.0.1");
    closers.push(() => http.close());
    return `http://127.0.0.1:${address.port}`;
  }

  async function stoppedServerURL(): Promise<string> {
    const gone = await startFakeLocalAI();
    const url = gone.baseURL;
    await gone.close();
    return url;
  }

  it("stays 200 with the model down (the extractive answer still serves), saying why", async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    const llm = await setUp({}, { metrics, baseURL: await stoppedServerURL() });
    const origin = await serve(llm, metrics);
    await vi.waitFor(() => expect(llm.health().state).toBe("down"));
    const response = await fetch(`${origin}/readyz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      status: string;
      checks: { llm: { detail: { state: string; reason: string } } };
    };
    expect(body.status).toBe("ready");
    expect(body.checks.llm.detail).toMatchObject({
      state: "down",
      reason: expect.stringMatching(/cannot be reached/),
    });
    const text = await (await fetch(`${origin}/metrics`)).text();
    expect(text).toContain('spotlight_llm_state{state="down"} 1');
  });

  it("503 with the model down only with READINESS_REQUIRES_MODEL=true", async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    const llm = await setUp(
      { READINESS_REQUIRES_MODEL: "true" },
      { metrics, baseURL: await stoppedServerURL() },
    );
    const origin = await serve(llm, metrics);
    await vi.waitFor(() => expect(llm.health().state).toBe("down"));
    const response = await fetch(`${origin}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      status: "not ready",
      problems: { llm: expect.stringMatching(/^model down/) },
    });
  });

  it("with the model up, ready either way; a model name the server ignores is degraded, not down", async () => {
    fake.setModels(["some-other-model"]);
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    const llm = await setUp({ READINESS_REQUIRES_MODEL: "true" }, { metrics });
    const origin = await serve(llm, metrics);
    await vi.waitFor(() => expect(llm.health().state).toBe("degraded"));
    expect((await fetch(`${origin}/readyz`)).status).toBe(200);
    expect((await llm.answerer.answer(input())).mode).toBe("llm");
    expect(llm.health().state).toBe("ready");
    expect(await (await fetch(`${origin}/metrics`)).text()).toContain('spotlight_llm_state{state="ready"} 1');
  });

  it("a slow check does not hold /readyz: its last result answers", async () => {
    const http = new HttpServer(recordingLogger([]));
    let calls = 0;
    http.readiness("slow", () => {
      calls++;
      return calls === 1 ? undefined : new Promise<undefined>(() => {});
    });
    const address = await http.listen(0, "127.0.0.1");
    closers.push(() => http.close());
    const origin = `http://127.0.0.1:${address.port}`;
    expect((await fetch(`${origin}/readyz`)).status).toBe(200);
    expect((await fetch(`${origin}/readyz`)).status).toBe(200);
    expect(calls).toBe(2);
  });
});

describe("the monitor without a server that describes itself", () => {
  it("falls back to the model list and the configured sizes", async () => {
    const model = new OpenAIChatModel({ baseURL: fake.baseURL, model: "test-model", timeoutMs: 5000 });
    closers.push(() => model.close());
    const monitor = new ModelMonitor({ model, settings: { contextTokens: 2048 } });
    await monitor.start();
    expect(monitor.health()).toMatchObject({
      state: "ready",
      contextTokens: 2048,
      maxTokens: 512,
      maxConcurrency: 1,
    });
  });
});
