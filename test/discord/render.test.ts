import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  clip,
  type DiscordMessage,
  embedSize,
  LIMITS,
  parseFeedbackCustomId,
  renderProgress,
  renderReply,
} from "../../src/adapters/discord/render.js";
import { hasUnwrappedUrl, safeContent } from "../../src/adapters/discord/safe-text.js";
import type { Bot } from "../../src/core/bot.js";
import { classifyLines, unclosedFence } from "../../src/core/text-split.js";
import type { ProjectCard, Reply, Source } from "../../src/core/types.js";
import { createTestBot } from "../helpers.js";

/** Discord counts characters as code points. */
const chars = (text: string) => [...text].length;
const PING = /<@[!&]?\d+>|@(everyone|here)/i;

/** Every limit Discord enforces on a message, plus the bot's own rules (no pings, no previews). */
function expectSendable(message: DiscordMessage): void {
  expect(chars(message.content)).toBeLessThanOrEqual(LIMITS.content);
  expect(message.content.trim().length > 0 || message.embeds.length > 0).toBe(true);
  expect(message.embeds.length).toBeLessThanOrEqual(LIMITS.embedsPerMessage);
  let total = 0;
  for (const embed of message.embeds) {
    expect(chars(embed.title ?? "")).toBeLessThanOrEqual(LIMITS.title);
    expect(chars(embed.description ?? "")).toBeLessThanOrEqual(LIMITS.description);
    expect(embed.fields?.length ?? 0).toBeLessThanOrEqual(LIMITS.fields);
    for (const field of embed.fields ?? []) {
      expect(field.name.trim()).not.toBe("");
      expect(field.value.trim()).not.toBe("");
      expect(chars(field.name)).toBeLessThanOrEqual(LIMITS.fieldName);
      expect(chars(field.value)).toBeLessThanOrEqual(LIMITS.fieldValue);
    }
    if (embed.footer) expect(chars(embed.footer.text)).toBeLessThanOrEqual(LIMITS.footer);
    total += embedSize(embed);
  }
  expect(total).toBeLessThanOrEqual(LIMITS.embedTotal);
  expect(unclosedFence(message.content)).toBeUndefined();
  expect(JSON.stringify(message)).not.toMatch(PING);
  // A link the model wrote never unfurls: wrapped in <…>, or the message suppresses embeds.
  if (hasUnwrappedUrl(message.content)) {
    expect(message.suppressEmbeds).toBe(true);
    expect(message.embeds).toEqual([]);
  }
}

let bot: Bot;
beforeAll(async () => {
  bot = await createTestBot();
});

async function command(name: string, options: Record<string, string> = {}): Promise<Reply> {
  return bot.handle({
    kind: "command",
    platform: "discord",
    conversationId: "discord:1:2:3",
    userId: "u1",
    name,
    options,
  });
}

describe("renderReply with the bot's real replies", () => {
  it("renders a project card as an embed with fields and links, without repeating it as text", async () => {
    const [message, ...rest] = renderReply(await command("project", { name: "kubevirt" }));
    expect(rest).toEqual([]);
    expect(message?.content).toBe("");
    const embed = message?.embeds[0];
    expect(embed?.title).toBe("KubeVirt");
    expect(embed?.url).toMatch(/^https:\/\/thenewstack\.io\//);
    expect(embed?.fields?.length).toBeGreaterThan(3);
    expect(embed?.fields?.some((f) => /\]\(https:\/\//.test(f.value))).toBe(true);
    expectSendable(message as DiscordMessage);
  });

  it("keeps a comparison as text and adds both cards", async () => {
    const messages = renderReply(await command("compare", { first: "capi", second: "kubevirt" }));
    expect(messages[0]?.content).toContain("Cluster API vs KubeVirt");
    expect(messages.flatMap((m) => m.embeds).map((e) => e.title)).toEqual(["Cluster API", "KubeVirt"]);
    for (const m of messages) expectSendable(m);
  });

  it("lists sources as numbered links and puts feedback buttons on the last message", async () => {
    const reply = await bot.handle({
      kind: "question",
      platform: "discord",
      conversationId: "discord:1:2:3",
      userId: "u1",
      text: "Who uses KubeVirt?",
    });
    const messages = renderReply(reply, { feedbackFor: "discord:1:2:3" });
    const sources = messages.flatMap((m) => m.embeds).find((e) => e.title === "Sources");
    expect(sources?.description).toMatch(/^`\[1\]` \[.+\]\(https:\/\/.+\)/);
    const ids = messages.at(-1)?.components[0]?.components.map((b) => ("custom_id" in b ? b.custom_id : ""));
    expect(ids).toEqual(["fb:up:discord:1:2:3", "fb:down:discord:1:2:3"]);
    expect(ids?.map((id) => parseFeedbackCustomId(id ?? ""))).toEqual([
      { value: "up", conversationId: "discord:1:2:3" },
      { value: "down", conversationId: "discord:1:2:3" },
    ]);
    for (const m of messages) expectSendable(m);
  });

  it("shows the notice as a subtext line", async () => {
    const [message] = renderReply({ text: "Answer.", sources: [], notice: "Extractive answer:\nquoted." });
    expect(message?.content).toBe("Answer.\n\n-# Extractive answer: quoted.");
  });
});

describe("long answers", () => {
  it("splits a 40,000-character answer with code blocks into messages within every limit", () => {
    const paragraph = (i: number) =>
      `Paragraph ${i} explains KubeVirt [${(i % 3) + 1}] with a link https://example.com/p/${i} and <@${1000 + i}> @everyone.`;
    const code = (i: number) =>
      `\`\`\`yaml\n${Array.from({ length: 40 }, (_, j) => `key${i}_${j}: value`).join("\n")}\n\`\`\``;
    const parts: string[] = [];
    for (let i = 0; parts.join("\n\n").length < 40_000; i++) parts.push(i % 5 === 4 ? code(i) : paragraph(i));
    const text = parts.join("\n\n");
    const sources: Source[] = [1, 2, 3].map((n) => ({
      n,
      articleId: "a",
      title: "Five projects",
      section: `Section ${n}`,
      url: `https://thenewstack.io/s${n}`,
      text: "passage",
    }));
    const messages = renderReply({ text, sources, mode: "llm" }, { feedbackFor: "discord:dm:5:-" });
    expect(messages.length).toBeGreaterThanOrEqual(20);
    for (const m of messages) expectSendable(m);
    expect(messages.filter((m) => m.components.length > 0)).toHaveLength(1);
    expect(messages.at(-1)?.embeds.map((e) => e.title)).toEqual(["Sources"]);
    // Nothing lost: the defused text, fence lines and whitespace aside, is all there, in order.
    const kept = (t: string) =>
      classifyLines(t)
        .filter((l) => l.kind === "text" || l.kind === "code")
        .map((l) => l.line)
        .join("")
        .replace(/\s/g, "");
    expect(kept(messages.map((m) => m.content).join("\n"))).toBe(kept(safeContent(text)));
    expect(messages[0]?.content.startsWith("Paragraph 0 explains KubeVirt")).toBe(true);
  });

  it("shows at most 2,000 characters of a streaming answer, fences balanced", () => {
    const progress = renderProgress(`\`\`\`\n${"x".repeat(5000)}`);
    expect(progress && chars(progress.content)).toBeLessThanOrEqual(2000);
    expect(unclosedFence(progress?.content ?? "")).toBeUndefined();
    expect(progress?.content.endsWith("…")).toBe(true);
    expect(renderProgress("   \n ")).toBeUndefined();
  });

  it("clips without splitting a surrogate pair", () => {
    expect(clip("ab😀cd", 4)).toBe("ab…");
    expect(clip("short", 10)).toBe("short");
  });
});

// ------------------------------------------------------------------------------------------------
// Property: whatever the core (or a model) puts in a reply, the messages are sendable and ping nobody.
// ------------------------------------------------------------------------------------------------

const hostile = fc.constantFrom(
  "@everyone",
  "@here",
  "@EVERYONE",
  "<@123456789012345678>",
  "<@!42>",
  "<@&77>",
  "<@<@1>2>",
  "@every<@3>one",
  "<@&<@!9>8>",
  "```ts\n",
  "```\n",
  "~~~\n",
  "`",
  "https://example.com/a?b=c",
  "HTTPS://EXAMPLE.COM/X",
  "[docs](https://kubevirt.io/user-guide/)",
  "<https://already.wrapped/>",
  "\n\n",
  "\n",
  " ",
  "😀",
  "中文",
);
const text = (maxLength: number) =>
  fc
    .array(
      fc.oneof({ weight: 3, arbitrary: hostile }, { weight: 2, arbitrary: fc.string({ maxLength: 60 }) }),
      {
        maxLength,
      },
    )
    .map((parts) => parts.join(""));
const longText = fc.oneof(
  text(40),
  fc.tuple(text(20), fc.integer({ min: 1, max: 400 })).map(([t, n]) => t.repeat(n)),
);
const url = fc.oneof(fc.constant("https://thenewstack.io/x"), fc.webUrl(), text(3));
const source = fc.record({
  n: fc.integer({ min: 1, max: 99 }),
  articleId: fc.string(),
  title: text(10),
  section: text(5),
  url,
  text: fc.string(),
});
const card: fc.Arbitrary<ProjectCard> = fc.record(
  {
    projectId: fc.string(),
    name: text(20),
    summary: longText,
    whyItMatters: longText,
    facts: fc.array(fc.record({ label: text(20), value: text(80) }), { maxLength: 40 }),
    kubeconSession: fc.record({ title: text(20), url }),
    furtherReading: fc.array(fc.record({ title: text(10), url }), { maxLength: 30 }),
    section: text(30),
    articleUrl: url,
  },
  { requiredKeys: ["projectId", "name", "summary", "facts", "furtherReading", "section", "articleUrl"] },
);
const reply: fc.Arbitrary<Reply> = fc.record(
  {
    text: longText,
    sources: fc.array(source, { maxLength: 40 }),
    cards: fc.array(card, { maxLength: 14 }),
    notice: text(10),
    language: fc.constantFrom("en" as const, "zh" as const),
    mode: fc.constantFrom("llm" as const, "extractive" as const),
  },
  { requiredKeys: ["text", "sources"] },
);

describe("renderReply properties", () => {
  it("always yields sendable messages with no pings and no link previews", () => {
    fc.assert(
      fc.property(reply, fc.boolean(), (r, feedback) => {
        const messages = renderReply(r, feedback ? { feedbackFor: "discord:1:2:3" } : {});
        expect(messages.length).toBeGreaterThan(0);
        for (const m of messages) expectSendable(m);
        expect(messages.filter((m) => m.components.length > 0)).toHaveLength(feedback ? 1 : 0);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps every card and source (as embeds) however many there are", () => {
    fc.assert(
      fc.property(reply, (r) => {
        const embeds = renderReply(r).flatMap((m) => m.embeds);
        expect(embeds).toHaveLength((r.cards?.length ?? 0) + (r.sources.length > 0 ? 1 : 0));
      }),
      { numRuns: 200 },
    );
  });

  it("streams progress within the content limit with no pings", () => {
    fc.assert(
      fc.property(longText, (t) => {
        const progress = renderProgress(t);
        if (progress) expectSendable(progress);
      }),
      { numRuns: 300 },
    );
  });
});
