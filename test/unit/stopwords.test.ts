import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";

// The answerer ships English and Chinese stop words copied from stopwords-iso rather than loading
// the package's 58 languages at start-up; the copy must stay equal to the package.
describe("the stop-word copy", () => {
  it("equals stopwords-iso's English and Chinese lists", () => {
    const iso = createRequire(import.meta.url)("stopwords-iso/stopwords-iso.json") as Record<
      string,
      string[]
    >;
    const copy = JSON.parse(
      readFileSync(path.join(repoRoot, "src/core/answer/stopwords.json"), "utf8"),
    ) as Record<string, string[]>;
    expect(Object.keys(copy).sort()).toEqual(["en", "zh"]);
    expect(copy.en).toEqual(iso.en);
    expect(copy.zh).toEqual(iso.zh);
  });
});
