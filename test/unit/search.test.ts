import { describe, expect, it } from "vitest";
import { SearchIndex } from "../../src/core/knowledge/search-index.js";
import { loadRepoKb } from "../helpers.js";

const index = new SearchIndex(await loadRepoKb());
const topSections = (q: string, k = 4) => index.search(q, { k }).hits.map((h) => h.passage.section);

describe("SearchIndex", () => {
  it("returns top-k passages with scores and sources, best first", () => {
    const r = index.search("Who uses KubeVirt?", { k: 3 });
    expect(r.hits).toHaveLength(3);
    const scores = r.hits.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const h of r.hits) expect(h.passage.url).toMatch(/^https:/);
    expect(r.projectIds).toEqual(["kubevirt"]);
  });

  it("resolves aliases: CAPI is Cluster API", () => {
    expect(index.search("When did CAPI start?").projectIds).toEqual(["cluster-api"]);
    expect(topSections("When did CAPI start?").slice(0, 2)).toEqual(["1. Cluster API", "1. Cluster API"]);
  });

  it("tolerates a typo in a project name but not a real word", () => {
    expect(index.search("who uses kubevrit").projectIds).toEqual(["kubevirt"]);
    // "cluster" is a word of the corpus, not a typo of "vCluster".
    expect(index.search("what is a cluster").projectIds).toEqual([]);
  });

  it("finds Chinese passages for English questions and the reverse", () => {
    const en = index.search("How many talks are there at KubeCon Europe in London?");
    expect(en.hits.map((h) => h.passage.text).join(" ")).toMatch(/300/);
    const zh = index.search("谁创建了 vCluster？");
    expect(zh.hits[0]?.passage.projectIds).toContain("vcluster");
  });

  it("boosts the project a question names, also via a focus", () => {
    const focused = index.search("how many GitHub stars?", { projectIds: ["kairos"] });
    expect(focused.hits[0]?.passage.projectIds).toContain("kairos");
  });

  it("uses context from a previous question at a lower weight", () => {
    const followUp = index.search("and how many stars does it have?", { context: "Who uses KubeVirt?" });
    expect(followUp.hits[0]?.passage.projectIds).toContain("kubevirt");
  });

  it("reports low coverage for off-topic questions and high for covered ones", () => {
    expect(index.search("What will the weather be in London next week?").coverage).toBeLessThan(0.5);
    expect(index.search("How many GitHub stars does KubeVirt have?").coverage).toBeGreaterThan(0.9);
  });

  it("indexes catalog facts citing the article section they come from", () => {
    const hit = index.search("Which companies use KubeVirt?").hits.find((h) => h.passage.kind === "catalog");
    expect(hit?.passage.section).toBe("2. KubeVirt");
    expect(hit?.passage.language).toBe("en");
  });
});
