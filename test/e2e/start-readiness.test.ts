/**
 * `spotlight start` listens before it is ready: /healthz answers while the knowledge base loads and
 * Slack is checked, /readyz says 503 until both are done, and a Slack request arriving meanwhile
 * waits for its route instead of a 404. Slack's auth.test is held back here to make start-up slow.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/app/cli.js";
import { STARTING } from "../../src/app/server.js";
import {
  FakeSlack,
  FORM_CONTENT_TYPE,
  formEncode,
  postSigned,
  slashCommandPayload,
} from "../fakes/fake-slack.js";
import { BOT_TOKEN, SIGNING_SECRET } from "./slack-harness.js";

let fake: FakeSlack | undefined;
let gate: Server | undefined;

afterEach(async () => {
  await fake?.close();
  await new Promise((resolve) => (gate ? gate.close(resolve) : resolve(undefined)));
  fake = undefined;
  gate = undefined;
});

/** A proxy to the fake Slack that holds auth.test until `open` is called. */
async function gatedSlack(target: string): Promise<{ url: string; open: () => void; held: Promise<void> }> {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let heldOne = () => {};
  const held = new Promise<void>((resolve) => {
    heldOne = resolve;
  });
  const upstream = new URL(target);
  gate = createServer(async (req, res) => {
    if (req.url?.includes("auth.test")) {
      heldOne();
      await opened;
    }
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => gate?.listen(0, "127.0.0.1", resolve));
  const { port } = gate.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/`, open, held };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("spotlight start listens before it is ready", () => {
  it("answers /healthz at once, /readyz 503 while starting, and holds Slack requests until ready", async () => {
    fake = new FakeSlack();
    await fake.start();
    const slack = await gatedSlack(fake.url);
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    let stop: (reason: string) => void = () => {};
    const stopSignal = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const stdout = new PassThrough().resume();
    const stderr = new PassThrough().resume();
    const exit = runCli(["start"], {
      stdin: Object.assign(new PassThrough(), { isTTY: false }),
      stdout,
      stderr,
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.url,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "silent",
        ANSWER_LOG_DIR: path.join(tmpdir(), "spotlight-start-readiness-answers"),
      },
      stopSignal,
    });

    // Start-up is stuck on auth.test: the process is alive, not ready.
    await slack.held;
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    const starting = await fetch(`${origin}/readyz`);
    expect(starting.status).toBe(503);
    expect(await starting.json()).toMatchObject({ status: "not ready", problems: { startup: STARTING } });

    // A slash command arriving now waits for the Slack route, then is acked and answered.
    let acked = false;
    const command = postSigned(
      `${origin}/slack/events`,
      SIGNING_SECRET,
      formEncode(slashCommandPayload({ command: "/about", response_url: fake.responseUrl("early") })),
      FORM_CONTENT_TYPE,
    ).then((res) => {
      acked = true;
      return res;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(acked).toBe(false);

    slack.open();
    expect((await command).status).toBe(200);
    await fake.waitForResponses(1);
    await expect.poll(async () => (await fetch(`${origin}/readyz`)).status, { timeout: 5_000 }).toBe(200);

    stop("test");
    expect(await exit).toBe(0);
  });
});
