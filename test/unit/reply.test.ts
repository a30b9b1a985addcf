import { describe, expect, it } from "vitest";
import {
  answerDraft,
  completeReply,
  type ReplyEvent,
  ReplyEventWriter,
  StreamedText,
} from "../../src/core/reply.js";
import { comparisonMarkdown } from "../../src/core/reply-markdown.js";
import { createTestBot } from "../helpers.js";

describe("reply events", () => {
  it("send only what was appended, or the whole text when it was revised, then the final reply", () => {
    const events: ReplyEvent[] = [];
    const writer = new ReplyEventWriter((e) => events.push(e));
    writer.progress("Kube");
    writer.progress("KubeVirt");
    writer.progress("KubeVirt");
    // The sanitiser may rewrite what it already let through (a link removed, citations renumbered).
    writer.progress("See (link removed)");
    const reply = completeReply({ parts: [{ type: "markdown", text: "See (link removed)." }] });
    writer.final(reply);
    expect(events).toEqual([
      { type: "delta", text: "Kube" },
      { type: "delta", text: "Virt" },
      { type: "replace", text: "See (link removed)" },
      { type: "final", reply },
    ]);
    const text = new StreamedText();
    for (const e of events) if (e.type !== "final") text.apply(e);
    expect(text.text).toBe("See (link removed)");
  });

  it("stream from Bot.handle for an answer, ending with the reply handle resolves to", async () => {
    const bot = await createTestBot();
    const events: ReplyEvent[] = [];
    const reply = await bot.handle(
      { kind: "command", platform: "cli", conversationId: "t:1", userId: "u", name: "projects" },
      { onEvent: (e) => events.push(e) },
    );
    expect(events).toEqual([{ type: "final", reply }]);
  });
});

describe("completed replies", () => {
  it("decide feedback once: public answers only", () => {
    const answer = completeReply(answerDraft({ text: "a [1]", sources: [], mode: "llm" }));
    expect(answer).toMatchObject({ feedback: true, ephemeral: false, language: "en", text: "a [1]" });
    expect(completeReply(answerDraft({ text: "no", sources: [], mode: "declined" })).feedback).toBe(false);
    expect(completeReply({ parts: [], mode: "llm", ephemeral: true }).feedback).toBe(false);
    expect(completeReply({ parts: [], mode: "extractive", error: { code: "internal" } }).feedback).toBe(
      false,
    );
  });

  it("derive their markdown fallback from the parts", async () => {
    const bot = await createTestBot();
    const reply = await bot.handle({
      kind: "command",
      platform: "cli",
      conversationId: "t:2",
      userId: "u",
      name: "compare",
      text: "capi vcluster",
    });
    const [part] = reply.parts;
    expect(part?.type).toBe("comparison");
    if (part?.type !== "comparison") return;
    expect(reply.text).toBe(comparisonMarkdown(part.comparison, "en"));
    expect(reply.text).toMatch(/GitHub stars.*Cluster API: 3,700 · vCluster: 8,000/);
  });

  it("derive the markdown fallback only when it is read, once, and still show it as a field", () => {
    let reads = 0;
    const part = {
      type: "markdown" as const,
      get text() {
        reads++;
        return "KubeVirt runs VMs [1]";
      },
    };
    const reply = completeReply({ parts: [part], mode: "llm" });
    // Slack and Discord render the parts: completing a reply does not render markdown.
    expect(reads).toBe(0);
    expect(reply.text).toBe("KubeVirt runs VMs [1]");
    expect(reply.text).toBe("KubeVirt runs VMs [1]");
    expect(reads).toBe(1);
    // Spread, serialised and compared like any other field.
    expect({ ...reply }.text).toBe("KubeVirt runs VMs [1]");
    expect(JSON.parse(JSON.stringify(reply)).text).toBe("KubeVirt runs VMs [1]");
    expect(Object.keys(reply)).toContain("text");
    expect(reply).toEqual({
      parts: [{ type: "markdown", text: "KubeVirt runs VMs [1]" }],
      text: "KubeVirt runs VMs [1]",
      sources: [],
      language: "en",
      ephemeral: false,
      feedback: true,
      mode: "llm",
    });
  });

  it("carry the error code of a refusal, whatever its language", async () => {
    const bot = await createTestBot();
    const base = { kind: "command" as const, platform: "cli" as const, conversationId: "t:3", userId: "u" };
    const zh = await bot.handle({ ...base, name: "project", text: "不存在的项目" });
    const en = await bot.handle({ ...base, name: "project", text: "nosuchproject" });
    expect(zh.error).toEqual({ code: "unknown-project" });
    expect(en.error).toEqual({ code: "unknown-project" });
    expect(zh.language).toBe("zh");
  });
});
