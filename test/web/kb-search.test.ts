import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";

// The page's own search (public/kb-search.js, plain JS served as is), loaded as the browser does.
interface Match {
  match: boolean;
  terms: string[];
}
interface Glossary {
  en: string[];
  zh: string[];
}
interface SearchModule {
  fold(text: string): string;
  wordsOf(text: string): string[];
  editDistance(a: string, b: string, max: number): number;
  matchItem(
    item: { text: string; words: string[] },
    query: string,
    glossary: Glossary[],
    typos: boolean,
  ): Match;
  termsPattern(terms: string[]): RegExp | undefined;
}
const search = (await import(
  pathToFileURL(path.join(repoRoot, "public", "kb-search.js")).href
)) as SearchModule;

const item = (text: string) => ({ text: search.fold(text), words: search.wordsOf(text) });
const glossary: Glossary[] = [{ en: ["virtual machine", "vm"], zh: ["虚拟机"] }];

describe("knowledge-base search on the page", () => {
  it("counts an adjacent transposition as one edit", () => {
    expect(search.editDistance("kairso", "kairos", 1)).toBe(1);
    expect(search.editDistance("kubvirt", "kubevirt", 1)).toBe(1);
    expect(search.editDistance("vcluster", "kubevirt", 2)).toBe(3);
  });

  it("forgives typos only when asked, and only in words long enough", () => {
    const kubevirt = item("KubeVirt runs virtual machines on Kubernetes");
    expect(search.matchItem(kubevirt, "kubvirt", [], false).match).toBe(false);
    expect(search.matchItem(kubevirt, "kubvirt", [], true)).toEqual({ match: true, terms: ["kubevirt"] });
    expect(search.matchItem(item("a cat"), "cot", [], true).match).toBe(false);
  });

  it("matches across languages through the glossary, and needs every word", () => {
    const zh = item("KubeVirt 让虚拟机运行在 Kubernetes 上");
    expect(search.matchItem(zh, "virtual machine", glossary, false).match).toBe(false);
    expect(search.matchItem(zh, "vm", glossary, false)).toEqual({ match: true, terms: ["虚拟机"] });
    const en = item("Run a virtual machine next to containers");
    expect(search.matchItem(en, "虚拟机", glossary, false).terms).toContain("virtual machine");
    expect(search.matchItem(en, "虚拟机 nothing", glossary, false).match).toBe(false);
  });

  it("highlights the longest term first and escapes regex characters", () => {
    const pattern = search.termsPattern(["c++", "vm", "virtual machine"]);
    expect("A Virtual Machine, a VM and C++".match(pattern as RegExp)).toEqual([
      "Virtual Machine",
      "VM",
      "C++",
    ]);
    expect(search.termsPattern([])).toBeUndefined();
  });
});
