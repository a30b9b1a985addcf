import { describe, expect, it } from "vitest";
import { editDistance, isOneEdit } from "../../src/core/knowledge/project-matcher.js";
import { createTestBot } from "../helpers.js";

/** A small deterministic generator, so a failure names the same words every run. */
function words(seed: number, count: number): string[] {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state;
  };
  return Array.from({ length: count }, () => {
    const length = next() % 9;
    return Array.from({ length }, () => "abcd"[next() % 4]).join("");
  });
}

describe("edit distance", () => {
  it("counts a swap of two neighbours as one edit", () => {
    expect(editDistance("kubevrit", "kubevirt")).toBe(1);
    expect(editDistance("kairso", "kairos")).toBe(1);
    expect(editDistance("kubvirt", "kubevirt")).toBe(1);
    expect(editDistance("vcluster", "kubevirt")).toBe(8);
    expect(editDistance("", "abc")).toBe(3);
    // Longer than any word before it: the rows it reuses grow.
    expect(editDistance("a".repeat(40), `${"a".repeat(39)}b`)).toBe(1);
  });

  it("isOneEdit agrees with editDistance(a, b) === 1 on every pair of a few hundred words", () => {
    const list = [...words(7, 300), "kubevirt", "kubevrit", "kubvirt", "kubeevirt", "ab", "ba", "abc", "acb"];
    let ones = 0;
    for (const a of list)
      for (const b of list) {
        const expected = editDistance(a, b) === 1;
        if (expected) ones++;
        expect(isOneEdit(a, b), `${a} / ${b}`).toBe(expected);
      }
    // The words are close enough for the check to mean something.
    expect(ones).toBeGreaterThan(100);
  });
});

describe("projects a text names", () => {
  it("gives the same answer for a text scanned again, and a caller's changes stay its own", async () => {
    const { matcher } = (await createTestBot()).index;
    const sentence = "LocalAI appears by name, and so does a kubevrit typo.";
    const first = matcher.mentionedIn(sentence);
    expect(first.sort()).toEqual(["kubevirt", "localai"]);
    first.push("kairos");
    expect(matcher.mentionedIn(sentence).sort()).toEqual(["kubevirt", "localai"]);
    // A veto is applied on every call, never served from what was scanned without one.
    expect(matcher.mentionedIn("kubevrit", () => true)).toEqual([]);
    expect(matcher.mentionedIn("kubevrit")).toEqual(["kubevirt"]);
    // A long text is scanned as it comes, with the same result.
    const long = `${"word ".repeat(200)}vcluster`;
    expect(matcher.mentionedIn(long)).toEqual(["vcluster"]);
  });
});
