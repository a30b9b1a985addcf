import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conversationId, stripBotMention, threadName } from "../../src/adapters/discord/conversation.js";
import {
  hasUnwrappedUrl,
  hideLinkPreviews,
  neutralisePings,
  safeContent,
} from "../../src/adapters/discord/safe-text.js";

const PING = /<@[!&]?\d+>|@(everyone|here)/i;
const pingy = fc
  .array(
    fc.oneof(
      fc.constantFrom("<@", "<@!", "<@&", ">", "@", "every", "one", "here", "@everyone", "@here", "1", "23"),
      fc.string({ maxLength: 5 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(""));

describe("neutralisePings", () => {
  it("removes user and role mentions and defuses broadcasts", () => {
    expect(neutralisePings("hi <@123> and <@!45> and <@&6>")).toBe("hi  and  and ");
    expect(neutralisePings("@everyone @here")).toBe("@\u200beveryone @\u200bhere");
    expect(neutralisePings("<@<@1>2>")).toBe("");
    expect(neutralisePings("@every<@3>one")).toBe("@\u200beveryone");
  });

  it("leaves no ping, whatever the input (mentions that appear once others are removed included)", () => {
    fc.assert(
      fc.property(pingy, (text) => {
        const out = neutralisePings(text);
        expect(out).not.toMatch(PING);
        expect(neutralisePings(out)).toBe(out);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("hideLinkPreviews", () => {
  it("wraps bare and masked links but not code", () => {
    expect(hideLinkPreviews("see https://a.io/x.")).toBe("see <https://a.io/x>.");
    expect(hideLinkPreviews("[docs](https://a.io/x)")).toBe("[docs](<https://a.io/x>)");
    expect(hideLinkPreviews("<https://a.io/x>")).toBe("<https://a.io/x>");
    expect(hideLinkPreviews("```\nhttps://a.io/x\n```")).toBe("```\nhttps://a.io/x\n```");
  });

  it("leaves no unwrapped link outside code", () => {
    const linky = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            "https://a.io/p",
            "HTTP://B.IO",
            "[t](https://c.io/",
            ")",
            "<",
            ">",
            "```\n",
            "\n",
            " ",
          ),
          fc.string({ maxLength: 4 }),
        ),
        { maxLength: 20 },
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(linky, (text) => {
        const out = safeContent(text);
        expect(hasUnwrappedUrl(out)).toBe(false);
        expect(out).not.toMatch(PING);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("conversations and threads", () => {
  it("keys conversations by guild, channel and thread", () => {
    expect(conversationId({ guildId: "1", channelId: "2", threadParentId: null }, "9")).toBe("discord:1:2:9");
    expect(conversationId({ guildId: "1", channelId: "3", threadParentId: "2" }, "9")).toBe("discord:1:2:3");
    expect(conversationId({ guildId: null, channelId: "5", threadParentId: null }, "9")).toBe(
      "discord:dm:5:-",
    );
  });

  it("strips the bot's mention from a question", () => {
    expect(stripBotMention("<@42> who uses <@!42> KubeVirt?", "42")).toBe("who uses KubeVirt?");
  });

  it("names threads after the question: one line, no pings, at most 100 characters", () => {
    expect(threadName("  who uses\n**KubeVirt**?  ")).toBe("who uses KubeVirt?");
    expect(threadName("<@1> @everyone")).toBe("@\u200beveryone");
    expect(threadName("   ")).toBe("Question");
    fc.assert(
      fc.property(pingy, fc.string({ maxLength: 300 }), (a, b) => {
        const name = threadName(a + b);
        expect([...name].length).toBeLessThanOrEqual(100);
        expect(name.trim()).not.toBe("");
        expect(name).not.toMatch(/\n/);
        expect(name).not.toMatch(PING);
      }),
      { numRuns: 1000 },
    );
  });
});
