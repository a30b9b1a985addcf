import { describe, expect, it } from "vitest";
import { InMemoryRateLimiter } from "../../src/core/rate-limit.js";
import type { BotRequest } from "../../src/core/types.js";
import { createTestBot } from "../helpers.js";

const question = (userId: string, conversationId: string): BotRequest => ({
  kind: "question",
  platform: "slack",
  conversationId,
  userId,
  text: "Who uses KubeVirt?",
});

describe("rate limits", () => {
  it("limits a user with a friendly message and lets others through", async () => {
    let now = 0;
    const bot = await createTestBot({
      rateLimiter: new InMemoryRateLimiter(1000, () => now),
      rateLimits: { perUser: 2, perChannel: 100, windowMs: 60_000 },
    });
    expect((await bot.handle(question("u1", "slack:T:C:1"))).mode).toBe("extractive");
    expect((await bot.handle(question("u1", "slack:T:C:2"))).mode).toBe("extractive");
    const limited = await bot.handle(question("u1", "slack:T:C:3"));
    expect(limited.ephemeral).toBe(true);
    expect(limited.text).toMatch(/try again in 60 s/);
    expect((await bot.handle(question("u2", "slack:T:C:4"))).mode).toBe("extractive");
    now = 60_001;
    expect((await bot.handle(question("u1", "slack:T:C:5"))).mode).toBe("extractive");
  });

  it("limits a channel across users", async () => {
    const bot = await createTestBot({ rateLimits: { perUser: 100, perChannel: 2, windowMs: 60_000 } });
    await bot.handle(question("a", "discord:G:C:1"));
    await bot.handle(question("b", "discord:G:C:2"));
    expect((await bot.handle(question("c", "discord:G:C:3"))).text).toMatch(/faster than I can answer/);
    expect((await bot.handle(question("c", "discord:G:OTHER:1"))).mode).toBe("extractive");
  });

  it("counts outcomes in metrics", async () => {
    const seen: string[] = [];
    const bot = await createTestBot({
      rateLimits: { perUser: 1, perChannel: 0, windowMs: 60_000 },
      metrics: {
        request: (platform, command, outcome) => seen.push(`${platform}/${command}/${outcome}`),
        answerSeconds: () => {},
        retrievalSeconds: () => {},
        fallback: () => {},
        llmFailure: () => {},
        llmQueueDepth: () => {},
        dedupeHit: () => {},
        feedback: () => {},
      },
    });
    await bot.handle(question("u", "slack:T:C:1"));
    await bot.handle(question("u", "slack:T:C:2"));
    expect(seen).toEqual(["slack/question/ok", "slack/question/rate-limited"]);
  });
});
