/**
 * The LLM path's costs that are ours, not the model's:
 * - prompt tokens per answer (counted with a real BPE tokenizer, cl100k) for the grounded prompt
 *   vs. the whole article pasted into the same template;
 * - the bot's own time per answer with the model's time taken out, against the fake LocalAI with
 *   a known delay (real `openai` client, real HTTP and SSE).
 * Run alone with `npx tsx bench/llm.ts`, or through bench/run.ts.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { countTokens } from "gpt-tokenizer/encoding/cl100k_base";
import { type LlmConfig, loadConfig } from "../src/app/config.js";
import type { ChatMessage, ChatModel, CompleteOptions, Completion } from "../src/core/answer/chat-model.js";
import { ExtractiveAnswerer } from "../src/core/answer/extractive.js";
import { LlmAnswerer, type LlmSettings } from "../src/core/answer/llm-answerer.js";
import { InMemoryConversationMemory } from "../src/core/answer/memory.js";
import { estimateTokens } from "../src/core/answer/prompt-builder.js";
import { fillTemplate, loadPrompts } from "../src/core/answer/prompts.js";
import { Bot } from "../src/core/bot.js";
import { loadEvalSet } from "../src/core/eval/evaluate.js";
import { loadKnowledgeBase } from "../src/core/knowledge/load.js";
import { SearchIndex } from "../src/core/knowledge/search-index.js";
import { detectLanguage } from "../src/core/knowledge/tokenize.js";
import { silentLogger } from "../src/core/logger.js";
import { HttpServer } from "../src/http/server.js";
import { createLlmAnswerer } from "../src/llm/llm-setup.js";
import { OpenAIChatModel } from "../src/llm/openai-chat-model.js";
import { startFakeLocalAI } from "../test/fakes/fake-localai.js";

type Row = Record<string, string | number>;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MODEL_DELAY_MS = 50;
const WARMUP = 20;
const ANSWERS = 200;

const SETTINGS: LlmSettings = {
  stream: true,
  maxTokens: 512,
  temperature: 0.2,
  contextTokens: 4096,
  timeoutMs: 10_000,
  firstTokenTimeoutMs: 5_000,
  maxConcurrency: 2,
  queueSize: 16,
};

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

function stats(measure: string, unit: string, values: number[], digits = 1): Row {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (x: number) => Number(x.toFixed(digits));
  return {
    measure,
    unit,
    n: values.length,
    mean: round(values.reduce((a, b) => a + b, 0) / values.length),
    p50: round(quantile(sorted, 0.5)),
    p99: round(quantile(sorted, 0.99)),
  };
}

const tokensOf = (messages: ChatMessage[]) => messages.reduce((n, m) => n + countTokens(m.content), 0);

/**
 * Times every call of the wrapped model, less the time spent in the bot's own delta handler
 * (streaming post-processing runs inside the call), so the bot's own time can be told apart.
 */
class TimedModel implements ChatModel {
  readonly model: string;
  lastMs = 0;
  constructor(private readonly inner: ChatModel) {
    this.model = inner.model;
  }
  async complete(messages: ChatMessage[], options: CompleteOptions): Promise<Completion> {
    const started = performance.now();
    let inHandler = 0;
    const onDelta = options.onDelta;
    const timedOptions: CompleteOptions = onDelta
      ? {
          ...options,
          onDelta: (delta) => {
            const t = performance.now();
            onDelta(delta);
            inHandler += performance.now() - t;
          },
        }
      : options;
    try {
      return await this.inner.complete(messages, timedOptions);
    } finally {
      this.lastMs = performance.now() - started - inHandler;
    }
  }
  listModels(signal?: AbortSignal): Promise<string[]> {
    return this.inner.listModels(signal);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

export async function bench(): Promise<{ name: string; rows: Row[] }> {
  const kb = await loadKnowledgeBase(path.join(root, "data"));
  const index = new SearchIndex(kb);
  const prompts = await loadPrompts(path.join(root, "prompts"));
  const cases = (await loadEvalSet(path.join(root, "data", "eval", "questions.yaml"))).filter(
    (c) => c.kind === "fact",
  );
  const extractive = new ExtractiveAnswerer(index);
  const rows: Row[] = [];

  // 1. Prompt tokens: grounded (what the bot sends) vs. the whole article in the same template.
  const sizing = new LlmAnswerer({
    model: new TimedModel({} as ChatModel),
    fallback: extractive,
    prompts,
    kb,
    settings: SETTINGS,
  });
  const article = (
    await Promise.all(kb.articles.map((a) => readFile(path.join(root, "data", a.file), "utf8")))
  ).join("\n\n");
  const grounded: number[] = [];
  const whole: number[] = [];
  const estimateRatio: number[] = [];
  for (const c of cases) {
    const language = detectLanguage(c.q);
    const prompt = sizing.prompt({
      question: c.q,
      language,
      retrieval: index.search(c.q, { k: 4 }),
      history: [],
    });
    const system = prompt.messages[0]?.content ?? "";
    const user = fillTemplate(prompts.user, {
      passages: article,
      history: "(none)",
      facts: "(none)",
      language: language === "zh" ? "Simplified Chinese (简体中文)" : "English",
      question: c.q,
    });
    const counted = tokensOf(prompt.messages);
    grounded.push(counted);
    whole.push(
      tokensOf([
        { role: "system", content: system },
        { role: "user", content: user },
      ]),
    );
    estimateRatio.push(prompt.messages.reduce((n, m) => n + estimateTokens(m.content), 0) / counted);
  }
  rows.push(stats("prompt tokens per answer: grounded (top-4 passages)", "tokens", grounded, 0));
  rows.push(stats("prompt tokens per answer: whole article pasted", "tokens", whole, 0));
  rows.push(
    stats(
      "grounded / whole-article tokens",
      "ratio",
      grounded.map((g, i) => g / (whole[i] as number)),
      3,
    ),
  );
  rows.push(stats("bot's token estimate / cl100k count (grounded)", "ratio", estimateRatio, 3));

  // 2. Time per answer against the fake LocalAI with a known delay.
  const fake = await startFakeLocalAI({ behaviour: { delayMs: MODEL_DELAY_MS } });
  const timed = new TimedModel(
    new OpenAIChatModel({ baseURL: fake.baseURL, model: "test-model", timeoutMs: 10_000 }),
  );
  try {
    const llmBot = new Bot({
      kb,
      index,
      answerer: new LlmAnswerer({ model: timed, fallback: extractive, prompts, kb, settings: SETTINGS }),
      memory: new InMemoryConversationMemory(),
    });
    const extractiveBot = new Bot({ kb, index, memory: new InMemoryConversationMemory() });
    const wall: number[] = [];
    const own: number[] = [];
    const ownWithHttp: number[] = [];
    const extractiveMs: number[] = [];
    for (let i = 0; i < WARMUP + ANSWERS; i++) {
      const c = cases[i % cases.length];
      if (!c) break;
      const request = {
        kind: "question" as const,
        platform: "cli" as const,
        conversationId: `bench:${i}`,
        userId: "bench",
        text: c.q,
      };
      timed.lastMs = 0;
      const started = performance.now();
      const reply = await llmBot.handle(request, { onEvent: () => undefined });
      const ms = performance.now() - started;
      const t0 = performance.now();
      await extractiveBot.handle(request);
      const extractiveTime = performance.now() - t0;
      if (reply.mode !== "llm") throw new Error(`bench answer ${i} fell back: ${reply.fallback}`);
      if (i < WARMUP) continue;
      wall.push(ms);
      own.push(ms - timed.lastMs);
      ownWithHttp.push(ms - MODEL_DELAY_MS);
      extractiveMs.push(extractiveTime);
    }
    rows.push(stats(`wall time per answer, fake model delay ${MODEL_DELAY_MS} ms`, "ms", wall, 2));
    rows.push(stats("bot's own time per answer: wall - time inside the model client", "ms", own, 2));
    rows.push(
      stats(
        `bot's own time incl. HTTP + SSE client: wall - the fake's ${MODEL_DELAY_MS} ms`,
        "ms",
        ownWithHttp,
        2,
      ),
    );
    rows.push(stats("extractive answer, for comparison", "ms", extractiveMs, 2));
  } finally {
    await timed.close();
    await fake.close();
  }

  // 3. Small contexts: what the prompt costs (cl100k) when fitted to 512 and 2,048 tokens.
  for (const contextTokens of [512, 2048]) {
    const fitted = new LlmAnswerer({
      model: new TimedModel({} as ChatModel),
      fallback: extractive,
      prompts,
      kb,
      settings: { ...SETTINGS, contextTokens, maxTokens: Math.min(512, Math.floor(contextTokens / 4)) },
    });
    const sizes = cases.map((c) =>
      tokensOf(
        fitted.prompt({
          question: c.q,
          language: detectLanguage(c.q),
          retrieval: index.search(c.q, { k: 4 }),
          history: [],
        }).messages,
      ),
    );
    rows.push(stats(`prompt tokens fitted to a ${contextTokens}-token context`, "tokens", sizes, 0));
  }

  // 4. How soon each failure gives the marked fallback, and how fast /readyz answers meanwhile.
  rows.push(...(await faultTimings(kb, index, prompts, extractive, cases[0]?.q ?? "Who uses KubeVirt?")));
  return { name: "llm", rows };
}

async function faultTimings(
  kb: Awaited<ReturnType<typeof loadKnowledgeBase>>,
  index: SearchIndex,
  prompts: Awaited<ReturnType<typeof loadPrompts>>,
  extractive: ExtractiveAnswerer,
  question: string,
): Promise<Row[]> {
  const rows: Row[] = [];
  const fake = await startFakeLocalAI();
  const gone = await startFakeLocalAI();
  const goneURL = gone.baseURL;
  await gone.close();
  const settings = { ...SETTINGS, firstTokenTimeoutMs: 500, timeoutMs: 1500 };
  const input = () => ({
    question,
    language: detectLanguage(question),
    retrieval: index.search(question, { k: 4 }),
    history: [],
  });
  const faults: [string, string, () => void][] = [
    ["HTTP 500", fake.baseURL, () => fake.behave({ status: 500 })],
    [
      "error event inside a 200 stream",
      fake.baseURL,
      () => fake.behave({ errorMidStream: { afterChunks: 0 } }),
    ],
    ["server stopped (connection refused)", goneURL, () => undefined],
    ["no first token (first-token timeout 500 ms)", fake.baseURL, () => fake.behave({ hang: true })],
  ];
  try {
    for (const [name, baseURL, arrange] of faults) {
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        fake.reset();
        arrange();
        const model = new OpenAIChatModel({ baseURL, model: "test-model", timeoutMs: 5000 });
        const answerer = new LlmAnswerer({ model, fallback: extractive, prompts, kb, settings });
        const started = performance.now();
        const result = await answerer.answer(input());
        times.push(performance.now() - started);
        await model.close();
        if (result.mode !== "extractive") throw new Error(`${name}: no fallback`);
      }
      rows.push(stats(`fallback after: ${name}`, "ms", times, 1));
    }
    // /readyz while the model is down: answered from cached state.
    const llm = await createLlmAnswerer(
      loadConfig({ OPENAI_BASE_URL: goneURL, OPENAI_MODEL: "test-model" }).llm as LlmConfig,
      path.join(root, "prompts"),
      kb,
      extractive,
      silentLogger,
    );
    const http = new HttpServer(silentLogger);
    http.readiness("llm", llm.ready);
    const address = await http.listen(0, "127.0.0.1");
    const readyz: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${address.port}/readyz`);
      await response.text();
      readyz.push(performance.now() - started);
    }
    rows.push(stats("/readyz with the model down (Kubernetes' probe timeout: 1,000 ms)", "ms", readyz, 2));
    await http.close();
    await llm.close();
  } finally {
    await fake.close();
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await bench();
  console.log(result.name);
  console.table(result.rows);
}
