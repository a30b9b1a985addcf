import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { ExtractiveAnswerer } from "../../src/core/answer/extractive.js";
import { LlmAnswerer, type LlmSettings } from "../../src/core/answer/llm-answerer.js";
import type { PromptTemplates } from "../../src/core/answer/prompts.js";
import type { KnowledgeBase } from "../../src/core/knowledge/knowledge-base.js";
import { SearchIndex } from "../../src/core/knowledge/search-index.js";
import { OpenAIChatModel } from "../../src/llm/openai-chat-model.js";
import { type FakeLocalAI, startFakeLocalAI } from "../fakes/fake-localai.js";
import { CANARY, repoKb, repoPrompts, SETTINGS } from "./helpers.js";

/** The LLM answerer with the real `openai` client, against the fake LocalAI, for one test file. */
export interface FakeLocalAIEnv {
  readonly fake: FakeLocalAI;
  readonly kb: KnowledgeBase;
  readonly index: SearchIndex;
  readonly prompts: PromptTemplates;
  /** A real client and the answerer over it; the client is closed after the test. */
  answerer(
    settings: Partial<LlmSettings>,
    client?: { baseURL?: string; timeoutMs?: number },
  ): { model: OpenAIChatModel; answerer: LlmAnswerer };
}

/** Starts the fake LocalAI once per file, resets it before each test, closes clients after each. */
export function useFakeLocalAI(): FakeLocalAIEnv {
  let fake: FakeLocalAI | undefined;
  let kb: KnowledgeBase | undefined;
  let index: SearchIndex | undefined;
  let prompts: PromptTemplates | undefined;
  const clients: OpenAIChatModel[] = [];
  beforeAll(async () => {
    fake = await startFakeLocalAI();
    kb = await repoKb();
    index = new SearchIndex(kb);
    prompts = await repoPrompts();
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => {
    fake?.reset();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the fake LocalAI is used before beforeAll ran");
    return value;
  };
  const env: FakeLocalAIEnv = {
    get fake() {
      return ready(fake);
    },
    get kb() {
      return ready(kb);
    },
    get index() {
      return ready(index);
    },
    get prompts() {
      return ready(prompts);
    },
    answerer(settings, client = {}) {
      const model = new OpenAIChatModel({
        baseURL: client.baseURL ?? env.fake.baseURL,
        model: "test-model",
        timeoutMs: client.timeoutMs ?? 5000,
      });
      clients.push(model);
      const answerer = new LlmAnswerer({
        model,
        fallback: new ExtractiveAnswerer(env.index),
        prompts: env.prompts,
        kb: env.kb,
        canary: CANARY,
        settings: { ...SETTINGS, ...settings },
      });
      return { model, answerer };
    },
  };
  return env;
}
