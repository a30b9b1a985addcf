import { BotError } from "../errors.js";
import type { Passage } from "../knowledge/knowledge-base.js";
import { tokenize } from "../knowledge/tokenize.js";
import type { Language } from "../types.js";
import type { Turn } from "./answerer.js";
import type { ChatMessage } from "./chat-model.js";
import { fillTemplate, type PromptTemplates } from "./prompts.js";

/** Tokens a chat template adds around each message (role markers, separators). */
const MESSAGE_OVERHEAD_TOKENS = 8;
/** The conversation may take at most this share of the prompt budget: passages ground the answer. */
const HISTORY_SHARE = 0.25;
/** A remembered answer is context, not a source: a shortened one is enough to resolve "it". */
const HISTORY_ANSWER_CHARS = 400;
/** Below this, a shortened passage is too thin to ground an answer: one short sentence. */
export const MIN_PASSAGE_TOKENS = 40;
/** A typical question's length, for the smallest useful prompt checked at start. */
const TYPICAL_QUESTION = "Which companies use KubeVirt in production today?";

const LANGUAGE_NAMES: Record<Language, string> = {
  en: "English",
  zh: "Simplified Chinese (简体中文)",
};

/**
 * A conservative token estimate without the served model's tokenizer (which the bot cannot know):
 * English runs 3 to 4 characters a token, CJK up to one and a half tokens a character (cl100k).
 * Overestimating only means one passage fewer; underestimating means a server silently truncates.
 * A server seen counting more than this corrects it through `tokenScale`.
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const ch of text) {
    if (ch.charCodeAt(0) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 3 + other * 1.5);
}

/** Not even the rules, the question and one shortened passage fit in the context minus the reply. */
export class PromptTooLargeError extends BotError {
  constructor(
    readonly needed: number,
    readonly available: number,
  ) {
    super(
      "bad-config",
      `the smallest prompt needs about ${needed} tokens but the context minus the reply (max tokens) leaves ${available}`,
    );
    this.name = "PromptTooLargeError";
  }
}

export interface PromptInput {
  templates: PromptTemplates;
  canary: string;
  question: string;
  language: Language;
  /** Retrieved passages, best first. */
  passages: Passage[];
  /** Compact catalog lines ("KubeVirt — GitHub stars: 5,000+; started: 2016"), most relevant first. */
  catalogFacts?: string[];
  /** Details the question asks that the article does not state, in the user's words (a hedge). */
  unstated?: string[];
  /** Earlier turns, oldest first. */
  history: Turn[];
  contextTokens: number;
  maxTokens: number;
  /** Multiplies every estimate; above 1 once the server was seen counting more tokens than estimated. */
  tokenScale?: number;
}

/** `full`: the whole rules and passages with their sources; `short`: for small contexts. */
export type PromptVariant = "full" | "short";

export interface BuiltPrompt {
  messages: ChatMessage[];
  /** The passages in the prompt, numbered [1]..[n] in this order (shortened ones keep their source). */
  passages: Passage[];
  /** How many of the most recent turns made it into the prompt. */
  historyTurns: number;
  /** How many catalog facts made it into the prompt. */
  facts: number;
  /** How many passages were cut down to their sentences closest to the question. */
  shortened: number;
  variant: PromptVariant;
  estimatedTokens: number;
  /** The reply cap the prompt was budgeted with: send it as max_tokens. */
  maxTokens: number;
}

// Our own delimiters, so text inside a value can never close its block and pose as instructions.
const DELIMITERS = /<\s*(\/?)\s*(passages|facts|conversation|question)\s*>/gi;
const defuse = (text: string) => text.replace(DELIMITERS, "‹$1$2›");

const stripCitations = (text: string) => text.replace(/\s*\[\d+\]/g, "");

function formatPassage(passage: Passage, n: number, variant: PromptVariant, text = passage.text): string {
  // The short form drops the article title, URL and links: the answer's sources carry them anyway.
  if (variant === "short") return `[${n}] ${passage.section}\n${defuse(text)}`;
  const links = passage.links.length > 0 ? `\nLinks: ${passage.links.join(" ")}` : "";
  return `[${n}] ${passage.section} (${passage.articleTitle}, ${passage.url})${links}\n${defuse(text)}`;
}

function formatTurn(turn: Turn): string {
  let answer = stripCitations(turn.answer).trim();
  if (answer.length > HISTORY_ANSWER_CHARS) answer = `${answer.slice(0, HISTORY_ANSWER_CHARS)}…`;
  return `User: ${defuse(turn.question)}\nSpotlight: ${defuse(answer)}`;
}

const SENTENCE = /[^.!?。！？\n]+(?:[.!?。！？]+|\n|$)/gu;

/**
 * The passage's sentences closest to the question, in their original order, within `budget`
 * tokens; undefined when not even a useful piece fits. A small context keeps the sentence that
 * answers rather than the passage's opening.
 */
export function shortenPassage(
  text: string,
  question: string,
  budget: number,
  estimate: (text: string) => number,
): string | undefined {
  if (budget < MIN_PASSAGE_TOKENS) return undefined;
  const sentences = (text.match(SENTENCE) ?? []).map((s) => s.trim()).filter(Boolean);
  const wanted = new Set(tokenize(question));
  const scored = sentences.map((s, i) => ({
    i,
    s,
    score: tokenize(s).filter((t) => wanted.has(t)).length,
  }));
  const picked = new Set<number>();
  let used = 0;
  for (const { i, s } of [...scored].sort((a, b) => b.score - a.score || a.i - b.i)) {
    const cost = estimate(`${s} … `);
    if (used + cost > budget) continue;
    picked.add(i);
    used += cost;
  }
  if (picked.size === 0) {
    // Not one whole sentence fits: the best one, cut to the budget.
    const best = [...scored].sort((a, b) => b.score - a.score || a.i - b.i)[0]?.s ?? text;
    let cut = best;
    while (cut.length > 0 && estimate(`${cut}…`) > budget) cut = cut.slice(0, Math.floor(cut.length * 0.8));
    return cut.length >= 20 ? `${cut.trimEnd()}…` : undefined;
  }
  const parts: string[] = [];
  let last = -1;
  for (const i of [...picked].sort((a, b) => a - b)) {
    if (last >= 0 && i !== last + 1) parts.push("…");
    parts.push(sentences[i] as string);
    last = i;
  }
  if (last < sentences.length - 1) parts.push("…");
  return parts.join(" ");
}

/** The system prompt with its canary, for checks on what the model writes back. */
export function systemPrompt(
  templates: PromptTemplates,
  canary: string,
  variant: PromptVariant = "full",
): string {
  return fillTemplate(variant === "short" ? templates.systemShort : templates.system, { canary });
}

function userTemplate(templates: PromptTemplates, variant: PromptVariant): string {
  return variant === "short" ? templates.userShort : templates.user;
}

function fillUser(
  template: string,
  values: { passages: string; facts: string; history: string; language: string; question: string },
): string {
  // A custom template without {{facts}} still gets them, after the passages.
  if (!template.includes("{{facts}}") && values.facts && values.facts !== "(none)")
    return fillTemplate(template, { ...values, passages: `${values.passages}\n\nFacts:\n${values.facts}` });
  return fillTemplate(template, values);
}

/**
 * The tokens the smallest useful prompt takes: the short rules, a typical question and one
 * passage cut to a sentence. When even that and the reply do not fit the context, the model
 * cannot be used at all and Spotlight says so at start.
 */
export function smallestPromptTokens(templates: PromptTemplates, canary: string, tokenScale = 1): number {
  const estimate = (text: string) => Math.ceil(estimateTokens(text) * tokenScale);
  const skeleton = fillUser(templates.userShort, {
    passages: "",
    facts: "(none)",
    history: "(none)",
    language: LANGUAGE_NAMES.en,
    question: TYPICAL_QUESTION,
  });
  return (
    estimate(systemPrompt(templates, canary, "short")) +
    estimate(skeleton) +
    2 * MESSAGE_OVERHEAD_TOKENS +
    Math.ceil(MIN_PASSAGE_TOKENS * tokenScale)
  );
}

/**
 * System rules + a user message holding the passages, catalog facts, the recent conversation and
 * the question, fitted into the context window minus the reply. When the whole rules and the best
 * passage do not fit, the short variant is used (short rules, compact passages). Room goes to the
 * passages first (best first; one that does not fit whole is cut to the sentences closest to the
 * question), then the facts, then the conversation (newest first): so under pressure the
 * conversation is dropped first, then the facts, then passages. In a roomy context the
 * conversation keeps up to a quarter of it from lesser passages, for follow-up questions.
 */
export function buildPrompt(input: PromptInput): BuiltPrompt {
  const scale = Math.max(1, input.tokenScale ?? 1);
  const estimate = (text: string) => Math.ceil(estimateTokens(text) * scale);
  const available = input.contextTokens - input.maxTokens;
  const question = defuse(input.question);
  const language = LANGUAGE_NAMES[input.language];
  const fixedCost = (variant: PromptVariant) =>
    estimate(systemPrompt(input.templates, input.canary, variant)) +
    estimate(
      fillUser(userTemplate(input.templates, variant), {
        passages: "",
        facts: "(none)",
        history: "(none)",
        language,
        question,
      }),
    ) +
    2 * MESSAGE_OVERHEAD_TOKENS;

  const best = input.passages[0];
  const fullFits =
    best !== undefined && fixedCost("full") + estimate(formatPassage(best, 1, "full")) + 1 <= available;
  const variant: PromptVariant = fullFits ? "full" : "short";
  const fixed = fixedCost(variant);

  const turns = input.history.map(formatTurn);
  const turnCost = turns.map((t) => estimate(t) + 1);
  const allHistory = turnCost.reduce((a, b) => a + b, 0);
  let reserve = Math.min(allHistory, Math.floor(available * HISTORY_SHARE));
  // The conversation goes first: it never pushes out the best passage.
  if (best && fixed + estimate(formatPassage(best, 1, variant)) + 1 + reserve > available) reserve = 0;

  const chosen: Passage[] = [];
  const blocks: string[] = [];
  let shortened = 0;
  let used = fixed;
  for (const passage of input.passages) {
    const n = chosen.length + 1;
    const block = formatPassage(passage, n, variant);
    const cost = estimate(block) + 1;
    if (used + cost + reserve <= available) {
      chosen.push(passage);
      blocks.push(block);
      used += cost;
      continue;
    }
    const room = available - used - reserve - estimate(formatPassage(passage, n, variant, "")) - 1;
    const short = shortenPassage(passage.text, input.question, room, estimate);
    if (short === undefined) continue;
    const shortBlock = formatPassage(passage, n, variant, short);
    chosen.push(passage);
    blocks.push(shortBlock);
    used += estimate(shortBlock) + 1;
    shortened++;
  }
  if (chosen.length === 0)
    throw new PromptTooLargeError(fixed + Math.ceil(MIN_PASSAGE_TOKENS * scale), available);

  const facts: string[] = [];
  // Said first: the model must not fill the gap the question asks about.
  const gaps = (input.unstated ?? []).map((d) => `Not stated in the article: ${d}`);
  for (const fact of [...gaps, ...(input.catalogFacts ?? [])]) {
    const line = `- ${defuse(fact)}`;
    const cost = estimate(line) + 1;
    // Facts may take the conversation's reserve: under pressure the conversation goes first.
    if (used + cost > available) continue;
    facts.push(line);
    used += cost;
  }

  const kept: string[] = [];
  for (let i = turns.length - 1; i >= 0; i--) {
    const cost = turnCost[i] as number;
    if (used + cost > available) break;
    kept.unshift(turns[i] as string);
    used += cost;
  }

  const user = fillUser(userTemplate(input.templates, variant), {
    passages: blocks.join("\n\n"),
    facts: facts.length > 0 ? facts.join("\n") : "(none)",
    history: kept.length > 0 ? kept.join("\n\n") : "(none)",
    language,
    question,
  });
  return {
    messages: [
      { role: "system", content: systemPrompt(input.templates, input.canary, variant) },
      { role: "user", content: user },
    ],
    passages: chosen,
    historyTurns: kept.length,
    facts: facts.length,
    shortened,
    variant,
    estimatedTokens: used,
    maxTokens: input.maxTokens,
  };
}
