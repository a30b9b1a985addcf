import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PrometheusMetrics } from "../../src/http/metrics.js";

const DASHBOARD = path.resolve("deploy/helm/spotlight/dashboards/spotlight.json");

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

/** Every series name /metrics can expose: histograms as their _bucket, _sum and _count. */
async function exposedNames(): Promise<Set<string>> {
  const metrics = new PrometheusMetrics();
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === "histogram")
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

describe("the Grafana dashboard shipped with the chart", () => {
  it("is valid JSON whose every query names a metric /metrics exposes", async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, "utf8")) as { title: string; panels: Panel[] };
    const exposed = await exposedNames();
    const queries = dashboard.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
    );
    expect(queries.length).toBeGreaterThanOrEqual(6);
    for (const { panel, expr } of queries) {
      const named = [...expr.matchAll(/\bspotlight_[a-z_]+\b/g)].map((m) => m[0]);
      expect(named.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of named) expect(exposed.has(name), `${panel} queries ${name}`).toBe(true);
    }
  });

  it("charts answers by mode, the gap rate, feedback and latency per adapter", async () => {
    const text = await readFile(DASHBOARD, "utf8");
    for (const metric of [
      "spotlight_answers_total",
      "spotlight_feedback_total",
      "spotlight_question_seconds_bucket",
    ])
      expect(text).toContain(metric);
    expect(text).toMatch(/declined\|hedged/);
  });
});
