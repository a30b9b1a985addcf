import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  classifyLines,
  MIN_SPLIT_CHARS,
  splitMessage,
  unclosedFence,
} from "../../src/adapters/shared/text-split.js";

/** The text without fence lines and whitespace: what a split must keep, whatever it adds or trims. */
function content(text: string): string {
  return classifyLines(text)
    .filter((l) => l.kind === "text" || l.kind === "code")
    .map((l) => l.line)
    .join("")
    .replace(/[\s\u200b]/g, "");
}

describe("splitMessage", () => {
  it("keeps short text whole", () => {
    expect(splitMessage("Hello **world**.\n\n- a\n- b", 500)).toEqual(["Hello **world**.\n\n- a\n- b"]);
  });

  it("returns nothing for blank text", () => {
    expect(splitMessage("", 500)).toEqual([]);
    expect(splitMessage("\n\n  \n", 500)).toEqual([]);
  });

  it("refuses budgets too small to reopen a code block", () => {
    expect(() => splitMessage("x", MIN_SPLIT_CHARS - 1)).toThrow(RangeError);
  });

  it("splits at paragraph breaks first", () => {
    const para = (c: string) => `${c.repeat(150)}.`;
    const text = [para("a"), para("b"), para("c"), para("d")].join("\n\n");
    const chunks = splitMessage(text, 400);
    expect(chunks).toEqual([`${para("a")}\n\n${para("b")}`, `${para("c")}\n\n${para("d")}`]);
  });

  it("closes and reopens a code block cut in two, with its language", () => {
    const code = Array.from({ length: 60 }, (_, i) => `const line${i} = ${i};`).join("\n");
    const text = `Before.\n\n\`\`\`ts\n${code}\n\`\`\`\n\nAfter.`;
    const chunks = splitMessage(text, 500);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(500);
      expect(unclosedFence(chunk)).toBeUndefined();
    }
    expect(chunks[1]?.startsWith("```ts\n")).toBe(true);
    expect(chunks.at(-1)?.endsWith("After.")).toBe(true);
    expect(content(chunks.join("\n"))).toBe(content(text));
  });

  it("closes a code block the text never closed", () => {
    const chunks = splitMessage("Look:\n```\nunfinished", 500);
    expect(chunks).toEqual(["Look:\n```\nunfinished\n```"]);
  });

  it("cuts a line longer than the budget at spaces", () => {
    const words = Array.from({ length: 400 }, (_, i) => `w${i}`).join(" ");
    const chunks = splitMessage(words, 300);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(300);
    expect(chunks.join("").split(" ")).toEqual(words.split(" "));
  });

  it("keeps the rest of a cut line that starts like a fence from closing the reopened block", () => {
    // 75 characters of code leave room for only part of the backtick line; its rest starts the
    // next chunk, right after the reopened fence, where it would otherwise read as a closing fence.
    const text = `\`\`\`\n${"x".repeat(75)}\n${"`".repeat(137)}\n\`\`\``;
    const chunks = splitMessage(text, MIN_SPLIT_CHARS);
    expect(chunks).toHaveLength(2);
    for (const chunk of chunks) expect(unclosedFence(chunk)).toBeUndefined();
    expect(chunks[1]).toBe(`\`\`\`\n\u200b${"`".repeat(60)}\n\`\`\``);
  });

  it("never splits a surrogate pair", () => {
    const chunks = splitMessage("😀".repeat(1000), 301);
    for (const chunk of chunks) expect(chunk).not.toMatch(/[\ud800-\udbff]$|^[\udc00-\udfff]/);
    expect(chunks.join("")).toBe("😀".repeat(1000));
  });

  // Fence-heavy text: the generator favours backticks, tildes and line breaks so fences, long
  // lines and cut lines that look like fences all occur.
  const fenceText = fc
    .array(
      fc.oneof(
        fc.constantFrom("```", "```ts", "~~~", "````", "\n", "\n\n", " ", "`", "~"),
        fc.string({ maxLength: 40 }),
        fc.string({ minLength: 100, maxLength: 700, unit: fc.constantFrom("a", " ", "`", "~", "b") }),
        // Long runs of one fence character with a short tail: a cut can only land inside the run.
        fc
          .tuple(
            fc.constantFrom("`", "~"),
            fc.integer({ min: 100, max: 900 }),
            fc.constantFrom("", "js", " x"),
          )
          .map(([c, n, tail]) => c.repeat(n) + tail),
      ),
      { maxLength: 200 },
    )
    .map((parts) => parts.join(""));

  it("property: chunks fit, fences balance, nothing is lost", () => {
    fc.assert(
      fc.property(fenceText, fc.integer({ min: MIN_SPLIT_CHARS, max: 3000 }), (text, max) => {
        const chunks = splitMessage(text, max);
        for (const chunk of chunks) {
          expect(chunk.length).toBeLessThanOrEqual(max);
          expect(unclosedFence(chunk)).toBeUndefined();
          expect(chunk.trim()).not.toBe("");
        }
        expect(content(chunks.join("\n"))).toBe(content(text));
      }),
      { numRuns: 300 },
    );
  });
});
