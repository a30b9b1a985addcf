import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";

// bin/spotlight.js (what `npm start` and `npx spotlight` run) on a fresh or freshly pulled
// checkout: a copy of the repository's sources in a temporary directory, without dist/.

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function spotlight(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return promisify(execFile)(process.execPath, [path.join(cwd, "bin", "spotlight.js"), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    timeout: 60_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

/** A clone's files without dist/; node_modules linked from this checkout unless `withDeps` is false. */
async function checkout(withDeps = true): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "spotlight-checkout-"));
  dirs.push(dir);
  for (const entry of [
    "bin",
    "src",
    "data",
    "prompts",
    "public",
    "package.json",
    "tsconfig.json",
    "tsconfig.build.json",
  ]) {
    await cp(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
  }
  if (withDeps) await symlink(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

const noStack = (run: Run) => {
  expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|\n\s+at /);
};

describe("bin/spotlight.js", () => {
  it("builds dist/ when it is missing, then runs", async () => {
    const dir = await checkout();
    const run = await spotlight(dir, ["help"]);
    noStack(run);
    expect(run.stderr).toMatch(/dist\/ has not been built yet; building it/);
    expect(run.stdout).toMatch(/^Usage: spotlight/);
    expect(run.code).toBe(0);

    // Up to date now: no second build.
    const again = await spotlight(dir, ["help"]);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
  }, 120_000);

  it("rebuilds after the sources change (a git pull), never running the stale build", async () => {
    const dir = await checkout();
    expect((await spotlight(dir, ["help"])).code).toBe(0);
    // The pull brings a change: dist/ is now older than src/ (the CLI may live in src/app/).
    const layout = existsSync(path.join(dir, "src", "app", "cli.ts")) ? "app/cli" : "cli";
    const past = new Date(Date.now() - 60_000);
    await utimes(path.join(dir, "dist", `${layout}.js`), past, past);
    const source = path.join(dir, "src", `${layout}.ts`);
    await writeFile(
      source,
      (await readFile(source, "utf8")).replace("Usage: spotlight", "Usage (pulled): spotlight"),
    );

    const run = await spotlight(dir, ["help"]);
    noStack(run);
    expect(run.stderr).toMatch(/src\/ changed since dist\/ was built; building it/);
    expect(run.stdout).toMatch(/^Usage \(pulled\): spotlight/);
  }, 120_000);

  it("without installed dependencies: says to install them, with no stack trace", async () => {
    const dir = await checkout(false);
    const run = await spotlight(dir, ["start"]);
    noStack(run);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/dependencies are not installed: run `npm run setup` \(or `npm ci`\) first/);
  });

  it("in an installed package without dist/: says to reinstall, with no stack trace", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "spotlight-package-"));
    dirs.push(dir);
    for (const entry of ["bin", "package.json"])
      await cp(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
    const run = await spotlight(dir, ["start"]);
    noStack(run);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/dist\/ is missing from this installation; reinstall it/);
  });

  it("with no arguments prints the help instead of starting a server", async () => {
    const run = await spotlight(repoRoot, []);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: spotlight <command>/);
    expect(run.stdout).not.toMatch(/playground:/);
  });

  it("on a busy port: says to set PORT", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as { port: number };
    try {
      const run = await spotlight(repoRoot, ["start"], {
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "silent",
      });
      noStack(run);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use: .*set PORT to a free port`),
      );
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });
});
