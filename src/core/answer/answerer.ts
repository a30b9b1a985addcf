import type { SearchResult } from "../knowledge/search-index.js";
import type { AnswerMode, FallbackReason, Language, ReplyProgress, Source } from "../types.js";
import type { Understanding } from "./understand.js";

/** One question and answer of a conversation, as memory keeps it. */
export interface Turn {
  question: string;
  answer: string;
  projectIds: string[];
  at: number;
}

export interface AnswerInput {
  question: string;
  language: Language;
  retrieval: SearchResult;
  /** Earlier turns of this conversation, oldest first. */
  history: Turn[];
  onProgress?: (progress: ReplyProgress) => void;
  signal?: AbortSignal;
  /** How the question was understood: subjects, intents, language. */
  understanding?: Understanding;
  /** Compact catalog facts about the understood subjects (for the model's prompt). */
  catalogFacts?: string[];
  /** The question asks a detail the article doesn't state about a covered subject. */
  hedge?: boolean;
  /** Those details, in the user's words. */
  unstated?: string[];
  /** For a need ("I want VMs on Kubernetes"): the catalog project that fits it. */
  recommended?: string;
}

export interface AnswerResult {
  text: string;
  mode: AnswerMode;
  sources: Source[];
  fallback?: FallbackReason;
  notice?: string;
  /** The answer says the article doesn't state what was asked. */
  hedged?: boolean;
}

/**
 * Writes an answer from retrieved passages. The extractive answerer is the embedded default;
 * an LLM-backed answerer plugs in behind the same interface and falls back to it.
 */
export interface Answerer {
  answer(input: AnswerInput): Promise<AnswerResult>;
}
