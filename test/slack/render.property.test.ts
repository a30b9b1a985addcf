import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyLines } from "../../src/adapters/shared/text-split.js";
import { renderReply, type SlackMessage } from "../../src/adapters/slack/render.js";
import { testReply } from "../helpers.js";
import { expectWithinLimits, sectionText } from "./slack-limits.js";

// Markdown and Slack syntax that matters to the renderer, mixed with arbitrary text.
const special = fc.constantFrom(
  "<!channel>",
  "<!here>",
  "<!everyone>",
  "<@U123ABC>",
  "<#C1|general>",
  "<!subteam^S1>",
  "@here",
  "@channel",
  "@everyone",
  "**",
  "*",
  "_",
  "__",
  "~~",
  "`",
  "```",
  "```js\n",
  "\n```\n",
  "~~~\n",
  "[link](https://example.com/a?b=1&c=2)",
  "[x](javascript:alert(1))",
  "<https://x.y/z>",
  "&",
  "<",
  ">",
  "# ",
  "- ",
  "> ",
  "\n",
  "\n\n",
  " ",
  "|",
  "😀",
  "中文",
);
const piece = fc.oneof(
  { weight: 4, arbitrary: special },
  { weight: 4, arbitrary: fc.string({ maxLength: 60 }) },
  {
    weight: 1,
    arbitrary: fc.string({ maxLength: 3000, unit: fc.constantFrom("a", " ", "&", "<", "`", "\n", "*") }),
  },
);
const markdown = (maxParts: number) => fc.array(piece, { maxLength: maxParts }).map((p) => p.join(""));
// Up to 100,000 characters: long runs of words and code, with the special pieces sprinkled in.
const hugeMarkdown = fc
  .tuple(
    fc.integer({ min: 1, max: 100_000 }),
    fc.array(fc.tuple(fc.nat(), special), { maxLength: 300 }),
    fc.constantFrom("word ", "&lt; ", "x", "`", "@here ", "<!here> ", "a\n", "```\n"),
  )
  .map(([length, inserts, unit]) => {
    let text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
    for (const [at, s] of inserts) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + s + text.slice(i);
    }
    return text.slice(0, 100_000);
  });

function alnumCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of text.match(/[A-Za-z0-9]/g) ?? []) counts.set(c, (counts.get(c) ?? 0) + 1);
  return counts;
}

function check(text: string): void {
  const messages: SlackMessage[] = renderReply(
    testReply({ text, sources: [], mode: "llm", language: "en" }),
    { feedbackFor: "slack:T1:C1:1.2" },
  );
  expect(messages.length).toBeGreaterThan(0);
  for (const message of messages) expectWithinLimits(message);
  // Never truncated: every letter and digit of the answer is in its sections (escaping only adds);
  // only a code fence's language tag (```ts) is dropped, since Slack would show it as code.
  const body = classifyLines(text)
    .map((l) => (l.kind === "open" ? "" : l.line))
    .join("\n");
  const out = alnumCounts(sectionText(messages));
  for (const [c, n] of alnumCounts(body)) expect(out.get(c) ?? 0).toBeGreaterThanOrEqual(n);
}

describe("renderReply properties", () => {
  it("any markdown → messages within Slack's limits, balanced code blocks, no pings, nothing lost", () => {
    fc.assert(fc.property(markdown(400), check), { numRuns: 300 });
  });

  it("holds for texts up to 100,000 characters", () => {
    fc.assert(fc.property(hugeMarkdown, check), { numRuns: 40 });
  });
});
