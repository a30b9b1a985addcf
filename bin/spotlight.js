#!/usr/bin/env node
// The package's bin: runs the compiled CLI in dist/ (npm ci builds it through `prepare`).
// In a source checkout it first makes sure dist/ is there and not older than src/ (after a
// `git pull`, say), building it with the project's TypeScript when it can, so `npm start`
// never runs a stale build nor fails with a module-not-found stack. With no arguments it
// prints the help (`npm start` passes `start`).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import v8 from "node:v8";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const at = (...parts) => path.join(root, ...parts);

function fail(message) {
  process.stderr.write(`spotlight: ${message}\n`);
  process.exit(1);
}

/** The newest modification time (ms) of the TypeScript sources. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

/** Why `built` must be (re)built before it runs, or undefined when it is up to date. */
function staleness(built) {
  if (!existsSync(built)) return "dist/ has not been built yet";
  const settings = ["tsconfig.json", "tsconfig.build.json"].filter((f) => existsSync(at(f)));
  const sources = Math.max(newestSource(at("src")), ...settings.map((f) => statSync(at(f)).mtimeMs));
  return statSync(built).mtimeMs < sources ? "src/ changed since dist/ was built" : undefined;
}

/** Runs `work` while holding a lock, so that processes started together build once. */
function locked(work) {
  mkdirSync(at("dist"), { recursive: true });
  const lock = at("dist", ".build-lock");
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      // A lock left by a build that died long ago is taken over.
      if (statSync(lock, { throwIfNoEntry: false })?.mtimeMs < Date.now() - 120_000)
        rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(nap, 0, 0, 100);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const tsc = at("node_modules", "typescript", "bin", "tsc");

/** Builds dist/; returns what went wrong, if anything. */
function build(built, reason) {
  process.stderr.write(`spotlight: ${reason}; building it (npm run build)…\n`);
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: ["ignore", 2, 2],
  });
  return result.status === 0 && existsSync(built)
    ? undefined
    : "the build failed (see above): fix it, then run `npm run build`.";
}

/** The compiled CLI, built first when a source checkout needs it. */
function entry() {
  const candidates = ["dist/app/cli.js", "dist/cli.js"];
  if (!existsSync(at("src"))) {
    // An installed package or a container image: dist/ is all there is.
    const found = candidates.find((c) => existsSync(at(c)));
    if (!found) fail("dist/ is missing from this installation; reinstall it (npm ci builds dist/).");
    return at(found);
  }
  // A source checkout: the entry follows the source layout.
  const built = existsSync(at("src", "app", "cli.ts")) ? at("dist", "app", "cli.js") : at("dist", "cli.js");
  const reason = staleness(built);
  if (reason && !existsSync(tsc)) {
    fail(
      existsSync(at("node_modules"))
        ? `${reason}, and TypeScript is not installed to build it: run \`npm ci\` (with dev dependencies), then \`npm run build\`.`
        : `${reason}, and the dependencies are not installed: run \`npm run setup\` (or \`npm ci\`) first.`,
    );
  }
  if (reason) {
    // Another process may have built it while this one waited for the lock.
    const problem = locked(() => {
      const still = staleness(built);
      return still ? build(built, still) : undefined;
    });
    if (problem) fail(problem);
  }
  return built;
}

/** V8 flags the operator set (NODE_OPTIONS, node's own arguments): they win over the tuning below. */
const operatorFlags = `${process.env.NODE_OPTIONS ?? ""} ${process.execArgv.join(" ")}`;

/**
 * `start` runs for days and answers in bursts. With V8's defaults a burst grows the young
 * generation to 32 MB, and it is not given back while the process idles. Keeping it at its starting
 * size holds a Slack process's idle RSS near 90-100 MB for about 3% more CPU per request (more,
 * smaller scavenges). The old generation keeps V8's default growth (capping it with
 * --heap-growing-percent=20 cost a quarter more CPU per request): the garbage a burst leaves there
 * is compacted away once the burst is over (src/app/heap-watch.ts).
 */
function tuneHeapForServing() {
  if (!/semi[-_]space|heap[-_]growing|optimize[-_]for[-_]size/.test(operatorFlags))
    v8.setFlagsFromString("--semi-space-growth-factor=1");
}

/**
 * `ask` and `command` answer one question and exit. V8's optimising compiler, run on threads of
 * its own for code that will not run long enough to repay it, cost about a quarter of their CPU
 * (0.47 s against 0.35 s for one question); the baseline compilers stay on.
 */
function tuneCompilerForOneShot() {
  if (!/max[-_]opt|no[-_]opt|jitless/.test(operatorFlags)) v8.setFlagsFromString("--max-opt=1");
}

if (process.argv[2] === "start") tuneHeapForServing();
if (process.argv[2] === "ask" || process.argv[2] === "command") tuneCompilerForOneShot();

const cli = pathToFileURL(entry()).href;
const { runCli } = await import(cli).catch((error) => {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(error.message)?.[1] ?? "a module";
  fail(`${missing} is missing: the dependencies are not installed. Run \`npm run setup\` (or \`npm ci\`).`);
});
const args = process.argv.slice(2);
const code = await runCli(args.length > 0 ? args : ["help"], {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
// Whatever a library left open (a socket being closed, a retry timer) must not keep a stopped
// server alive past its grace period: it exits shortly after, unless it exits on its own first.
setTimeout(() => process.exit(code), 1_000).unref();
