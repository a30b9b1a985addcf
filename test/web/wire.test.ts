import { describe, expect, it } from "vitest";
import { progressEvent, toWebReply } from "../../src/adapters/web/wire.js";
import { createTestBot } from "../helpers.js";

describe("answer stream lines", () => {
  it("carry the core's events: appended text as delta, revised text as text", () => {
    expect(progressEvent({ type: "delta", text: "Virt" })).toEqual({ type: "delta", text: "Virt" });
    expect(progressEvent({ type: "replace", text: "See (link removed)" })).toEqual({
      type: "text",
      text: "See (link removed)",
    });
  });
});

describe("web replies", () => {
  const base = { platform: "web" as const, conversationId: "web:v:c", userId: "v" };

  it("carry the reply's parts, and mark answers and refusals for the page", async () => {
    const bot = await createTestBot();
    const card = toWebReply(
      await bot.handle({ ...base, kind: "command", name: "project", text: "vcluster" }),
      "r1",
    );
    expect(card).toMatchObject({ id: "r1", rateable: false, ephemeral: false, language: "en" });
    expect(card.parts.map((p) => p.type)).toEqual(["card"]);
    const compare = toWebReply(
      await bot.handle({ ...base, kind: "command", name: "compare", text: "capi vcluster" }),
      "r1b",
    );
    expect(compare.parts.map((p) => p.type)).toEqual(["comparison"]);
    const answer = toWebReply(
      await bot.handle({ ...base, kind: "question", text: "Who uses KubeVirt?" }),
      "r2",
    );
    expect(answer).toMatchObject({ mode: "extractive", rateable: true });
    expect(answer.parts.map((p) => p.type)).toEqual(["markdown"]);
    const refused = toWebReply(await bot.handle({ ...base, kind: "question", text: "   " }), "r3");
    expect(refused).toMatchObject({ ephemeral: true, rateable: false, error: "question-empty" });
    const declined = toWebReply(
      await bot.handle({ ...base, kind: "question", text: "What is the weather in Paris?" }),
      "r4",
    );
    expect(declined).toMatchObject({ mode: "declined", rateable: false });
  });
});
