/**
 * `spotlight chat` in a pseudo-terminal (util-linux `script`), as a person runs it: the output a
 * terminal would draw must hold only whole escape sequences, cards and model answers rendered
 * from markdown, and one plain status line when the model is unreachable.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLocalAI, startFakeLocalAI } from "../fakes/fake-localai.js";
import { repoRoot } from "../helpers.js";

const BIN = path.join(repoRoot, "bin", "spotlight.js");

/** Every complete escape sequence a terminal understands (CSI, OSC, two-byte). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is checked
const WHOLE_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]/g;

/** Text as a person reads it: whole escape sequences removed, carriage returns dropped. */
const visible = (raw: string) => raw.replace(WHOLE_SEQUENCE, "").replace(/\r/g, "");

interface Chat {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  /** Sends a line and resolves once the prompt is back after the answer. */
  say(line: string): Promise<string>;
  exit(): Promise<number | null>;
}

function startChat(env: Record<string, string>): Chat {
  const child = spawn("script", ["-qfec", `${process.execPath} ${BIN} chat`, "/dev/null"], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", TERM: "xterm-256color", ...env },
  });
  let out = "";
  const waiters: (() => void)[] = [];
  const onData = (d: Buffer) => {
    out += d.toString("utf8");
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const prompts = () => (visible(out).match(/you> /g) ?? []).length;
  const waitFor = (test: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (test() ? resolve() : waiters.push(check));
      check();
    });
  return {
    child,
    output: () => out,
    async say(line) {
      await waitFor(() => prompts() > 0);
      const before = prompts();
      const start = out.length;
      child.stdin.write(`${line}\r`);
      await waitFor(() => prompts() > before);
      return out.slice(start);
    },
    async exit() {
      child.stdin.write("/exit\r");
      return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    },
  };
}

/** Asserts that no escape sequence was cut or mangled into visible text. */
function expectNoFragments(raw: string): void {
  const text = visible(raw);
  expect(text).not.toContain("\u001b");
  expect(text).not.toMatch(/\[[0-9;]*m(?=\S)/);
  expect(text).not.toMatch(/m(?:KubeVirt|Cluster API|vCluster)/);
}

let fake: FakeLocalAI;
let closedPort: number;

beforeAll(async () => {
  fake = await startFakeLocalAI();
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
});

afterAll(async () => {
  await fake.close();
});

describe("spotlight chat in a terminal", () => {
  it("draws cards and model answers with whole escape sequences and rendered markdown", async () => {
    fake.behave({
      reply:
        "KubeVirt is used by **Nvidia** and **Cloudflare** [1]. See [the talk](https://sched.co/1td18) [1].",
    });
    const chat = startChat({ OPENAI_BASE_URL: fake.baseURL, OPENAI_MODEL: "test-model" });
    const card = await chat.say("/project kubevirt");
    expectNoFragments(card);
    expect(card).toContain("\u001b[1mKubeVirt\u001b[0m");
    expect(visible(card)).not.toContain("**");

    const talks = await chat.say("/talks");
    expectNoFragments(talks);

    const answer = await chat.say("Who uses KubeVirt?");
    expectNoFragments(answer);
    expect(answer).toContain("\u001b[1mNvidia\u001b[0m");
    expect(visible(answer)).toContain("the talk <https://sched.co/1td18>");
    expect(visible(answer)).not.toContain("**");
    expect(await chat.exit()).toBe(0);
  });

  it("says once, in one plain line, that the model is unreachable", async () => {
    const chat = startChat({
      OPENAI_BASE_URL: `http://127.0.0.1:${closedPort}/v1`,
      OPENAI_MODEL: "test-model",
    });
    const first = await chat.say("Who uses KubeVirt?");
    const second = await chat.say("How many GitHub stars does KubeVirt have?");
    expect(await chat.exit()).toBe(0);
    const all = visible(chat.output());
    expect(all).not.toMatch(/\{"level"/);
    expect(visible(first)).toMatch(/^\(the model's server is unreachable: answering from/m);
    expect(visible(second)).not.toMatch(/unreachable: answering from/);
    expectNoFragments(all);
  });
});
