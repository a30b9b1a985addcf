import { describe, expect, it } from "vitest";
import {
  buildPrompt,
  estimateTokens,
  MIN_PASSAGE_TOKENS,
  type PromptInput,
  shortenPassage,
  smallestPromptTokens,
} from "../../src/core/answer/prompt-builder.js";
import { SearchIndex } from "../../src/core/knowledge/search-index.js";
import { CANARY, repoKb, repoPrompts } from "./helpers.js";

const QUESTION = "Which companies use KubeVirt?";
const FACTS = [
  "KubeVirt — GitHub stars: 5,000+ (as of the article); started: 2016",
  "KubeVirt — users: Nvidia, Cloudflare",
];

async function base(overrides: Partial<PromptInput> = {}): Promise<PromptInput> {
  const kb = await repoKb();
  const hits = new SearchIndex(kb).search(QUESTION, { k: 4 }).hits;
  return {
    templates: await repoPrompts(),
    canary: CANARY,
    question: QUESTION,
    language: "en",
    passages: hits.map((h) => h.passage),
    catalogFacts: FACTS,
    history: Array.from({ length: 4 }, (_, i) => ({
      question: `an earlier question ${i} about KubeVirt`,
      answer: "An earlier answer of some length about the project and its users. ".repeat(3),
      projectIds: [],
      at: i,
    })),
    contextTokens: 8192,
    maxTokens: 512,
    ...overrides,
  };
}

describe("fitting the prompt to the model's context", () => {
  it("a large context gets the full rules, every passage whole, the facts and the conversation", async () => {
    const prompt = buildPrompt(await base());
    expect(prompt).toMatchObject({ variant: "full", shortened: 0, facts: 2, historyTurns: 4 });
    expect(prompt.passages).toHaveLength(4);
    expect(prompt.messages[1]?.content).toContain(`- ${FACTS[0]}`);
  });

  it("a 512-token context gets the short rules and the sentence that answers, within the budget", async () => {
    const input = await base({ contextTokens: 512, maxTokens: 128 });
    const prompt = buildPrompt(input);
    expect(prompt.variant).toBe("short");
    expect(prompt.historyTurns).toBe(0);
    expect(prompt.passages.length).toBeGreaterThan(0);
    expect(prompt.messages[0]?.content).toContain("The article doesn't say");
    expect(prompt.messages[1]?.content).toMatch(/Nvidia|Cloudflare/);
    expect(estimateTokens(prompt.messages.map((m) => m.content).join("\n"))).toBeLessThanOrEqual(512 - 128);
  });

  it("under pressure drops the conversation first, then the facts, then passages", async () => {
    const seen: { history: number; facts: number; passages: number }[] = [];
    for (let context = 4096; context >= 600; context -= 100) {
      const p = buildPrompt(await base({ contextTokens: context, maxTokens: 128 }));
      seen.push({ history: p.historyTurns, facts: p.facts, passages: p.passages.length });
    }
    // Whenever facts are short of all, the conversation is already gone; whenever passages are
    // fewer than at the start, the facts are gone too.
    for (const s of seen) {
      if (s.facts < FACTS.length) expect(s.history).toBe(0);
    }
    const fewestPassages = seen.at(-1);
    expect(fewestPassages?.history).toBe(0);
    expect(seen[0]?.history).toBeGreaterThan(0);
  });

  it("a server counting more tokens (tokenScale) makes less fit", async () => {
    const plain = buildPrompt(await base({ contextTokens: 2048, maxTokens: 256 }));
    const scaled = buildPrompt(await base({ contextTokens: 2048, maxTokens: 256, tokenScale: 2 }));
    expect(scaled.estimatedTokens).toBeLessThanOrEqual(2048 - 256);
    const size = (p: typeof plain) => p.messages.reduce((n, m) => n + m.content.length, 0);
    expect(size(scaled)).toBeLessThan(size(plain));
  });

  it("sends the reply cap it was budgeted with", async () => {
    expect(buildPrompt(await base({ contextTokens: 1024, maxTokens: 200 })).maxTokens).toBe(200);
  });

  it("the smallest useful prompt fits a 512-token context with a 128-token reply", async () => {
    const smallest = smallestPromptTokens(await repoPrompts(), CANARY);
    expect(smallest).toBeLessThan(512 - 128);
    expect(smallestPromptTokens(await repoPrompts(), CANARY, 2)).toBeGreaterThan(smallest);
  });
});

describe("shortenPassage", () => {
  const text =
    "KubeVirt started at Red Hat. It runs virtual machines on Kubernetes. Companies such as Nvidia and Cloudflare use it in production. It joined the CNCF in 2017.";

  it("keeps the sentences closest to the question, in their order, marking the gaps", () => {
    const short = shortenPassage(text, "Which companies use KubeVirt?", 40, estimateTokens);
    expect(short).toContain("Companies such as Nvidia and Cloudflare use it in production.");
    expect(short).toMatch(/…/);
    expect(estimateTokens(short ?? "")).toBeLessThanOrEqual(40);
  });

  it("gives nothing below a useful size", () => {
    expect(shortenPassage(text, "Which companies?", MIN_PASSAGE_TOKENS - 1, estimateTokens)).toBeUndefined();
  });
});
