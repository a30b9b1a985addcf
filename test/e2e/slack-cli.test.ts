/**
 * `spotlight start` with Slack configured through the environment only, against the fake Slack:
 * the whole composition (config → runtime → adapter → shared HTTP server) and a clean shutdown.
 */
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/app/cli.js";
import {
  eventCallback,
  FakeSlack,
  FORM_CONTENT_TYPE,
  formEncode,
  messageEvent,
  postSigned,
  slashCommandPayload,
} from "../fakes/fake-slack.js";
import { APP_TOKEN, BOT_TOKEN, SIGNING_SECRET } from "./slack-harness.js";

let fake: FakeSlack | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function startCli(env: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = "";
  stderr.on("data", (d) => {
    err += String(d);
  });
  stdout.resume();
  const stdin = Object.assign(new PassThrough(), { isTTY: false });
  // Answer records go to a temporary folder, not the working tree.
  const answers = { ANSWER_LOG_DIR: path.join(tmpdir(), "spotlight-cli-test-answers") };
  const exit = runCli(["start"], { stdin, stdout, stderr, env: { ...answers, ...env } });
  return { exit, stderr: () => err };
}

describe("spotlight start with Slack", () => {
  it("runs Socket Mode from the environment and stops on SIGTERM", async () => {
    fake = new FakeSlack();
    await fake.start();
    const run = startCli({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_API_URL: fake.url,
      LOG_LEVEL: "info",
    });
    await fake.waitForConnection(5_000);
    await fake.sendEnvelope(
      "slash_commands",
      slashCommandPayload({ command: "/projects", response_url: fake.responseUrl("p") }),
    );
    const [response] = await fake.waitForResponses(1);
    expect(JSON.stringify(response?.body)).toContain("KubeVirt");
    process.emit("SIGTERM");
    expect(await run.exit).toBe(0);
    await fake.waitForDisconnect();
    expect(run.stderr()).toContain("Slack connected (Socket Mode)");
    expect(run.stderr()).not.toContain(BOT_TOKEN);
    expect(run.stderr()).not.toContain(APP_TOKEN);
  });

  it("serves HTTP mode on PORT beside /healthz and stops on SIGINT", async () => {
    fake = new FakeSlack();
    await fake.start();
    const run = startCli({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.url,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
    });
    await expect.poll(() => /"port":(\d+)/.exec(run.stderr())?.[1], { timeout: 5_000 }).toBeDefined();
    const port = /"port":(\d+)/.exec(run.stderr())?.[1];
    const origin = `http://127.0.0.1:${port}`;
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    const res = await postSigned(
      `${origin}/slack/events`,
      SIGNING_SECRET,
      formEncode(slashCommandPayload({ command: "/about", response_url: fake.responseUrl("a") })),
      FORM_CONTENT_TYPE,
    );
    expect(res.status).toBe(200);
    await fake.waitForResponses(1);
    const dm = await postSigned(
      `${origin}/slack/events`,
      SIGNING_SECRET,
      JSON.stringify(eventCallback(messageEvent({ text: "Who uses KubeVirt?", channel_type: "im" }))),
      "application/json",
    );
    expect(dm.status).toBe(200);
    await fake.waitForCalls("chat.postMessage", 1);
    process.emit("SIGINT");
    expect(await run.exit).toBe(0);
    await expect(fetch(`${origin}/healthz`)).rejects.toThrow();
  });

  it("fails at start naming the variable Slack refused", async () => {
    fake = new FakeSlack();
    await fake.start();
    fake.stub("auth.test", { ok: false, error: "invalid_auth" });
    const run = startCli({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.url });
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toMatch(/SLACK_BOT_TOKEN: Slack refused the bot token \(invalid_auth\)/);
  });
});
