/**
 * `npm start` and `npx spotlight start` run the server under a shell. A shell that dies of SIGTERM
 * without passing it on must not leave the server running, orphaned, holding its port; and the
 * server itself stops within its grace period on SIGTERM and SIGINT.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";
import { freePort } from "../redis-server.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  await expect.poll(check, { timeout: 30_000, interval: 100, message: what }).toBe(true);
}

/** Starts the server as a launcher would; resolves with the server's pid once it serves. */
async function launch(command: string, port: number): Promise<{ shell: ChildProcess; serverPid: number }> {
  const shell = spawn("sh", ["-c", command], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(port),
      HOST: "127.0.0.1",
      PLAYGROUND: "on",
      LOG_LEVEL: "warn",
      SHUTDOWN_GRACE_MS: "2000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(shell);
  let out = "";
  shell.stdout?.on("data", (d) => {
    out += String(d);
  });
  shell.stderr?.on("data", (d) => {
    out += String(d);
  });
  await until(() => /Spotlight playground:/.test(out), `the server to start:\n${out}`);
  const body = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok);
  expect(body).toBe(true);
  const pid = /SERVER_PID=(\d+)/.exec(out)?.[1];
  return { shell, serverPid: Number(pid ?? shell.pid) };
}

async function portClosed(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => false,
    () => true,
  );
}

const bin = path.join(repoRoot, "bin", "spotlight.js");

describe("the launcher and its signals", () => {
  it("a shell killed by SIGTERM leaves no orphan server holding the port", async () => {
    const port = await freePort();
    // The shell runs node as its child and does not pass signals on, as npm's and npx's shells may not.
    const { shell, serverPid } = await launch(`node ${bin} start & echo SERVER_PID=$!; wait; true`, port);
    expect(serverPid).not.toBe(shell.pid);
    shell.kill("SIGTERM");
    await until(() => !alive(serverPid), "the orphaned server to stop");
    expect(await portClosed(port)).toBe(true);
  });

  it("SIGTERM while it is still starting (alive, not yet ready) stops it cleanly, exit code 0", async () => {
    const port = await freePort();
    const server = spawn(process.execPath, [bin, "start"], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    children.push(server);
    const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
    // The port opens before the knowledge base and the adapters load: signal as soon as it does.
    await until(
      () =>
        fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      "the port to open",
    );
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(await portClosed(port)).toBe(true);
  });

  it.each(["SIGTERM", "SIGINT"] as const)("the server stops on %s and frees its port", async (signal) => {
    const port = await freePort();
    const { serverPid } = await launch(`exec node ${bin} start`, port);
    process.kill(serverPid, signal);
    await until(() => !alive(serverPid), `the server to exit on ${signal}`);
    expect(await portClosed(port)).toBe(true);
  });
});
