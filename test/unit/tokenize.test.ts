import { describe, expect, it } from "vitest";
import { detectLanguage, normalizeText, tokenize } from "../../src/core/knowledge/tokenize.js";

describe("tokenize", () => {
  it("case-folds and stems English, dropping stop words", () => {
    expect(tokenize("Who USES the Clusters?")).toEqual(["us", "cluster"]);
  });

  it("emits Chinese unigrams and bigrams, dropping function characters", () => {
    const tokens = tokenize("边缘计算的镜像");
    expect(tokens).toEqual(expect.arrayContaining(["边缘", "缘计", "计算", "镜像", "边", "镜"]));
    expect(tokens).not.toContain("的");
  });

  it("handles mixed text and keeps compound names whole and by parts", () => {
    const tokens = tokenize("kube-green 在 GitHub 上");
    expect(tokens).toEqual(expect.arrayContaining(["kube-green", "kube", "green", "github"]));
  });

  it("joins digit groups so 8,000 and 8000 are one token", () => {
    expect(tokenize("8,000 stars")).toEqual(tokenize("8000 stars"));
    expect(normalizeText("５,０００")).toBe("5000");
  });
});

describe("detectLanguage", () => {
  it.each([
    ["Who uses KubeVirt?", "en"],
    ["vCluster 在 GitHub 上有多少星标？", "zh"],
    ["Cluster API 始于 2018 年。", "zh"],
    ["What is 2018?", "en"],
  ])("%s -> %s", (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });
});
