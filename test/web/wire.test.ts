import { describe, expect, it } from "vitest";
import { progressEvent, toWebReply } from "../../src/adapters/web/wire.js";
import { createTestBot } from "../helpers.js";

describe("answer stream events", () => {
  it("send only what was appended, or the whole text when it was revised", () => {
    expect(progressEvent("", "Kube")).toEqual({ type: "delta", text: "Kube" });
    expect(progressEvent("Kube", "KubeVirt")).toEqual({ type: "delta", text: "Virt" });
    expect(progressEvent("KubeVirt", "KubeVirt")).toBeUndefined();
    // The sanitiser may rewrite what it already let through (a link removed, citations renumbered).
    expect(progressEvent("See https://x", "See (link removed)")).toEqual({
      type: "text",
      text: "See (link removed)",
    });
  });
});

describe("web replies", () => {
  const base = { platform: "web" as const, conversationId: "web:v:c", userId: "v" };

  it("mark card replies, answers and refusals for the page", async () => {
    const bot = await createTestBot();
    const card = toWebReply(
      await bot.handle({ ...base, kind: "command", name: "project", text: "vcluster" }),
      "r1",
    );
    expect(card).toMatchObject({
      id: "r1",
      cardsOnly: true,
      rateable: false,
      ephemeral: false,
      language: "en",
    });
    const answer = toWebReply(
      await bot.handle({ ...base, kind: "question", text: "Who uses KubeVirt?" }),
      "r2",
    );
    expect(answer).toMatchObject({ mode: "extractive", rateable: true, cardsOnly: false, cards: [] });
    const refused = toWebReply(await bot.handle({ ...base, kind: "question", text: "   " }), "r3");
    expect(refused).toMatchObject({ ephemeral: true, rateable: false });
    const declined = toWebReply(
      await bot.handle({ ...base, kind: "question", text: "What is the weather in Paris?" }),
      "r4",
    );
    expect(declined).toMatchObject({ mode: "declined", rateable: false });
  });
});
