import { BotError } from "../errors.js";
import type { Passage } from "../knowledge/knowledge-base.js";
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

const LANGUAGE_NAMES: Record<Language, string> = {
  en: "English",
  zh: "Simplified Chinese (简体中文)",
};

/**
 * A conservative token estimate without the served model's tokenizer (which the bot cannot know):
 * English runs 3 to 4 characters a token, CJK up to one and a half tokens a character (cl100k).
 * Overestimating only means one passage fewer; underestimating means a server silently truncates.
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

/** Not even the rules, the question and one passage fit in LLM_CONTEXT_TOKENS minus LLM_MAX_TOKENS. */
export class PromptTooLargeError extends BotError {
  constructor(
    readonly needed: number,
    readonly available: number,
  ) {
    super(
      "bad-config",
      `the prompt needs about ${needed} tokens but LLM_CONTEXT_TOKENS - LLM_MAX_TOKENS leaves ${available}`,
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
  /** Earlier turns, oldest first. */
  history: Turn[];
  contextTokens: number;
  maxTokens: number;
}

export interface BuiltPrompt {
  messages: ChatMessage[];
  /** The passages in the prompt, numbered [1]..[n] in this order. */
  passages: Passage[];
  /** How many of the most recent turns made it into the prompt. */
  historyTurns: number;
  estimatedTokens: number;
}

// Our own delimiters, so text inside a value can never close its block and pose as instructions.
const DELIMITERS = /<\s*(\/?)\s*(passages|conversation|question)\s*>/gi;
const defuse = (text: string) => text.replace(DELIMITERS, "‹$1$2›");

const stripCitations = (text: string) => text.replace(/\s*\[\d+\]/g, "");

function formatPassage(passage: Passage, n: number): string {
  const links = passage.links.length > 0 ? `\nLinks: ${passage.links.join(" ")}` : "";
  return `[${n}] ${passage.section} (${passage.articleTitle}, ${passage.url})${links}\n${defuse(passage.text)}`;
}

function formatTurn(turn: Turn): string {
  let answer = stripCitations(turn.answer).trim();
  if (answer.length > HISTORY_ANSWER_CHARS) answer = `${answer.slice(0, HISTORY_ANSWER_CHARS)}…`;
  return `User: ${defuse(turn.question)}\nSpotlight: ${defuse(answer)}`;
}

/** The system prompt with its canary, for checks on what the model writes back. */
export function systemPrompt(templates: PromptTemplates, canary: string): string {
  return fillTemplate(templates.system, { canary });
}

/**
 * System rules + a user message holding the passages, the recent conversation and the question,
 * fitted into the context window: the conversation gets at most a quarter of it (newest turns
 * first), the passages the rest (best first); whatever does not fit is left out.
 */
export function buildPrompt(input: PromptInput): BuiltPrompt {
  const system = systemPrompt(input.templates, input.canary);
  const question = defuse(input.question);
  const language = LANGUAGE_NAMES[input.language];
  const skeleton = fillTemplate(input.templates.user, { passages: "", history: "", language, question });
  const available = input.contextTokens - input.maxTokens;
  const fixed = estimateTokens(system) + estimateTokens(skeleton) + 2 * MESSAGE_OVERHEAD_TOKENS;

  const turns = input.history.map(formatTurn);
  const turnCost = turns.map((t) => estimateTokens(t) + 1);
  const allHistory = turnCost.reduce((a, b) => a + b, 0);
  const historyReserve = Math.min(allHistory, Math.floor(available * HISTORY_SHARE));

  const chosen: Passage[] = [];
  const blocks: string[] = [];
  let used = fixed;
  for (const passage of input.passages) {
    const block = formatPassage(passage, chosen.length + 1);
    const cost = estimateTokens(block) + 1;
    if (used + cost + historyReserve > available) continue;
    chosen.push(passage);
    blocks.push(block);
    used += cost;
  }
  if (chosen.length === 0) {
    const smallest = Math.min(...input.passages.map((p) => estimateTokens(formatPassage(p, 1)) + 1));
    throw new PromptTooLargeError(fixed + (Number.isFinite(smallest) ? smallest : 0), available);
  }

  const kept: string[] = [];
  for (let i = turns.length - 1; i >= 0; i--) {
    const cost = turnCost[i] as number;
    if (used + cost > available) break;
    kept.unshift(turns[i] as string);
    used += cost;
  }

  const user = fillTemplate(input.templates.user, {
    passages: blocks.join("\n\n"),
    history: kept.length > 0 ? kept.join("\n\n") : "(none)",
    language,
    question,
  });
  return {
    messages: [
      { role: "system", content: system },
      { role: "user", content: user },
    ],
    passages: chosen,
    historyTurns: kept.length,
    estimatedTokens: used,
  };
}
