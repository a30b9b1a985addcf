import { describe, expect, it } from "vitest";
import type { Turn } from "../../src/core/answer/answerer.js";
import { boundTurns, InMemoryConversationMemory } from "../../src/core/answer/memory.js";

const turn = (i: number, answer = `answer ${i}`): Turn => ({
  question: `q${i}`,
  answer,
  projectIds: [],
  at: i,
});

describe("conversation memory", () => {
  it("keeps the last turns, bounded in count", () => {
    const turns = [1, 2, 3, 4, 5].map((i) => turn(i));
    expect(boundTurns(turns, { maxTurns: 3, maxChars: 10_000 }).map((t) => t.question)).toEqual([
      "q3",
      "q4",
      "q5",
    ]);
  });

  it("and in characters, dropping the oldest first and shortening a lone long turn", () => {
    const turns = [turn(1, "x".repeat(50)), turn(2, "y".repeat(50)), turn(3, "z".repeat(50))];
    expect(boundTurns(turns, { maxTurns: 10, maxChars: 110 }).map((t) => t.question)).toEqual(["q2", "q3"]);
    const [only] = boundTurns([turn(1, "w".repeat(500))], { maxTurns: 10, maxChars: 100 });
    expect((only?.question.length ?? 0) + (only?.answer.length ?? 0)).toBe(100);
  });

  it("forgets a conversation idle past the TTL", async () => {
    let now = 0;
    const memory = new InMemoryConversationMemory(
      { maxTurns: 6, maxChars: 6000, ttlMs: 1000, maxConversations: 10 },
      () => now,
    );
    await memory.append("slack:T1:C1:1", turn(1));
    now = 1000;
    expect(await memory.get("slack:T1:C1:1")).toHaveLength(1);
    now = 2001;
    expect(await memory.get("slack:T1:C1:1")).toEqual([]);
  });

  it("keeps at most maxConversations, the least recently used going first", async () => {
    const memory = new InMemoryConversationMemory({
      maxTurns: 6,
      maxChars: 6000,
      ttlMs: 60_000,
      maxConversations: 2,
    });
    await memory.append("a", turn(1));
    await memory.append("b", turn(2));
    await memory.append("a", turn(3));
    await memory.append("c", turn(4));
    expect(memory.size).toBe(2);
    expect(await memory.get("b")).toEqual([]);
    expect((await memory.get("a")).map((t) => t.question)).toEqual(["q1", "q3"]);
  });
});
