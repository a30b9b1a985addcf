import path from "node:path";
import { fileURLToPath } from "node:url";
import { InMemoryAnswerCache } from "../../src/core/answer/answer-cache.js";
import type { AnswerInput } from "../../src/core/answer/answerer.js";
import {
  type ChatMessage,
  type ChatModel,
  ChatModelError,
  type CompleteOptions,
  type Completion,
} from "../../src/core/answer/chat-model.js";
import { ExtractiveAnswerer } from "../../src/core/answer/extractive.js";
import { LlmAnswerer, type LlmAnswererDeps, type LlmSettings } from "../../src/core/answer/llm-answerer.js";
import { loadPrompts, type PromptTemplates } from "../../src/core/answer/prompts.js";
import type { KnowledgeBase } from "../../src/core/knowledge/knowledge-base.js";
import { loadKnowledgeBase } from "../../src/core/knowledge/load.js";
import { SearchIndex } from "../../src/core/knowledge/search-index.js";
import { detectLanguage } from "../../src/core/knowledge/tokenize.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const dataDir = path.join(repoRoot, "data");
export const promptsDir = path.join(repoRoot, "prompts");
export const CANARY = "SPOTLIGHT-CANARY-TEST0000";

let kb: Promise<KnowledgeBase> | undefined;
let prompts: Promise<PromptTemplates> | undefined;

export function repoKb(): Promise<KnowledgeBase> {
  kb ??= loadKnowledgeBase(dataDir);
  return kb;
}

export function repoPrompts(): Promise<PromptTemplates> {
  prompts ??= loadPrompts(promptsDir);
  return prompts;
}

/** What one call of the fake model does. */
export type Step =
  | {
      /** Text of the reply, streamed word by word unless `chunks` splits it otherwise. */
      reply: string;
      chunks?: string[];
      finishReason?: string | null;
      /** Stall forever (until aborted) after this many chunks. */
      stallAfter?: number;
    }
  | { error: ChatModelError; afterChunks?: string[] }
  /** Never answer; `ignoreAbort` models a client that does not honour its signal. */
  | { hang: true; ignoreAbort?: boolean };

export const GOOD_REPLY = "KubeVirt is used by Nvidia and Cloudflare [1].";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const fail = () => reject(new ChatModelError("aborted", "aborted"));
    if (signal.aborted) fail();
    signal.addEventListener("abort", fail, { once: true });
  });
}

/** A scripted ChatModel: records every call and plays queued steps (then `fallbackStep`). */
export class FakeChatModel implements ChatModel {
  readonly model = "fake-model";
  readonly calls: { messages: ChatMessage[]; options: CompleteOptions }[] = [];
  models: string[] = ["fake-model"];
  listError: Error | undefined;
  fallbackStep: Step = { reply: GOOD_REPLY };
  private readonly steps: Step[] = [];

  queue(...steps: Step[]): this {
    this.steps.push(...steps);
    return this;
  }

  always(step: Step): this {
    this.fallbackStep = step;
    return this;
  }

  async complete(messages: ChatMessage[], options: CompleteOptions): Promise<Completion> {
    this.calls.push({ messages, options });
    const step = this.steps.shift() ?? this.fallbackStep;
    if ("hang" in step) {
      if (step.ignoreAbort) return new Promise<never>(() => undefined);
      return untilAborted(options.signal);
    }
    const chunks =
      "error" in step ? (step.afterChunks ?? []) : (step.chunks ?? step.reply.match(/\S+\s*/g) ?? []);
    let text = "";
    for (const [i, chunk] of chunks.entries()) {
      if ("reply" in step && step.stallAfter === i) await untilAborted(options.signal);
      await tick();
      if (options.signal.aborted) throw new ChatModelError("aborted", "aborted");
      text += chunk;
      if (options.stream) options.onDelta?.(chunk);
    }
    if ("error" in step) throw step.error;
    await tick();
    return { text, finishReason: step.finishReason === undefined ? "stop" : step.finishReason };
  }

  async listModels(): Promise<string[]> {
    if (this.listError) throw this.listError;
    return this.models;
  }

  async close(): Promise<void> {}

  get lastPrompt(): { system: string; user: string } {
    const call = this.calls.at(-1);
    return { system: call?.messages[0]?.content ?? "", user: call?.messages[1]?.content ?? "" };
  }
}

export const SETTINGS: LlmSettings = {
  stream: true,
  maxTokens: 256,
  temperature: 0.2,
  contextTokens: 4096,
  timeoutMs: 2000,
  firstTokenTimeoutMs: 500,
  maxConcurrency: 2,
  queueSize: 4,
};

export interface Harness {
  kb: KnowledgeBase;
  index: SearchIndex;
  model: FakeChatModel;
  answerer: LlmAnswerer;
  extractive: ExtractiveAnswerer;
  /** An answer input for `question`, retrieved as QuestionService would (no history). */
  input: (question: string, extra?: Partial<AnswerInput>) => AnswerInput;
}

export async function harness(
  overrides: Partial<Omit<LlmAnswererDeps, "settings">> & { settings?: Partial<LlmSettings> } = {},
): Promise<Harness> {
  const kb = await repoKb();
  const index = new SearchIndex(kb);
  const model = overrides.model instanceof FakeChatModel ? overrides.model : new FakeChatModel();
  const extractive = new ExtractiveAnswerer(index);
  const answerer = new LlmAnswerer({
    fallback: extractive,
    prompts: await repoPrompts(),
    kb,
    canary: CANARY,
    ...overrides,
    model,
    settings: { ...SETTINGS, ...overrides.settings },
  });
  return {
    kb,
    index,
    model,
    answerer,
    extractive,
    input: (question, extra = {}) => ({
      question,
      language: detectLanguage(question),
      retrieval: index.search(question, { k: 4 }),
      history: [],
      ...extra,
    }),
  };
}

export const newCache = () => new InMemoryAnswerCache();
