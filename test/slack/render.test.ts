import { beforeAll, describe, expect, it } from "vitest";
import { escapeMrkdwn, markdownToMrkdwn, mrkdwnLink } from "../../src/adapters/slack/mrkdwn.js";
import {
  FEEDBACK_ACTIONS,
  renderProgress,
  renderReply,
  type SlackBlock,
  type SlackMessage,
} from "../../src/adapters/slack/render.js";
import type { Bot } from "../../src/core/bot.js";
import { neutraliseMentions } from "../../src/core/neutralise.js";
import { createTestBot, testReply } from "../helpers.js";
import { blockTexts, expectNoPings, expectWithinLimits, sectionText } from "./slack-limits.js";

const source = {
  n: 1,
  articleId: "a",
  title: "Five Enterprise K8s Projects",
  section: "2. KubeVirt",
  url: "https://thenewstack.io/five?x=1&y=2",
  text: "KubeVirt is used by Nvidia.",
};

function blocksOf(messages: SlackMessage[]): SlackBlock[] {
  return messages.flatMap((m) => m.blocks);
}

describe("markdown to mrkdwn", () => {
  it("converts bold, italics, strikethrough, links, lists and headings", () => {
    const md =
      "# Title\n**bold** and *italic* and _also_ and ~~gone~~\n- one\n* two\n1. three\n[the article](https://example.com/a)";
    expect(markdownToMrkdwn(md)).toBe(
      "*Title*\n*bold* and _italic_ and _also_ and ~gone~\n• one\n• two\n1. three\n<https://example.com/a|the article>",
    );
  });

  it("escapes &, < and > everywhere, code included, and strips a fence's language", () => {
    expect(markdownToMrkdwn("a < b && c > d")).toBe("a &lt; b &amp;&amp; c &gt; d");
    expect(markdownToMrkdwn("```ts\nif (a < b) x = 1;\n```")).toBe("```\nif (a &lt; b) x = 1;\n```");
    expect(markdownToMrkdwn("use `a<b>` here")).toBe("use `a&lt;b&gt;` here");
  });

  it("leaves code spans and blocks unformatted", () => {
    expect(markdownToMrkdwn("`**x**` and **y**")).toBe("`**x**` and *y*");
    expect(markdownToMrkdwn("```\n**x** [a](https://e.com)\n```")).toBe("```\n**x** [a](https://e.com)\n```");
  });

  it("keeps quotes as quotes", () => {
    expect(markdownToMrkdwn("> quoted **text**")).toBe("> quoted *text*");
  });

  it("links only http(s) URLs", () => {
    expect(markdownToMrkdwn("[x](javascript:alert(1))")).toBe("[x](javascript:alert(1))");
    expect(mrkdwnLink("javascript:alert(1)", "x")).toBe("x");
    expect(mrkdwnLink("https://e.com/?a=1&b=2", "a|b")).toBe("<https://e.com/?a=1&amp;b=2|a¦b>");
  });

  it("closes a code block the text left open and breaks stray triple backticks", () => {
    expect(markdownToMrkdwn("```\ncode")).toBe("```\ncode\n```");
    const stray = markdownToMrkdwn("say ``` to start code");
    expect(stray).not.toContain("```");
  });

  it("neutralises every kind of ping", () => {
    const text = "<!channel> <!here> <!everyone> <@U123> <!subteam^S1> @here @channel @everyone";
    const out = markdownToMrkdwn(text);
    expectNoPings(out);
    expect(out).toContain("&lt;!channel&gt;");
    expectNoPings(escapeMrkdwn(text));
    expect(neutraliseMentions("@here <@U1>")).toBe("@\u200bhere <\u200b@U1>");
    // A link's label is text too; a ping can hide neither there nor in the URL.
    expectNoPings(markdownToMrkdwn("[<!here> @channel](https://e.com/@here)"));
  });
});

describe("renderReply", () => {
  let bot: Bot;
  beforeAll(async () => {
    bot = await createTestBot();
  });

  it("renders an answer: sections, the notice and sources as context, feedback buttons", () => {
    const reply = testReply({
      text: "KubeVirt is used by **Nvidia** and Cloudflare. [1]",
      sources: [source],
      mode: "extractive",
      language: "en",
      notice: "Extractive answer: quoted from the article.",
    });
    const messages = renderReply(reply, { feedbackFor: "slack:T1:C1:1.2" });
    expect(messages).toHaveLength(1);
    const [message] = messages as [SlackMessage];
    expectWithinLimits(message);
    expect(message.blocks.map((b) => b.type)).toEqual(["section", "context", "context", "actions"]);
    expect(sectionText(messages)).toBe("KubeVirt is used by *Nvidia* and Cloudflare. [1]");
    const contexts = message.blocks.filter((b) => b.type === "context").flatMap(blockTexts);
    expect(contexts).toContain(":information_source: Extractive answer: quoted from the article.");
    expect(contexts).toContain("[1] <https://thenewstack.io/five?x=1&amp;y=2|2. KubeVirt>");
    const actions = message.blocks.find((b) => b.type === "actions");
    expect(actions).toMatchObject({
      elements: [
        { action_id: FEEDBACK_ACTIONS.up, value: "slack:T1:C1:1.2" },
        { action_id: FEEDBACK_ACTIONS.down, value: "slack:T1:C1:1.2" },
      ],
    });
    expect(message.text).toContain("KubeVirt is used by");
  });

  it("shows a preface as escaped context and adds no buttons unless asked", () => {
    const [message] = renderReply(testReply({ text: "ok", sources: [] }), { preface: "/ask <!here> & co" });
    expect(message?.blocks[0]).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "/ask &lt;!here&gt; &amp; co" }],
    });
    expect(message?.blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("renders a project card natively: header, facts as fields, links, source", async () => {
    const reply = await bot.handle({
      kind: "command",
      platform: "slack",
      conversationId: "slack:T1:C1:x",
      userId: "U1",
      name: "project",
      text: "kubevirt",
    });
    const messages = renderReply(reply);
    for (const m of messages) expectWithinLimits(m);
    const blocks = blocksOf(messages);
    expect(blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "KubeVirt", emoji: true },
    });
    const fields = blocks.flatMap((b) => (b.type === "section" && b.fields ? b.fields : []));
    expect(fields.length).toBeGreaterThan(2);
    expect(fields.map((f) => f.text)).toContain("*GitHub stars (as of the article)*\nmore than 5,000");
    // The card replaces the markdown text: no raw "**KubeVirt**" line duplicates it.
    expect(JSON.stringify(blocks)).not.toContain("**");
    expect(blocks.at(-1)?.type).toBe("context");
  });

  it("renders a comparison natively: a header, both summaries, the facts side by side", async () => {
    const reply = await bot.handle({
      kind: "command",
      platform: "slack",
      conversationId: "slack:T1:C1:y",
      userId: "U1",
      name: "compare",
      text: "kubevirt vcluster",
    });
    const messages = renderReply(reply);
    for (const m of messages) expectWithinLimits(m);
    const blocks = blocksOf(messages);
    expect(blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "KubeVirt vs vCluster", emoji: true },
    });
    const fields = blocks
      .flatMap((b) => (b.type === "section" && b.fields ? b.fields : []))
      .map((f) => f.text);
    // Each fact is a pair of fields, KubeVirt's then vCluster's, so they sit side by side.
    const stars = fields.findIndex((f) => f.startsWith("*GitHub stars (as of the article) — KubeVirt*"));
    expect(stars).toBeGreaterThanOrEqual(0);
    expect(stars % 2).toBe(0);
    expect(fields[stars + 1]).toMatch(/^\*GitHub stars \(as of the article\) — vCluster\*\n8,000/);
    expect(JSON.stringify(blocks)).not.toContain("**");
  });

  it("splits a long answer across messages, never truncating it and keeping code blocks whole", () => {
    const code = Array.from({ length: 120 }, (_, i) => `line_${i} = value_${i} & <tag>`).join("\n");
    const paragraphs = Array.from({ length: 300 }, (_, i) => `Paragraph ${i} says **something** & more.`);
    const text = [...paragraphs.slice(0, 150), "```python", code, "```", ...paragraphs.slice(150)].join(
      "\n\n",
    );
    const messages = renderReply(testReply({ text, sources: [source], mode: "llm" }), {
      feedbackFor: "slack:T1:C1:9",
    });
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expectWithinLimits(m);
    const body = sectionText(messages);
    for (let i = 0; i < 300; i++) expect(body).toContain(`Paragraph ${i} says`);
    for (let i = 0; i < 120; i++) expect(body).toContain(`line_${i} = value_${i} &amp; &lt;tag&gt;`);
    // Feedback and sources come once, at the end.
    expect(blocksOf(messages).filter((b) => b.type === "actions")).toHaveLength(1);
    expect(messages.at(-1)?.blocks.at(-1)?.type).toBe("actions");
  });

  it("always renders something, even for an empty reply", () => {
    const messages = renderReply(testReply({ text: "", sources: [] }));
    expect(messages).toHaveLength(1);
    expectWithinLimits(messages[0] as SlackMessage);
  });

  it("renders Chinese labels for a Chinese reply", () => {
    const [message] = renderReply(
      testReply({ text: "答案 [1]", sources: [source], language: "zh", mode: "llm" }),
    );
    expect(JSON.stringify(message?.blocks)).toContain("来源");
  });
});

describe("renderProgress", () => {
  it("shows Thinking… before any text and Writing… under partial text", () => {
    expect(renderProgress("").blocks).toEqual([
      { type: "context", elements: [{ type: "mrkdwn", text: ":hourglass_flowing_sand: Thinking…" }] },
    ]);
    const writing = renderProgress("KubeVirt is **used**");
    expect(writing.blocks[0]).toEqual({
      type: "section",
      text: { type: "mrkdwn", text: "KubeVirt is *used*" },
    });
    expect(JSON.stringify(writing.blocks.at(-1))).toContain("Writing…");
  });

  it("fits any partial text into one message", () => {
    const message = renderProgress("word ".repeat(20_000));
    expectWithinLimits(message);
  });
});
