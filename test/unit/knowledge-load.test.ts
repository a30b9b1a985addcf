import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Bot } from "../../src/core/bot.js";
import { DataError } from "../../src/core/errors.js";
import { loadKnowledgeBase } from "../../src/core/knowledge/load.js";
import { ARTICLE_FILE, copyDataDir, dataDir } from "../helpers.js";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** Loads a copy of data/ after one edit and returns the DataError it fails with. */
async function failureAfter(rel: string, edit: (text: string) => string): Promise<DataError> {
  const copy = await copyDataDir();
  cleanup = copy.cleanup;
  await copy.edit(rel, edit);
  const error = await loadKnowledgeBase(copy.dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataError);
  return error as DataError;
}

describe("loadKnowledgeBase", () => {
  it("loads the repository's article and catalog", async () => {
    const kb = await loadKnowledgeBase(dataDir);
    expect(kb.articles).toHaveLength(1);
    expect(kb.articles[0]?.meta.title.en).toBe("Five Enterprise K8s Projects To Look For at KubeCon London");
    expect(kb.projects.map((p) => p.id)).toEqual(
      expect.arrayContaining([
        "cluster-api",
        "kubevirt",
        "vcluster",
        "kairos",
        "localai",
        "velero",
        "kube-green",
        "multus",
        "kine",
        "maas",
        "k8sgpt",
        "opentelemetry",
        "prometheus",
        "ebpf",
        "kubeflow",
      ]),
    );
    // Every chunk keeps its article id, heading path and source URL.
    for (const p of kb.passages) {
      expect(p.articleId).toBeTruthy();
      expect(p.headingPath.length).toBeGreaterThan(0);
      expect(p.url).toMatch(/^https:\/\//);
    }
    // Links from the article are kept, so answers may cite them.
    expect(kb.allowedUrls.has("https://sched.co/1td18")).toBe(true);
  });

  it("chunks by heading, then paragraph", async () => {
    const kb = await loadKnowledgeBase(dataDir);
    const kubevirt = kb.passages.filter((p) => p.kind === "article" && p.section === "2. KubeVirt");
    expect(kubevirt.length).toBe(4);
    expect(kubevirt.every((p) => p.headingPath.at(-1) === "2. KubeVirt")).toBe(true);
  });

  it("names file, field and reason for a field of the wrong type", async () => {
    const e = await failureAfter("projects.yaml", (t) => t.replace("started: 2018", "started: long ago"));
    expect(e.file).toBe("projects.yaml");
    expect(e.field).toBe("[0].facts.started");
    expect(e.reason).toMatch(/number/i);
  });

  it("rejects unknown fields (a typo must not be silently ignored)", async () => {
    const e = await failureAfter("projects.yaml", (t) =>
      t.replace("  featured: true\n", "  featurd: true\n"),
    );
    expect(e.field).toBe("[0]");
    expect(e.reason).toMatch(/featurd/);
  });

  it("rejects a missing required field", async () => {
    const e = await failureAfter("projects.yaml", (t) => t.replace("  name: KubeVirt\n", ""));
    expect(e.field).toBe("[1].name");
  });

  it("rejects invalid YAML with its line", async () => {
    const e = await failureAfter("projects.yaml", (t) =>
      t.replace("- id: kubevirt", "- id: kubevirt\n  : : ["),
    );
    expect(e.file).toBe("projects.yaml");
    expect(e.reason).toMatch(/not valid YAML at line \d+/);
  });

  it("rejects a section that is not a heading of the article", async () => {
    const e = await failureAfter("projects.yaml", (t) =>
      t.replace("section: 2. KubeVirt", "section: 9. Nowhere"),
    );
    expect(e.field).toBe("[1].section");
    expect(e.reason).toMatch(/not a heading/);
  });

  it("rejects a duplicate project id", async () => {
    const e = await failureAfter("projects.yaml", (t) => t.replace("- id: kubevirt", "- id: cluster-api"));
    expect(e.field).toBe("[1].id");
    expect(e.reason).toMatch(/duplicate/);
  });

  it("rejects an alias that already names another project", async () => {
    const e = await failureAfter("projects.yaml", (t) =>
      t.replace("aliases: [Kube Virt, kv]", "aliases: [CAPI]"),
    );
    expect(e.field).toBe("[1].aliases");
  });

  it("rejects an id that cannot be a slash command", async () => {
    const e = await failureAfter("projects.yaml", (t) => t.replace("- id: kubevirt", "- id: Kube Virt"));
    expect(e.field).toBe("[1].id");
  });

  it("rejects a link that is not a URL", async () => {
    const e = await failureAfter("projects.yaml", (t) =>
      t.replace('url: "https://sched.co/1td18"', 'url: "sched.co/1td18"'),
    );
    expect(e.field).toBe("[1].links.kubecon_session.url");
  });

  it("accepts an article without front matter: id from its file name, title from its first heading", async () => {
    const copy = await copyDataDir();
    cleanup = copy.cleanup;
    await copy.edit(ARTICLE_FILE, (t) => t.replace(/^---[\s\S]*?---\n/, ""));
    const kb = await loadKnowledgeBase(copy.dir);
    const meta = kb.articles[0]?.meta;
    expect(meta?.id).toBe("five-enterprise-k8s-projects-kubecon-london");
    expect(meta?.language).toBe("zh");
    expect(meta?.title.zh).toMatch(/KubeCon/);
    expect(meta?.url).toBe("");
  });

  it("rejects front matter missing a field", async () => {
    const e = await failureAfter(ARTICLE_FILE, (t) => t.replace(/^id: .*\n/m, ""));
    expect(e.field).toBe("front matter.id");
  });

  it("needs a Chinese title for a Chinese article only", async () => {
    const e = await failureAfter(ARTICLE_FILE, (t) => t.replace(/^( +)zh: .*\n/m, ""));
    expect(e.field).toBe("front matter.title.zh");
    expect(e.reason).toMatch(/Chinese article/);
  });

  it("rejects an events file referring to an unknown article", async () => {
    const e = await failureAfter("events.yaml", (t) =>
      t.replace("article: five-enterprise-k8s-projects-kubecon-london", "article: nope"),
    );
    expect(e.file).toBe("events.yaml");
    expect(e.field).toBe("[0].article");
  });

  it("rejects a missing catalog file", async () => {
    const copy = await copyDataDir();
    cleanup = copy.cleanup;
    await rm(path.join(copy.dir, "projects.yaml"));
    await expect(loadKnowledgeBase(copy.dir)).rejects.toMatchObject({
      file: "projects.yaml",
      reason: "file not found",
    });
  });

  it("rejects a data directory without articles", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "spotlight-empty-"));
    cleanup = () => rm(dir, { recursive: true, force: true });
    await expect(loadKnowledgeBase(dir)).rejects.toBeInstanceOf(DataError);
  });

  it("rejects a catalog id that clashes with a built-in command", async () => {
    const copy = await copyDataDir();
    cleanup = copy.cleanup;
    await copy.edit("projects.yaml", (t) => t.replace("- id: kine", "- id: help"));
    const kb = await loadKnowledgeBase(copy.dir);
    expect(() => new Bot({ kb })).toThrow(/built-in command/);
  });

  it("takes a new article and a new catalog entry with no code change", async () => {
    const copy = await copyDataDir();
    cleanup = copy.cleanup;
    await writeFile(
      path.join(copy.dir, "articles", "second.md"),
      [
        "---",
        "id: second-article",
        "title: { zh: 第二篇, en: Second article }",
        "url: https://example.org/second",
        "author: A. Writer",
        "publisher: Example",
        "language: en",
        "---",
        "# Second article",
        "",
        "## Flux",
        "",
        "Flux is a GitOps tool that reconciles clusters from Git repositories.",
        "",
      ].join("\n"),
    );
    await copy.edit(
      "projects.yaml",
      (t) =>
        `${t}\n- id: flux\n  name: Flux\n  article: second-article\n  section: Flux\n  category: { en: GitOps, zh: GitOps }\n  summary: { en: Flux is a GitOps tool., zh: Flux 是一个 GitOps 工具。 }\n`,
    );
    const kb = await loadKnowledgeBase(copy.dir);
    const bot = new Bot({ kb });
    expect(bot.commands().map((c) => c.name)).toContain("flux");
    const reply = await bot.handle({
      kind: "question",
      platform: "cli",
      conversationId: "t",
      userId: "u",
      text: "What does Flux reconcile clusters from?",
    });
    expect(reply.mode).toBe("extractive");
    expect(reply.text).toMatch(/Git/);
  });
});
