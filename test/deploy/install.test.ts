import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";

// scripts/install.sh (`npm run setup`) on machines unlike ours: each case runs the real script
// with a PATH holding only the tools it names: bash, node, dirname and id, plus stand-ins that
// record how they were called: npm (so no real `npm ci` runs), and apt-get where a case has one.

const script = path.join(repoRoot, "scripts", "install.sh");
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

interface Machine {
  bin: string;
  log: string;
}

/** A program that appends "name args…" to the log, then runs `then` (node code) if given. */
async function standIn(machine: Machine, name: string, then = ""): Promise<void> {
  const file = path.join(machine.bin, name);
  await writeFile(
    file,
    `#!${process.execPath}
const { appendFileSync, writeFileSync, chmodSync } = require("node:fs");
const path = require("node:path");
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(machine.log)}, [${JSON.stringify(name)}, ...args].join(" ") + "\\n");
${then}
`,
  );
  await chmod(file, 0o755);
}

async function machine(): Promise<Machine> {
  const dir = await mkdtemp(path.join(tmpdir(), "spotlight-setup-"));
  dirs.push(dir);
  const bin = path.join(dir, "bin");
  const log = path.join(dir, "calls.log");
  await mkdir(bin);
  await writeFile(log, "");
  const which = async (tool: string) =>
    (await promisify(execFile)("bash", ["-c", `command -v ${tool}`])).stdout.trim();
  for (const tool of ["bash", "dirname", "id"]) await symlink(await which(tool), path.join(bin, tool));
  await symlink(process.execPath, path.join(bin, "node"));
  const m = { bin, log };
  await standIn(m, "npm");
  return m;
}

async function setup(m: Machine): Promise<{ code: number; stdout: string; stderr: string; calls: string[] }> {
  const result = await promisify(execFile)(path.join(m.bin, "bash"), [script], {
    cwd: tmpdir(),
    env: { PATH: m.bin, HOME: path.dirname(m.bin) },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
  const calls = (await readFile(m.log, "utf8")).split("\n").filter(Boolean);
  return { ...result, calls };
}

describe("scripts/install.sh", () => {
  it("without apt or chromium: installs the npm dependencies, then names the missing test packages", async () => {
    const m = await machine();
    const { code, stdout, calls } = await setup(m);
    expect(code).toBe(0);
    expect(calls).toEqual(["npm ci --no-audit --no-fund"]);
    expect(stdout).toMatch(/npm start/);
    expect(stdout).toMatch(/Not installed: redis-server chromium\. Only the test suite/);
    expect(stdout).toMatch(/redis-server: .*brew install redis/);
  });

  it("with Fedora's chromium-browser: says the tests want chromium", async () => {
    const m = await machine();
    await standIn(m, "chromium-browser");
    await standIn(m, "redis-server");
    const { code, stdout, calls } = await setup(m);
    expect(code).toBe(0);
    expect(calls).toEqual(["npm ci --no-audit --no-fund"]);
    expect(stdout).toMatch(/Not installed: chromium\./);
    expect(stdout).toMatch(/this machine has chromium-browser/);
    expect(stdout).not.toMatch(/redis-server:/);
  });

  it("with apt: installs the test packages, then the npm dependencies", async () => {
    const m = await machine();
    // apt-get "installs" by putting the programs on PATH.
    await standIn(
      m,
      "apt-get",
      `if (args[0] === "install") for (const p of args.filter((a) => !a.startsWith("-") && a !== "install")) {
  const file = path.join(${JSON.stringify(m.bin)}, p);
  writeFileSync(file, "#!/bin/sh\\n");
  chmodSync(file, 0o755);
}`,
    );
    const { code, stdout, calls } = await setup(m);
    expect(code).toBe(0);
    expect(calls).toEqual([
      "apt-get update -qq",
      "apt-get install -y -qq --no-install-recommends redis-server chromium",
      "npm ci --no-audit --no-fund",
    ]);
    expect(stdout).not.toMatch(/Not installed/);
  });

  it("when apt-get fails: still installs the npm dependencies and names what is missing", async () => {
    const m = await machine();
    await standIn(m, "apt-get", "process.exit(100);");
    const { code, stdout, stderr, calls } = await setup(m);
    expect(code).toBe(0);
    expect(calls.at(-1)).toBe("npm ci --no-audit --no-fund");
    expect(stderr).toMatch(/apt-get could not install/);
    expect(stdout).toMatch(/Not installed: redis-server chromium/);
  });

  it("with everything present: only npm ci", async () => {
    const m = await machine();
    await standIn(m, "redis-server");
    await standIn(m, "chromium");
    await standIn(m, "apt-get");
    const { code, stdout, calls } = await setup(m);
    expect(code).toBe(0);
    expect(calls).toEqual(["npm ci --no-audit --no-fund"]);
    expect(stdout).not.toMatch(/Not installed/);
  });

  it("with a Node.js older than 20.19: stops before installing, saying why", async () => {
    const m = await machine();
    await rm(path.join(m.bin, "node"));
    await writeFile(
      path.join(m.bin, "node"),
      `#!/bin/sh\nif [ "$1" = "--version" ]; then echo v18.20.0; exit 0; fi\nexit 1\n`,
    );
    await chmod(path.join(m.bin, "node"), 0o755);
    const { code, stderr, calls } = await setup(m);
    expect(code).toBe(1);
    expect(stderr).toMatch(/needs Node\.js 20\.19 or newer; this is v18\.20\.0/);
    expect(calls).toEqual([]);
  });
});
