import type { SearchResult } from "../knowledge/search-index.js";
import type { AnswerMode, FallbackReason, Language, ReplyProgress, Source } from "../types.js";

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
  /**
   * Compact catalog lines about the projects asked about, e.g. "KubeVirt — GitHub stars: 5,000+
   * (as of the article); started: 2016". The model sees them beside the passages.
   */
  catalogFacts?: string[];
  /** The question asks for something the knowledge base may not state: the answer should hedge. */
  hedge?: boolean;
  onProgress?: (progress: ReplyProgress) => void;
  signal?: AbortSignal;
}

export interface AnswerResult {
  text: string;
  mode: AnswerMode;
  sources: Source[];
  fallback?: FallbackReason;
  notice?: string;
}

/**
 * Writes an answer from retrieved passages. The extractive answerer is the embedded default;
 * an LLM-backed answerer plugs in behind the same interface and falls back to it.
 */
export interface Answerer {
  answer(input: AnswerInput): Promise<AnswerResult>;
}
