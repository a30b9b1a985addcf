/**
 * The "done when", in-process: `spotlight ask` and `spotlight eval --llm` with
 * OPENAI_BASE_URL at the fake LocalAI (real `openai` client, real HTTP).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli } from "../../src/app/cli.js";
import { loadConfig } from "../../src/app/config.js";
import { createRuntime } from "../../src/app/runtime.js";
import type { Logger } from "../../src/core/logger.js";
import {
  type Behaviour,
  type FakeLocalAI,
  type RecordedRequest,
  startFakeLocalAI,
} from "../fakes/fake-localai.js";

const FIRST_TOKEN_MS = 500;

let fake: FakeLocalAI;

beforeAll(async () => {
  fake = await startFakeLocalAI();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

async function cli(argv: string[], env: Record<string, string> = {}, baseURL = fake.baseURL): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const started = Date.now();
  const code = await runCli(argv, {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: {
      // Answer records go to a temporary folder, not the working tree.
      ANSWER_LOG_DIR: path.join(tmpdir(), "spotlight-cli-test-answers"),
      OPENAI_BASE_URL: baseURL,
      OPENAI_MODEL: "test-model",
      LLM_FIRST_TOKEN_TIMEOUT_MS: String(FIRST_TOKEN_MS),
      LLM_TIMEOUT_MS: "1500",
      ...env,
    },
  });
  return { code, stdout: out, stderr: err, elapsedMs: Date.now() - started };
}

interface AskJson {
  mode: string;
  answer: string;
  language: string;
  fallback?: string;
  notice?: string;
  sources: { n: number; text: string }[];
}

/** A model that answers by quoting passage [1], each sentence cited: grounded by construction. */
function parrot(req: RecordedRequest): string {
  const user = req.messages[1]?.content ?? "";
  const first = user.split("<passages>\n")[1]?.split("\n\n")[0] ?? "";
  const text = first.split("\n").at(-1) ?? "";
  return text.replace(/([。.!?！？])(?=\s|$|[^\d])/g, " [1]$1");
}

describe("spotlight ask with a model", () => {
  it("--json shows mode llm with [n] citations mapped to sources", async () => {
    fake.behave({ reply: "Nvidia and Cloudflare use KubeVirt [1], as do large enterprises [3]." });
    const run = await cli(["ask", "--json", "Which companies use KubeVirt?"]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as AskJson;
    expect(out.mode).toBe("llm");
    expect(out.fallback).toBeUndefined();
    expect(out.answer).toBe("Nvidia and Cloudflare use KubeVirt [1], as do large enterprises [2].");
    expect(out.sources.map((s) => s.n)).toEqual([1, 2]);
    const prompt = fake.requests.at(-1)?.messages[1]?.content ?? "";
    expect(prompt).toContain(out.sources[0]?.text);
    expect(prompt).toContain(out.sources[1]?.text);
  });

  it("streams the answer once, then its sources", async () => {
    fake.behave({ reply: "KubeVirt is used by Nvidia and Cloudflare [1].", chunkDelayMs: 5 });
    const run = await cli(["ask", "Which companies use KubeVirt?"]);
    expect(run.code).toBe(0);
    expect(
      run.stdout.startsWith("KubeVirt is used by Nvidia and Cloudflare [1].\n\nSources:\n  [1] 2. KubeVirt"),
    ).toBe(true);
    expect(run.stdout.match(/Nvidia and Cloudflare/g)).toHaveLength(1);
    expect(fake.lastRequest?.stream).toBe(true);
  });

  it("asks for an answer in the question's language", async () => {
    fake.behave({ reply: "KubeVirt 在 GitHub 上有超过 5,000 个星标 [1]。" });
    const out = JSON.parse((await cli(["ask", "--json", "KubeVirt 有多少 GitHub 星标？"])).stdout) as AskJson;
    expect(out).toMatchObject({ mode: "llm", language: "zh" });
    expect(fake.lastRequest?.messages[1]?.content).toContain("in Simplified Chinese");
  });

  it("warns clearly when the endpoint does not list the model, and still answers", async () => {
    fake.setModels(["llama-3.2-1b-instruct"]);
    const run = await cli(["ask", "--json", "Which companies use KubeVirt?"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("language model not ready");
    expect(run.stderr).toMatch(
      /\\"test-model\\" is not listed by the endpoint \(it lists: llama-3\.2-1b-instruct\)/,
    );
    expect((JSON.parse(run.stdout) as AskJson).mode).toBe("llm");
  });
});

describe("spotlight ask when the model fails: the extractive answer, marked with why", () => {
  it.each<[string, Behaviour, string]>([
    ["answering 500", { status: 500 }, "llm-error"],
    ["hanging", { hang: true }, "llm-timeout"],
  ])("%s", async (_name, behaviour, reason) => {
    fake.behave(behaviour);
    const run = await cli(["ask", "--json", "Which companies use KubeVirt?"]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as AskJson;
    expect(out).toMatchObject({ mode: "extractive", fallback: reason });
    expect(out.notice).toMatch(/^Fallback: the language model/);
    expect(out.answer).toMatch(/Nvidia/);
    expect(out.sources.length).toBeGreaterThan(0);
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it("stopped", async () => {
    const gone = await startFakeLocalAI();
    const url = gone.baseURL;
    await gone.close();
    const run = await cli(["ask", "Which companies use KubeVirt?"], {}, url);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Nvidia/);
    // It was never reached: the user is told so, not that the model failed.
    expect(run.stdout).toContain("Fallback: the language model's server can't be reached");
    expect(run.stdout).not.toContain("the language model failed");
    expect(run.stderr).toContain("its server cannot be reached");
  });
});

describe("untrusted text reaching the terminal", () => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
  const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

  it("ask streams a hostile reply without its escape sequences", async () => {
    fake.behave({
      reply: "\u001b]0;pwned\u0007\u001b[2JKubeVirt is used by \u001b[31mNvidia\u001b[0m [1].",
      chunkDelayMs: 2,
    });
    const run = await cli(["ask", "Which companies use KubeVirt?"]);
    expect(run.stdout).toContain("KubeVirt is used by Nvidia [1].");
    expect(run.stdout).not.toMatch(CONTROL);
    expect(run.stdout).not.toContain("pwned");
  });

  it("eval prints an evaluation file's text without its escape sequences", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "spotlight-eval-"));
    try {
      const file = path.join(dir, "hostile.yaml");
      await writeFile(
        file,
        '- id: "x\\e]0;pwned\\a\\e[2J"\n  q: Which companies use KubeVirt?\n  kind: fact\n  expect: [["\\e[31mNvidia"]]\n',
      );
      const run = await cli(["eval", "--file", file]);
      expect(run.stdout).toMatch(/FAIL {2}x/);
      expect(run.stdout).not.toMatch(CONTROL);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("spotlight eval", () => {
  it("--llm runs the set through the endpoint and reports citation support", async () => {
    fake.behave({ reply: parrot });
    const run = await cli(["eval", "--llm", "--json"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as {
      summary: {
        answerAccuracy: number;
        citationSupport: number;
        citationChecks: number;
        modes: Record<string, number>;
      };
      cases: { id: string; mode: string; citations: { status: string }[] }[];
    };
    expect(report.summary.modes.llm).toBeGreaterThan(5);
    expect(report.summary.citationChecks).toBeGreaterThan(0);
    expect(report.summary.citationSupport).toBe(1); // the parrot only states what [1] holds
    expect(report.cases.every((c) => Array.isArray(c.citations) && typeof c.mode === "string")).toBe(true);
    expect(fake.requests.length).toBe(report.summary.modes.llm);
  });

  it("--llm prints citation support in the text report", async () => {
    fake.behave({ reply: parrot });
    const run = await cli(["eval", "--llm"]);
    expect(run.stdout).toMatch(/answers from the model: \d+ of \d+; fallbacks: none\n/);
    expect(run.stdout).toMatch(/citation support \d+\.\d% over \d+ stated facts/);
  });

  it("--llm counts fallbacks by reason and says when no fact was checked", async () => {
    fake.behave({ status: 500 });
    const run = await cli(["eval", "--llm"]);
    expect(run.stdout).toMatch(
      /answers from the model: 0 of \d+; fallbacks: llm-error 3, llm-circuit-open \d+\n/,
    );
    expect(run.stdout).not.toMatch(/extractive \d+/);
  });

  it("without --llm stays extractive even with a model configured", async () => {
    const run = await cli(["eval", "--json"]);
    const report = JSON.parse(run.stdout) as { summary: { modes: Record<string, number> } };
    expect(report.summary.modes.llm).toBeUndefined();
    expect(fake.requests).toHaveLength(0);
  });

  it("--llm without OPENAI_BASE_URL is a usage error", async () => {
    const run = await cli(["eval", "--llm"], { OPENAI_BASE_URL: "" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("eval --llm needs a model: set OPENAI_BASE_URL");
  });
});

describe("the runtime", () => {
  const logger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => logger };

  it("exposes the model's cached state for /readyz; a model name the server ignores stays ready", async () => {
    const rt = await createRuntime(
      loadConfig({ OPENAI_BASE_URL: fake.baseURL, OPENAI_MODEL: "test-model", ANSWER_LOG: "off" }),
      logger,
    );
    try {
      await vi.waitFor(() => expect(rt.llmReady?.().detail.state).toBe("ready"));
      expect(rt.llmReady?.()).toMatchObject({ ready: true, detail: { model: "test-model" } });
    } finally {
      await rt.close();
    }
    fake.setModels(["other-model"]);
    const typo = await createRuntime(
      loadConfig({ OPENAI_BASE_URL: fake.baseURL, OPENAI_MODEL: "test-model", ANSWER_LOG: "off" }),
      logger,
    );
    try {
      await vi.waitFor(() => expect(typo.llmReady?.().detail.state).toBe("degraded"));
      expect(typo.llmReady?.()).toMatchObject({
        ready: true,
        detail: { reason: expect.stringMatching(/"test-model" is not listed/) },
      });
    } finally {
      await typo.close();
    }
  });

  it("has no model readiness without OPENAI_BASE_URL", async () => {
    const rt = await createRuntime(loadConfig({}), logger);
    expect(rt.llmReady).toBeUndefined();
    await rt.close();
  });
});
