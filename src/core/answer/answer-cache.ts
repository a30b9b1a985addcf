import type { Language } from "../types.js";
import type { AnswerResult } from "./answerer.js";

/** Answers kept for reuse. Async so a shared store (Redis) can implement it. */
export interface AnswerCache {
  get(key: string): Promise<AnswerResult | undefined>;
  set(key: string, value: AnswerResult): Promise<void>;
}

export interface AnswerCacheLimits {
  ttlMs: number;
  maxEntries: number;
}

export const DEFAULT_ANSWER_CACHE_LIMITS: AnswerCacheLimits = { ttlMs: 10 * 60 * 1000, maxEntries: 1000 };

/** Case, width, spacing and closing punctuation folded: "Who uses KubeVirt?" = "who uses  kubevirt". */
export function normalizeQuestion(question: string): string {
  return question
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/[\s?？!！.。,，;；:：]+$/u, "")
    .trim();
}

export interface AnswerCacheKeyParts {
  question: string;
  language: Language;
  /** Changes whenever the knowledge base does, so an edit never serves a stale answer. */
  kbVersion: string;
  /** The passages the answer was written from: a different focus retrieves different ones. */
  passageIds: string[];
}

export function answerCacheKey(parts: AnswerCacheKeyParts): string {
  return JSON.stringify([
    parts.kbVersion,
    parts.language,
    normalizeQuestion(parts.question),
    parts.passageIds,
  ]);
}

/** The default cache: a process-local LRU map with a TTL. */
export class InMemoryAnswerCache implements AnswerCache {
  private readonly entries = new Map<string, { value: AnswerResult; at: number }>();

  constructor(
    private readonly limits: AnswerCacheLimits = DEFAULT_ANSWER_CACHE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<AnswerResult | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at > this.limits.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return structuredClone(entry.value);
  }

  async set(key: string, value: AnswerResult): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { value: structuredClone(value), at: this.now() });
    while (this.entries.size > this.limits.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
