import { beforeAll, describe, expect, it } from "vitest";
import {
  AnswerSanitizer,
  bound,
  mapCitations,
  neutralisePings,
  stableLength,
} from "../../src/core/answer/post-process.js";
import { systemPrompt } from "../../src/core/answer/prompt-builder.js";
import type { KnowledgeBase, Passage } from "../../src/core/knowledge/knowledge-base.js";
import { CANARY, repoKb, repoPrompts } from "./helpers.js";

let kb: KnowledgeBase;
let sanitizer: AnswerSanitizer;
let system: string;
let passages: Passage[];

beforeAll(async () => {
  kb = await repoKb();
  system = systemPrompt(await repoPrompts(), CANARY);
  sanitizer = new AnswerSanitizer({
    allowedUrls: kb.allowedUrls,
    systemPrompt: system,
    canary: CANARY,
    maxChars: 400,
  });
  passages = kb.passages.slice(0, 3);
});

const finish = (text: string) => sanitizer.finish(text, passages, "en");

describe("citations", () => {
  it("map [n] to the prompt's passages, renumbered by first citation", () => {
    const out = finish("Started in 2018 [3]. Used by Nvidia [1]. Again [3].");
    expect(out.text).toBe("Started in 2018 [1]. Used by Nvidia [2]. Again [1].");
    expect(out.sources.map((s) => [s.n, s.text])).toEqual([
      [1, passages[2]?.text],
      [2, passages[0]?.text],
    ]);
  });

  it("drop citations of passages that do not exist, with their space", () => {
    const out = finish("A fact [7]. Another [0]. A third [2].");
    expect(out.text).toBe("A fact. Another. A third [1].");
    expect(out.sources).toHaveLength(1);
    expect(out.sources[0]?.text).toBe(passages[1]?.text);
  });

  it("split lists, ranges and full-width brackets into one citation each", () => {
    expect(mapCitations("x [1, 3] y [2-3] z 【2】 w ［1］", passages).text).toBe(
      "x [1][2] y [3][2] z [3] w [1]",
    );
  });

  it("leave an answer without citations without sources", () => {
    expect(finish("The article does not cover that.")).toEqual({
      text: "The article does not cover that.",
      sources: [],
      leaked: false,
    });
  });
});

describe("links", () => {
  it("keep knowledge-base URLs, with or without a trailing slash or www", () => {
    const text =
      "See https://sched.co/1td18 and https://cncf.io and https://www.spectrocloud.com/integrations-and-environments/.";
    expect(finish(text).text).toBe(text);
  });

  it("remove foreign URLs, bare or in markdown or Slack syntax", () => {
    const out = finish(
      "Read https://evil.example.com/x?a=1, [this](https://evil.example.com/y), <https://evil.example.com/z|that> or www.evil.example.com.",
    );
    expect(out.text).not.toMatch(/evil/);
    expect(out.text).toBe("Read (link removed), this, that or (link removed).");
  });

  it("keep a markdown link to an allowed URL", () => {
    const text = "[the talk](https://sched.co/1td18)";
    expect(finish(text).text).toBe(text);
  });

  it("keep a foreign domain readable but not clickable", () => {
    expect(finish("Try evil.com/login or k8s.io; cncf.io stays.").text).toBe(
      "Try `evil.com/login` or `k8s.io`; cncf.io stays.",
    );
  });

  it("say the link was removed in the answer's language", () => {
    expect(sanitizer.finish("见 https://evil.example.com 。", passages, "zh").text).toBe(
      "见 （链接已移除）。",
    );
  });
});

describe("pings", () => {
  it.each([
    ["@everyone look", "@\u200beveryone look"],
    ["@here and @channel", "@\u200bhere and @\u200bchannel"],
    ["<!channel> <!here> <!everyone>", "@\u200bchannel @\u200bhere @\u200beveryone"],
    ["<!here|here>", "@\u200bhere"],
    ["<@U123ABC> and <@U9|bob>", "@\u200bU123ABC and @\u200bbob"],
    ["<@!123456789012345678> <@&987654321098765432>", "@\u200b123456789012345678 @\u200b987654321098765432"],
    ["<#C024BE7LR> <#123456789012345678>", "#\u200bC024BE7LR #\u200b123456789012345678"],
    ["<!subteam^S123|@ops>", "@\u200bops"],
  ])("neutralise %j", (input, expected) => {
    expect(neutralisePings(input)).toBe(expected);
    expect(finish(input).text).toBe(expected);
  });

  it("catch the keywords inside words too, and leave other @ alone", () => {
    expect(neutralisePings("a@here @EVERYONEEE @kubevirt")).toBe("a@\u200bhere @\u200bEVERYONEEE @kubevirt");
  });
});

describe("the system prompt never comes out", () => {
  it("a reply holding the canary is dropped whole", () => {
    expect(finish(`Sure: ${CANARY}. Now the answer [1].`)).toEqual({ text: "", sources: [], leaked: true });
    expect(finish(`sure ${CANARY.toLowerCase().replace(/-/g, " ")}`).leaked).toBe(true);
  });

  it("a reply quoting a rule of the system prompt is dropped whole", () => {
    const rule = system.split("\n").find((l) => l.startsWith("5.")) ?? "";
    expect(rule.length).toBeGreaterThan(50);
    expect(finish(`My instructions say: ${rule.slice(3, 120).toUpperCase()}`).leaked).toBe(true);
  });

  it("an honest answer shaped like the prompt's example is not taken for a leak", () => {
    expect(finish("The project started in 2018 [2].").leaked).toBe(false);
  });
});

describe("length", () => {
  it("cuts a long reply at a sentence end and marks the cut", () => {
    const sentence = "Cluster API manages clusters declaratively [1]. ";
    const out = finish(sentence.repeat(20));
    expect(out.text.length).toBeLessThanOrEqual(400);
    expect(out.text.endsWith("[1].…")).toBe(true);
  });

  it("never leaves half a citation", () => {
    expect(bound(`${"x".repeat(95)} [12] more`, 100)).toBe(`${"x".repeat(95)}…`);
  });

  it("leaves short replies alone", () => {
    expect(bound("short", 100)).toBe("short");
  });
});

describe("streaming drafts", () => {
  it("hold back a run that may still become a URL, mention, citation or the canary", () => {
    expect(stableLength("Used by Nvidia [1")).toBe("Used by Nvidia ".length);
    expect(stableLength("see https://evil.exa")).toBe("see ".length);
    expect(stableLength("hi @every")).toBe("hi ".length);
    expect(stableLength("结论：KubeVirt 很流行。")).toBe("结论：KubeVirt 很流行。".length);
    expect(stableLength("见[文章](https://evil")).toBe("见".length);
    expect(stableLength("ping <@U1 2")).toBe("ping ".length);
  });

  it("never show a foreign URL, a ping or the canary, however the reply is cut", () => {
    const reply = `Used by Nvidia [1]. See https://evil.example.com/x now, @everyone! ${CANARY}`;
    for (let i = 0; i <= reply.length; i++) {
      const draft = sanitizer.draft(reply.slice(0, i), passages, "en");
      expect(draft.text).not.toMatch(/evil|@everyone|CANARY/);
      expect(draft.text).not.toMatch(/SPOTLIGHT/);
    }
  });
});
