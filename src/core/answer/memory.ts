import type { ConversationId } from "../types.js";
import type { Turn } from "./answerer.js";

/** Where conversation turns are kept. Async so a shared store (Redis) can implement it. */
export interface ConversationMemory {
  /** Turns of a conversation, oldest first (empty when unknown or expired). */
  get(id: ConversationId): Promise<Turn[]>;
  append(id: ConversationId, turn: Turn): Promise<void>;
}

export interface MemoryLimits {
  /** Turns kept per conversation. */
  maxTurns: number;
  /** Characters kept per conversation, over questions and answers; the oldest turns go first. */
  maxChars: number;
  /** A conversation idle this long is forgotten. */
  ttlMs: number;
  /** Conversations kept at once; the least recently used goes first. */
  maxConversations: number;
}

export const DEFAULT_MEMORY_LIMITS: MemoryLimits = {
  maxTurns: 6,
  maxChars: 6000,
  ttlMs: 24 * 60 * 60 * 1000,
  maxConversations: 10_000,
};

/** Trims turns to the limits: at most maxTurns, and the newest that fit in maxChars. */
export function boundTurns(turns: Turn[], limits: Pick<MemoryLimits, "maxTurns" | "maxChars">): Turn[] {
  const kept: Turn[] = [];
  let chars = 0;
  for (let i = turns.length - 1; i >= 0 && kept.length < limits.maxTurns; i--) {
    const turn = turns[i] as Turn;
    const size = turn.question.length + turn.answer.length;
    if (chars + size > limits.maxChars) {
      if (kept.length === 0)
        kept.unshift({
          ...turn,
          answer: turn.answer.slice(0, Math.max(0, limits.maxChars - turn.question.length)),
        });
      break;
    }
    chars += size;
    kept.unshift(turn);
  }
  return kept;
}

/** The default store: a process-local LRU map with a TTL. */
export class InMemoryConversationMemory implements ConversationMemory {
  private readonly conversations = new Map<ConversationId, { turns: Turn[]; touched: number }>();

  constructor(
    private readonly limits: MemoryLimits = DEFAULT_MEMORY_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  async get(id: ConversationId): Promise<Turn[]> {
    const entry = this.conversations.get(id);
    if (!entry) return [];
    if (this.now() - entry.touched > this.limits.ttlMs) {
      this.conversations.delete(id);
      return [];
    }
    return [...entry.turns];
  }

  async append(id: ConversationId, turn: Turn): Promise<void> {
    const turns = [...(await this.get(id)), turn];
    this.conversations.delete(id);
    this.conversations.set(id, { turns: boundTurns(turns, this.limits), touched: this.now() });
    while (this.conversations.size > this.limits.maxConversations) {
      const oldest = this.conversations.keys().next().value;
      if (oldest === undefined) break;
      this.conversations.delete(oldest);
    }
  }

  get size(): number {
    return this.conversations.size;
  }
}
