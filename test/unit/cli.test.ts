import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/app/cli.js";
import { runCliCaptured } from "../cli-harness.js";
import { repoRoot } from "../helpers.js";

const cli = runCliCaptured;

describe("spotlight CLI", () => {
  it("ask names Nvidia and Cloudflare with a citation", async () => {
    const r = await cli(["ask", "Who uses KubeVirt?"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nvidia/);
    expect(r.stdout).toMatch(/Cloudflare/);
    expect(r.stdout).toMatch(/\[1\]/);
    expect(r.stdout).toMatch(/Sources:\n {2}\[1\] 2\. KubeVirt/);
  });

  it("ask --json prints the documented shape", async () => {
    const r = await cli(["ask", "vCluster 有多少星标？", "--json"]);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ question: "vCluster 有多少星标？", mode: "extractive", language: "zh" });
    expect(String(json.answer)).toMatch(/8,000/);
    const sources = json.sources as Record<string, unknown>[];
    expect(Object.keys(sources[0] ?? {}).sort()).toEqual([
      "articleId",
      "n",
      "section",
      "text",
      "title",
      "url",
    ]);
  });

  it("ask declines the weather", async () => {
    const r = await cli(["ask", "What's the weather in London?", "--json"]);
    expect(JSON.parse(r.stdout).mode).toBe("declined");
  });

  it("ask rejects an over-long question with a clear message", async () => {
    const r = await cli(["ask", "x".repeat(2001)]);
    expect(r.stdout).toMatch(/under 2000/);
  });

  it("command prints the Cluster API card", async () => {
    const r = await cli(["command", "/project capi"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Cluster API/);
    expect(r.stdout).toMatch(/Started: 2018/);
  });

  it("command --json includes cards", async () => {
    const r = await cli(["command", "/project kubevirt", "--json"]);
    expect(JSON.parse(r.stdout).cards[0].projectId).toBe("kubevirt");
  });

  it("command with an unknown command exits non-zero", async () => {
    const r = await cli(["command", "/nope"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Unknown command/);
  });

  it.each([
    ["/project 不存在的项目", /目录中没有/],
    ["/project nosuchproject", /I don't know a project/],
    ["/compare capi", /two projects/],
  ])("command %s exits non-zero whatever the reply's language (the code decides)", async (line, text) => {
    const r = await cli(["command", line]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(text);
  });

  it("command --json carries the reply's error code; help is not an error", async () => {
    const unknown = await cli(["command", "--json", "/project 不存在的项目"]);
    expect(JSON.parse(unknown.stdout).error).toEqual({ code: "unknown-project" });
    const help = await cli(["command", "/help"]);
    expect(help.code).toBe(0);
  });

  it("eval --json reports rates from 0 to 1", async () => {
    const r = await cli(["eval", "--json", "--k", "4"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.summary).toMatchObject({ k: 4, total: 14, recallAtK: 1, declineAccuracy: 1 });
    expect(report.summary.answerAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.summary.firstSentenceAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.summary.hedgeAccuracy).toBe(1);
    expect(Object.keys(report.cases[0]).sort()).toEqual([
      "answered",
      "declined",
      "firstSentence",
      "hedged",
      "id",
      "kind",
      "pass",
      "retrieved",
    ]);
  });

  it("eval reads another file and reports per case", async () => {
    const r = await cli(["eval", "--file", path.join(repoRoot, "data/eval/heldout.yaml")]);
    expect(r.stdout).toMatch(/PASS {2}capi-stars/);
    expect(r.stdout).toMatch(/recall@4 100\.0%/);
  });

  it("eval rejects a bad --k and a missing file", async () => {
    expect((await cli(["eval", "--k", "zero"])).code).toBe(2);
    const missing = await cli(["eval", "--file", "/nope.yaml"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.yaml/);
  });

  it("chat takes slash commands and follow-up questions", async () => {
    const r = await cli(["chat"], {
      input: "/project capi\nWho uses KubeVirt?\nand how many stars does it have?\n/exit\n",
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Cluster API/);
    expect(r.stdout).toMatch(/Nvidia/);
    expect(r.stdout).toMatch(/5,000/);
  });

  it("start with the playground off and no terminal explains how to configure and exits non-zero", async () => {
    const r = await cli(["start"], { env: { PLAYGROUND: "off" } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/SLACK_BOT_TOKEN/);
    expect(r.stderr).toMatch(/DISCORD_TOKEN/);
  });

  it("start warns once that a playground open to other machines has no token", async () => {
    let stop: (reason: string) => void = () => {};
    const stopSignal = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let logs = "";
    stderr.on("data", (d) => {
      logs += String(d);
    });
    const listening = new Promise<void>((resolve) => {
      stdout.on("data", (d) => {
        if (/Spotlight playground:/.test(String(d))) resolve();
      });
    });
    const running = runCli(["start"], {
      stdin: Object.assign(new PassThrough(), { isTTY: false }),
      stdout,
      stderr,
      env: { PORT: "0", HOST: "0.0.0.0", PLAYGROUND: "on", LOG_LEVEL: "warn" },
      stopSignal,
    });
    await listening;
    stop("test");
    expect(await running).toBe(0);
    expect(logs.match(/PLAYGROUND_TOKEN/g) ?? []).toHaveLength(1);
  });

  it("start with no platform serves the playground, prints its URL, and stops cleanly", async () => {
    let stop: (reason: string) => void = () => {};
    const stopSignal = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const stdout = new PassThrough();
    let out = "";
    const printed = new Promise<string>((resolve) => {
      stdout.on("data", (d) => {
        out += String(d);
        const url = /Spotlight playground: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
        if (url) resolve(url);
      });
    });
    const running = runCli(["start"], {
      stdin: Object.assign(new PassThrough(), { isTTY: false }),
      stdout,
      stderr: new PassThrough(),
      env: { PORT: "0", LOG_LEVEL: "silent" },
      stopSignal,
    });
    const url = await printed;
    expect((await fetch(`${url}healthz`)).status).toBe(200);
    expect((await fetch(`${url}readyz`)).status).toBe(200);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/Spotlight/);
    const metrics = await (await fetch(`${url}metrics`)).text();
    expect(metrics).toMatch(/spotlight_requests_total|spotlight_process_cpu/);
    stop("test");
    expect(await running).toBe(0);
  });

  it("start with no platform on a terminal opens the chat beside the playground", async () => {
    const r = await cli(["start"], { tty: true, input: "/help\n", env: { PORT: "0", LOG_LEVEL: "silent" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Spotlight playground: http:\/\/127\.0\.0\.1:\d+\//);
    expect(r.stdout).toMatch(/Spotlight terminal chat/);
    expect(r.stdout).toMatch(/\/projects/);
  });

  it("bad configuration fails naming the variable", async () => {
    const r = await cli(["ask", "hi"], { env: { PORT: "-1" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/PORT/);
  });

  it("bad data fails naming the file", async () => {
    const r = await cli(["ask", "hi"], { env: { DATA_DIR: "/nonexistent" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/articles\//);
  });

  it("unknown subcommands print usage", async () => {
    const r = await cli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: spotlight/);
  });

  it("the built bin runs (what npx spotlight runs)", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(repoRoot, "bin/spotlight.js"), "ask", "When did Cluster API start?"],
      {
        cwd: repoRoot,
        // The answer record of this run goes to a temporary folder, not the working tree.
        env: {
          PATH: process.env.PATH ?? "",
          ANSWER_LOG_DIR: path.join(tmpdir(), "spotlight-cli-test-answers"),
        },
      },
    );
    expect(stdout).toMatch(/2018/);
  });

  it("npm run dev runs the CLI from the sources", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        path.join(repoRoot, "node_modules/tsx/dist/cli.mjs"),
        "scripts/dev.ts",
        "ask",
        "Who created vCluster?",
      ],
      {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH ?? "",
          ANSWER_LOG_DIR: path.join(tmpdir(), "spotlight-cli-test-answers"),
        },
      },
    );
    expect(stdout).toMatch(/Loft Labs/);
  });
});
