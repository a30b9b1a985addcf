import { describe, expect, it } from "vitest";
import type { Bot } from "../../src/core/bot.js";
import { parseCommandLine } from "../../src/core/bot.js";
import type { Reply } from "../../src/core/types.js";
import { createTestBot, loadRepoKb } from "../helpers.js";

const bot: Bot = await createTestBot();
const kb = await loadRepoKb();

async function run(line: string, options?: Record<string, unknown>): Promise<Reply> {
  const parsed = parseCommandLine(line);
  if (!parsed) throw new Error(`not a command: ${line}`);
  return bot.handle({
    kind: "command",
    platform: "cli",
    conversationId: "test:commands",
    userId: "u1",
    name: parsed.name,
    text: parsed.text,
    ...(options ? { options } : {}),
  });
}

describe("commands", () => {
  it("lists every built-in plus one shortcut per catalog project", () => {
    const names = bot.commands().map((c) => c.name);
    expect(names.slice(0, 7)).toEqual(["ask", "project", "projects", "compare", "talks", "about", "help"]);
    for (const p of kb.projects) expect(names).toContain(p.id);
    const project = bot.commands().find((c) => c.name === "project");
    expect(project?.options).toEqual([
      { name: "name", description: expect.any(String), required: true, autocomplete: "project" },
    ]);
  });

  it("/projects lists the catalog with one-liners", async () => {
    const reply = await run("/projects");
    for (const p of kb.projects) expect(reply.text).toContain(p.name);
    expect(reply.text).toMatch(/Featured projects/);
  });

  it.each([["/project capi"], ["/project Cluster API"], ["/project CLUSTER-API"], ["/project clusterapi"]])(
    "%s prints the Cluster API card",
    async (line) => {
      const reply = await run(line);
      expect(reply.cards?.[0]?.projectId).toBe("cluster-api");
      expect(reply.text).toMatch(/Cluster API/);
      expect(reply.text).toMatch(/3,700/);
      expect(reply.text).toMatch(/https:\/\/sched\.co\/1txDE/);
    },
  );

  it("/project tolerates typos", async () => {
    expect((await run("/project kubevrit")).cards?.[0]?.projectId).toBe("kubevirt");
    expect((await run("/project vclustr")).cards?.[0]?.projectId).toBe("vcluster");
  });

  it("/project with an unknown name suggests close ones", async () => {
    const reply = await run("/project kubevirtzzz");
    expect(reply.ephemeral).toBe(true);
    expect(reply.text).toMatch(/Did you mean/);
    expect(reply.text).toMatch(/kubevirt/);
    const none = await run("/project zzzzzzzzzzzz");
    expect(none.text).toMatch(/\/projects/);
  });

  it.each([
    ["/project cluster", ["Cluster API", "vCluster"]],
    ["/project kube", ["KubeVirt", "kube-green", "Kubeflow"]],
  ])("%s is ambiguous: it names the candidates instead of guessing", async (line, names) => {
    const reply = await run(line);
    expect(reply.cards).toBeUndefined();
    expect(reply.text).toMatch(/could mean/);
    for (const name of names) expect(reply.text).toContain(name);
  });

  it("a name only one project holds resolves to it", async () => {
    expect((await run("/project kubev")).cards?.[0]?.projectId).toBe("kubevirt");
    expect((await run("/project vclu")).cards?.[0]?.projectId).toBe("vcluster");
  });

  it.each([
    ["/project 集群API", "cluster-api"],
    ["/project 集群 API", "cluster-api"],
    ["/project 本地AI", "localai"],
  ])("%s resolves a Chinese name", async (line, id) => {
    const reply = await run(line);
    expect(reply.cards?.[0]?.projectId).toBe(id);
    expect(reply.language).toBe("zh");
  });

  it("/project 虚拟机 suggests KubeVirt, in Chinese", async () => {
    const reply = await run("/project 虚拟机");
    expect(reply.cards).toBeUndefined();
    expect(reply.text).toMatch(/你是不是想找/);
    expect(reply.text).toContain("kubevirt");
  });

  it("/project takes typed options (Discord) as well as text", async () => {
    const reply = await run("/project", { name: "KubeVirt" });
    expect(reply.cards?.[0]?.name).toBe("KubeVirt");
  });

  it("/project without a name explains the usage", async () => {
    const reply = await run("/project");
    expect(reply.ephemeral).toBe(true);
    expect(reply.text).toMatch(
      /`\/project` needs project name or alias.*Usage: `\/project <name>`, e\.g\. `\/project kubevirt`/,
    );
    expect(reply.text).not.toMatch(/Too small|expected string|missing/i);
  });

  it("usage errors are written in the request's language, without validator wording", async () => {
    const long = await run(`/project ${"很长的名字".repeat(30)}`);
    expect(long.text).toMatch(/用法：`\/project <name>`/);
    expect(long.text).not.toMatch(/Too (big|small)|expected/i);
  });

  it("/project answers in Chinese for a Chinese alias", async () => {
    const reply = await run("/project 虚拟集群");
    expect(reply.cards?.[0]?.projectId).toBe("vcluster");
    expect(reply.text).toMatch(/GitHub 星标/);
  });

  it("a shortcut without a question shows the card; with one, a focused answer", async () => {
    const card = await run("/kubevirt");
    expect(card.cards?.[0]?.projectId).toBe("kubevirt");
    const answer = await run("/kubevirt who uses it?");
    expect(answer.mode).toBe("extractive");
    expect(answer.text).toMatch(/Nvidia/);
    const stars = await run("/kairos how many GitHub stars?");
    expect(stars.text).toMatch(/1,?200/);
  });

  it.each([
    ["/compare capi vcluster"],
    ["/compare cluster api vs vcluster"],
    ["/compare Cluster API, vCluster"],
    ["/compare cluster api vcluster"],
  ])("%s compares facts side by side", async (line) => {
    const reply = await run(line);
    expect(reply.cards?.map((c) => c.projectId)).toEqual(["cluster-api", "vcluster"]);
    expect(reply.text).toMatch(/GitHub stars.*Cluster API: 3,700 · vCluster: 8,000/);
    expect(reply.text).toMatch(/Created by.*Cluster API: not stated · vCluster: Loft Labs/);
  });

  it("/compare rejects the same project twice and unknown ones", async () => {
    expect((await run("/compare capi cluster-api")).text).toMatch(/two different/);
    expect((await run("/compare capi nothingatall")).text).toMatch(/don't know a project/);
  });

  it.each([
    ["/compare capi", /`\/compare` takes two projects/],
    ["/compare", /`\/compare` takes two projects/],
    ["/compare capi kubevirt kairos", /`\/compare` takes two projects/],
    ["/compare capi, kubevirt, kairos", /`\/compare` takes two projects/],
    ["/compare 集群API", /`\/compare` 需要两个项目/],
  ])("%s says compare takes two projects", async (line, message) => {
    const reply = await run(line);
    expect(reply.ephemeral).toBe(true);
    expect(reply.text).toMatch(message);
    expect(reply.text).not.toMatch(/unknown project|don't know/i);
  });

  it("/talks lists recommended sessions per project and those without talks", async () => {
    const reply = await run("/talks");
    expect(reply.text).toMatch(/KubeVirt.*https:\/\/sched\.co\/1td18.*recommended by the article/);
    // The article only links the K8sGPT session: it does not recommend it.
    expect(reply.text).toMatch(/K8sGPT.*https:\/\/sched\.co\/1tx86/);
    expect(reply.text).not.toMatch(/K8sGPT[^\n]*recommended/);
    // LocalAI has no session, and that is the article's point about it.
    expect(reply.text).toMatch(/LocalAI:.*no talks.*25 talks/);
    // The talk comparisons keep their scale.
    expect(reply.text).toMatch(/vCluster:.*35\+/);
    expect(reply.text).toMatch(/Kairos:.*22 between them/);
    expect(reply.text).toMatch(/No talks at all.*Velero.*kube-green.*Multus/);
    expect(reply.text).toMatch(/300/);
  });

  it("/about names the article, author, translation and link", async () => {
    const reply = await run("/about");
    expect(reply.text).toMatch(/Five Enterprise K8s Projects/);
    expect(reply.text).toMatch(/Ant Newman/);
    expect(reply.text).toMatch(/translation/);
    expect(reply.text).toMatch(/https:\/\/thenewstack\.io\//);
  });

  it("/help lists the commands, ephemerally", async () => {
    const reply = await run("/help");
    expect(reply.ephemeral).toBe(true);
    for (const c of ["/ask", "/project", "/projects", "/compare", "/talks", "/about"])
      expect(reply.text).toContain(c);
    expect(reply.text).toMatch(/\/kubevirt/);
  });

  it("/help with a Chinese argument answers in Chinese", async () => {
    const reply = await run("/help 怎么用");
    expect(reply.language).toBe("zh");
    expect(reply.text).toMatch(/@我并提问/);
    expect(reply.text).toMatch(/项目快捷命令/);
  });

  it("catalog categories come only from the article", () => {
    // The article says what Velero or MAAS are, but not what kind of project OpenTelemetry,
    // Prometheus, eBPF or Kubeflow is: their cards carry no category.
    for (const id of ["opentelemetry", "prometheus", "ebpf", "kubeflow"])
      expect(kb.projects.find((p) => p.id === id)?.category).toBeUndefined();
    expect(kb.projects.find((p) => p.id === "velero")?.category?.en).toBe("backup tool");
  });

  it("/ask answers a free question with citations", async () => {
    const reply = await run("/ask Who created vCluster?");
    expect(reply.text).toMatch(/Loft/);
    expect(reply.sources.length).toBeGreaterThan(0);
  });

  it("an unknown command gets a helpful message, not an error", async () => {
    const reply = await run("/projetcs");
    expect(reply.ephemeral).toBe(true);
    expect(reply.text).toMatch(/Unknown command/);
    expect(reply.text).toMatch(/\/projects/);
  });

  it("an unexpected failure becomes an apology, never a stack trace", async () => {
    const broken = await createTestBot({
      answerer: {
        answer: async () => {
          throw new Error("database exploded at /secret/path");
        },
      },
    });
    const reply = await broken.handle({
      kind: "question",
      platform: "cli",
      conversationId: "x",
      userId: "u",
      text: "Who uses KubeVirt?",
    });
    expect(reply.text).toMatch(/Sorry/);
    expect(reply.text).not.toMatch(/exploded|secret/);
  });

  it("suggests projects for autocomplete within 25", () => {
    expect(bot.suggestProjects("kube").map((p) => p.id)).toEqual(
      expect.arrayContaining(["kubevirt", "kube-green", "kubeflow"]),
    );
    expect(bot.suggestProjects("", 25).length).toBeLessThanOrEqual(25);
    expect(bot.suggestProjects("capi")[0]?.id).toBe("cluster-api");
  });

  it("records feedback", () => {
    const seen: string[] = [];
    bot.onFeedback((f) => seen.push(`${f.value}:${f.messageRef}`));
    bot.recordFeedback({
      platform: "slack",
      conversationId: "c",
      userId: "u",
      messageRef: "m1",
      value: "up",
    });
    expect(seen).toEqual(["up:m1"]);
  });
});

describe("draining for shutdown", () => {
  const drainBase = { platform: "cli", conversationId: "d", userId: "u" } as const;
  it("finishes in-flight answers and turns new requests away", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = await createTestBot({
      answerer: {
        answer: async () => {
          await gate;
          return { text: "done [1]", mode: "extractive", sources: [] };
        },
      },
    });
    const pending = slow.handle({ ...drainBase, kind: "question", text: "Who uses KubeVirt?" });
    await new Promise((r) => setImmediate(r));
    expect(slow.inFlight).toBe(1);
    const drained = slow.drain(5_000);
    const late = await slow.handle({ ...drainBase, kind: "command", name: "projects" });
    expect(late.text).toMatch(/restarting/);
    release();
    expect((await pending).text).toBe("done [1]");
    expect(await drained).toBe(true);
  });

  it("gives up waiting after the grace period", async () => {
    const stuck = await createTestBot({ answerer: { answer: () => new Promise(() => {}) } });
    void stuck.handle({ ...drainBase, kind: "question", text: "Who uses KubeVirt?" });
    await new Promise((r) => setImmediate(r));
    expect(await stuck.drain(20)).toBe(false);
  });
});
