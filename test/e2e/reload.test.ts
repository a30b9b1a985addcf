/**
 * Reloading the knowledge base without a restart: POST /admin/reload (guarded by ADMIN_TOKEN),
 * `spotlight reload` against it, SIGHUP, and the version on /readyz and /metrics.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/app/config.js";
import { mountReload } from "../../src/app/reload.js";
import { createRuntime } from "../../src/app/runtime.js";
import { silentLogger } from "../../src/core/logger.js";
import { PrometheusMetrics } from "../../src/http/metrics.js";
import { HttpServer } from "../../src/http/server.js";
import { runCliCaptured } from "../cli-harness.js";
import { copyDataDir } from "../helpers.js";

const ADMIN_TOKEN = "admin-token-for-tests-0123456";
const ARTICLE = `# Dapr Notes

Dapr is a portable, event-driven runtime for building distributed applications.
`;

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function startServer(env: Record<string, string> = { ADMIN_TOKEN }) {
  const copy = await copyDataDir();
  cleanups.push(copy.cleanup);
  const config = loadConfig({ DATA_DIR: copy.dir, PORT: "0", ...env });
  const metrics = new PrometheusMetrics({ defaultMetrics: false });
  const rt = await createRuntime(config, silentLogger, { metrics });
  const http = new HttpServer(silentLogger);
  metrics.mount(http);
  const unmount = mountReload(rt, http, {
    ...(config.adminToken ? { adminToken: config.adminToken } : {}),
    logger: silentLogger,
    metrics,
  });
  const address = await http.listen(0, "127.0.0.1");
  cleanups.push(async () => {
    unmount();
    await http.close();
    await rt.close();
  });
  const url = `http://127.0.0.1:${address.port}`;
  const readyVersion = async () =>
    (
      (await (await fetch(`${url}/readyz`)).json()) as {
        checks: { knowledge: { detail: { version: string } } };
      }
    ).checks.knowledge.detail.version;
  return {
    rt,
    url,
    dir: copy.dir,
    readyVersion,
    metrics: () => fetch(`${url}/metrics`).then((r) => r.text()),
  };
}

describe("knowledge-base reload", () => {
  it("reloads on `spotlight reload`, and shows the new version on /readyz and /metrics", async () => {
    const s = await startServer();
    const before = s.rt.kb.version;
    expect(await s.readyVersion()).toBe(before);
    expect(await s.metrics()).toContain(`spotlight_knowledge_base_info{version="${before}"} 1`);

    await writeFile(path.join(s.dir, "articles", "dapr.md"), ARTICLE);
    const run = await runCliCaptured(["reload", "--url", s.url], { env: { ADMIN_TOKEN } });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const after = s.rt.kb.version;
    expect(after).not.toBe(before);
    expect(run.stdout).toContain(`${before} -> ${after}`);
    expect(s.rt.kb.articles.map((a) => a.meta.id)).toContain("dapr");
    expect(await s.readyVersion()).toBe(after);
    const metrics = await s.metrics();
    expect(metrics).toContain(`spotlight_knowledge_base_info{version="${after}"} 1`);
    expect(metrics).not.toContain(`version="${before}"`);
    expect(metrics).toContain('spotlight_knowledge_base_reloads_total{outcome="changed"} 1');

    // The bot answers from the new article at once.
    const reply = await s.rt.bot.handle({
      kind: "question",
      platform: "cli",
      conversationId: "t:1",
      userId: "u",
      text: "What is Dapr?",
    });
    expect(reply.text).toMatch(/portable, event-driven runtime/);
  });

  it("refuses without the token, and is off without ADMIN_TOKEN", async () => {
    const s = await startServer();
    const wrong = await fetch(`${s.url}/admin/reload`, {
      method: "POST",
      headers: { authorization: "Bearer not-the-admin-token-at-all" },
    });
    expect(wrong.status).toBe(401);
    const off = await startServer({});
    expect((await fetch(`${off.url}/admin/reload`, { method: "POST" })).status).toBe(404);
    const run = await runCliCaptured(["reload", "--url", off.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("ADMIN_TOKEN");
  });

  it("keeps the knowledge base in use when a data file is broken, and says why", async () => {
    const s = await startServer();
    const before = s.rt.kb.version;
    await writeFile(path.join(s.dir, "projects.yaml"), "- id: Not Valid\n");
    const run = await runCliCaptured(["reload", "--url", s.url], { env: { ADMIN_TOKEN } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/previous knowledge base stays in use: projects\.yaml/);
    expect(s.rt.kb.version).toBe(before);
    expect(await s.metrics()).toContain('spotlight_knowledge_base_reloads_total{outcome="failed"} 1');
  });

  it("reloads on SIGHUP", async () => {
    const s = await startServer();
    const before = s.rt.kb.version;
    await writeFile(path.join(s.dir, "articles", "dapr.md"), ARTICLE);
    process.emit("SIGHUP", "SIGHUP");
    await expect.poll(() => s.rt.kb.version).not.toBe(before);
    expect(await s.readyVersion()).toBe(s.rt.kb.version);
  });
});
