/**
 * Self-test of the fake Slack against the REAL @slack/bolt, so e2e tests can trust that what passes
 * against the fake is what Bolt actually does on the wire.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, LogLevel, SocketModeReceiver, webApi } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  appMention,
  blockActionsPayload,
  eventCallback,
  FakeSlack,
  FORM_CONTENT_TYPE,
  formEncode,
  interactivityBody,
  JSON_CONTENT_TYPE,
  messageEvent,
  postSigned,
  signSlackRequest,
  slashCommandPayload,
} from "./fake-slack.js";

const SIGNING_SECRET = "test-signing-secret";

let fake: FakeSlack;
// Apps must stop before the fake closes: a Socket Mode client that loses its server tries to reconnect.
const apps: App[] = [];

beforeEach(async () => {
  fake = new FakeSlack();
  await fake.start();
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
  await fake.close();
});

function socketApp(): App {
  const app = new App({
    token: "xoxb-test",
    appToken: "xapp-test",
    socketMode: true,
    tokenVerificationEnabled: false,
    botId: "B1",
    botUserId: "U_BOT",
    logLevel: LogLevel.ERROR,
    // With socketMode: true Bolt copies clientOptions into installerOptions.clientOptions, which is
    // what SocketModeClient uses for apps.connections.open; one slackApiUrl covers both clients.
    clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
  });
  apps.push(app);
  return app;
}

describe("Socket Mode with real Bolt", () => {
  it("connects with the app token, handles a slash command and a mention, and disconnects cleanly", async () => {
    const app = socketApp();
    app.command("/ping", async ({ ack, respond }) => {
      await ack();
      await respond("pong");
    });
    app.event("app_mention", async ({ event, client }) => {
      await client.chat.postMessage({
        channel: event.channel,
        thread_ts: event.ts,
        text: `hi <@${event.user}>`,
        blocks: [{ type: "section", text: { type: "mrkdwn", text: "hi" } }],
      });
    });
    await app.start();
    await fake.waitForConnection();

    const open = fake.callsTo("apps.connections.open");
    expect(open).toHaveLength(1);
    expect(open[0]?.token).toBe("xapp-test");
    // tokenVerificationEnabled: false + botId/botUserId means Bolt never calls auth.test.
    expect(fake.callsTo("auth.test")).toHaveLength(0);

    const ack = await fake.sendEnvelope(
      "slash_commands",
      slashCommandPayload({ command: "/ping", response_url: fake.responseUrl("r1") }),
    );
    expect(ack.envelope_id).toBeTypeOf("string");
    const [response] = await fake.waitForResponses(1);
    expect(response?.id).toBe("r1");
    expect(response?.body).toEqual({ text: "pong" });

    const mention = appMention({ text: "<@U_BOT> hello", channel: "C42" });
    await fake.sendEnvelope("events_api", eventCallback(mention));
    const [post] = await fake.waitForCalls("chat.postMessage", 1);
    expect(post?.token).toBe("xoxb-test");
    expect(post?.contentType).toContain("application/x-www-form-urlencoded");
    expect(post?.body.channel).toBe("C42");
    expect(post?.body.thread_ts).toBe(mention.ts);
    expect(post?.body.text).toBe("hi <@U_USER>");
    // blocks arrive JSON-encoded in the form and are decoded by the fake.
    expect(post?.body.blocks).toEqual([{ type: "section", text: { type: "mrkdwn", text: "hi" } }]);
    expect(post?.response.ts).toBe("1712000000.000100");

    await app.stop();
    apps.length = 0;
    await fake.waitForDisconnect();
    expect(fake.socketCloses.at(-1)?.code).toBe(1000);
  });

  it("acks a redelivered envelope each time and exposes retry metadata", async () => {
    const app = socketApp();
    const seen: { eventId: unknown; retryNum: number | undefined; retryReason: string | undefined }[] = [];
    app.message(async ({ body, context }) => {
      seen.push({ eventId: body.event_id, retryNum: context.retryNum, retryReason: context.retryReason });
    });
    await app.start();

    const body = eventCallback(messageEvent({ text: "hello", channel_type: "im" }), { event_id: "Ev1" });
    const first = await fake.sendEnvelope("events_api", body, { envelopeId: "env-1" });
    const second = await fake.sendEnvelope("events_api", body, {
      envelopeId: "env-1",
      retryAttempt: 1,
      retryReason: "timeout",
    });
    expect(first.envelope_id).toBe("env-1");
    expect(second.envelope_id).toBe("env-1");
    expect(seen).toEqual([
      { eventId: "Ev1", retryNum: 0, retryReason: "" },
      { eventId: "Ev1", retryNum: 1, retryReason: "timeout" },
    ]);
  });

  it("carries an ack payload and routes block actions to respond()", async () => {
    const app = socketApp();
    app.command("/form", async ({ ack }) => {
      await ack({ response_type: "ephemeral", text: "working" });
    });
    app.action("vote", async ({ ack, respond }) => {
      await ack();
      await respond({ replace_original: true, text: "voted" });
    });
    await app.start();

    const ack = await fake.sendEnvelope("slash_commands", slashCommandPayload({ command: "/form" }));
    expect(ack.payload).toEqual({ response_type: "ephemeral", text: "working" });

    await fake.sendEnvelope(
      "interactive",
      blockActionsPayload({ action_id: "vote", value: "yes", response_url: fake.responseUrl("act") }),
    );
    const [response] = await fake.waitForResponses(1);
    expect(response).toMatchObject({ id: "act", body: { replace_original: true, text: "voted" } });
  });

  it("surfaces a scripted 429 to the listener's client", async () => {
    const app = socketApp();
    const errors: unknown[] = [];
    app.event("app_mention", async ({ event, client }) => {
      try {
        await client.chat.postMessage({ channel: event.channel, text: "hi" });
      } catch (err) {
        errors.push(err);
      }
    });
    await app.start();
    // retryAfter 0 keeps the test fast: the WebClient sleeps Retry-After seconds before giving up.
    fake.failNext("chat.postMessage", { status: 429, retryAfter: 0 });
    await fake.sendEnvelope("events_api", eventCallback(appMention({ text: "<@U_BOT> hi" })));
    await fake.waitForCalls("chat.postMessage", 1);
    await expect.poll(() => errors.length).toBe(1);
    expect(String(errors[0])).toContain("rate limit");
  });
});

describe("Socket Mode reconnects", () => {
  it("follows a disconnect message to a fresh connection (custom SocketModeReceiver)", async () => {
    // A hand-built receiver does NOT inherit App's clientOptions: slackApiUrl must be given here too.
    // It is the only way to shorten clientPingTimeout, which also sets the reconnect delay.
    const receiver = new SocketModeReceiver({
      appToken: "xapp-test",
      clientPingTimeout: 300,
      logLevel: LogLevel.ERROR,
      installerOptions: { clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } } },
    });
    const app = new App({
      token: "xoxb-test",
      receiver,
      tokenVerificationEnabled: false,
      botId: "B1",
      botUserId: "U_BOT",
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
    });
    apps.push(app);
    await app.start();
    expect(fake.connectionCount).toBe(1);

    fake.sendDisconnect("refresh_requested");
    await expect.poll(() => fake.connectionCount, { timeout: 2000 }).toBe(2);
    await fake.waitForConnection();
    expect(fake.callsTo("apps.connections.open")).toHaveLength(2);
    const ack = await fake.sendEnvelope("events_api", eventCallback(appMention({ text: "<@U_BOT> back?" })));
    expect(ack.envelope_id).toBeTypeOf("string");
  });
});

describe("HTTP mode with real Bolt", () => {
  async function httpApp(): Promise<{ app: App; endpoint: string }> {
    const app = new App({
      token: "xoxb-test",
      signingSecret: SIGNING_SECRET,
      tokenVerificationEnabled: false,
      botId: "B1",
      botUserId: "U_BOT",
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
    });
    app.command("/ping", async ({ ack }) => {
      await ack("pong");
    });
    app.event("app_mention", async ({ event, say }) => {
      await say({ text: "hello back", thread_ts: event.ts });
    });
    app.action("vote", async ({ ack, respond }) => {
      await ack();
      await respond("thanks");
    });
    // The default HTTPReceiver's start() resolves with the node http.Server, so port 0 works.
    const server = (await app.start(0)) as Server;
    apps.push(app);
    const { port } = server.address() as AddressInfo;
    return { app, endpoint: `http://127.0.0.1:${port}/slack/events` };
  }

  it("accepts a correctly signed slash command and rejects forged or stale ones", async () => {
    const { endpoint } = await httpApp();
    const form = formEncode(slashCommandPayload({ command: "/ping", text: "a b&c" }));

    const good = await postSigned(endpoint, SIGNING_SECRET, form, FORM_CONTENT_TYPE);
    expect(good.status).toBe(200);
    expect(good.body).toBe("pong");

    const forged = await postSigned(endpoint, "wrong-secret", form, FORM_CONTENT_TYPE);
    expect(forged.status).toBe(401);
    const badSig = await postSigned(endpoint, SIGNING_SECRET, form, FORM_CONTENT_TYPE, {
      signature: "v0=00",
    });
    expect(badSig.status).toBe(401);
    const unsigned = await postSigned(endpoint, SIGNING_SECRET, form, FORM_CONTENT_TYPE, {
      omitHeaders: true,
    });
    expect(unsigned.status).toBe(401);
    const stale = await postSigned(endpoint, SIGNING_SECRET, form, FORM_CONTENT_TYPE, {
      timestamp: Math.floor(Date.now() / 1000) - 10 * 60,
    });
    expect(stale.status).toBe(401);
  });

  it("handles JSON events (including url_verification) and form interactivity", async () => {
    const { endpoint } = await httpApp();

    const challenge = JSON.stringify({ type: "url_verification", challenge: "c-123", token: "t" });
    const verified = await postSigned(endpoint, SIGNING_SECRET, challenge, JSON_CONTENT_TYPE);
    expect(verified.status).toBe(200);
    expect(verified.body).toContain("c-123");

    const mention = appMention({ text: "<@U_BOT> yo", channel: "C7" });
    const event = await postSigned(
      endpoint,
      SIGNING_SECRET,
      JSON.stringify(eventCallback(mention)),
      JSON_CONTENT_TYPE,
      {
        retryNum: 1,
        retryReason: "http_timeout",
      },
    );
    expect(event.status).toBe(200);
    const [post] = await fake.waitForCalls("chat.postMessage", 1);
    expect(post?.body).toMatchObject({ channel: "C7", text: "hello back", thread_ts: mention.ts });

    const action = interactivityBody(
      blockActionsPayload({ action_id: "vote", response_url: fake.responseUrl("a1") }),
    );
    const clicked = await postSigned(endpoint, SIGNING_SECRET, action, FORM_CONTENT_TYPE);
    expect(clicked.status).toBe(200);
    const [response] = await fake.waitForResponses(1);
    expect(response?.body).toEqual({ text: "thanks" });
  });

  it("signs like Slack's documented example", () => {
    // Example from https://docs.slack.dev/authentication/verifying-requests-from-slack
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const headers = signSlackRequest("8f742231b10e8888abcd99yyyzzz85a5", body, 1531420618);
    expect(headers["x-slack-signature"]).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });
});

describe("Web API behaviour", () => {
  function client(options: webApi.WebClientOptions = {}): webApi.WebClient {
    return new webApi.WebClient("xoxb-test", {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
      ...options,
    });
  }

  it("returns a 429 with Retry-After to the client", async () => {
    fake.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    const error = await client({ rejectRateLimitedCalls: true })
      .chat.postMessage({ channel: "C1", text: "x" })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: webApi.ErrorCode.RateLimitedError, retryAfter: 1 });
    // The failure is one-shot.
    await expect(client().chat.postMessage({ channel: "C1", text: "x" })).resolves.toMatchObject({
      ok: true,
    });
    expect(fake.callsTo("chat.postMessage").map((c) => c.status)).toEqual([429, 200]);
  });

  it("scripts platform errors and enforces message limits", async () => {
    const web = client();
    fake.failNext("chat.update", { ok: false, error: "ratelimited_custom" });
    const posted = await web.chat.postMessage({ channel: "C1", text: "first" });
    const second = await web.chat.postMessage({ channel: "U9", text: "dm" });
    expect(posted.ts).toBe("1712000000.000100");
    expect(second.ts).toBe("1712000000.000200");
    expect(second.channel).toBe("D9");

    const code = (p: Promise<unknown>): Promise<unknown> =>
      p.then(
        () => "ok",
        (err: unknown) =>
          err instanceof Error && "data" in err ? (err.data as { error?: unknown }).error : err,
      );
    const ts = posted.ts ?? "";
    expect(await code(web.chat.update({ channel: "C1", ts, text: "x" }))).toBe("ratelimited_custom");
    expect(await code(web.chat.update({ channel: "C1", ts, text: "edited" }))).toBe("ok");
    expect(fake.messages.get(ts)?.text).toBe("edited");
    expect(await code(web.chat.update({ channel: "C1", ts: "1.2", text: "x" }))).toBe("message_not_found");
    expect(await code(web.chat.postMessage({ channel: "C1", text: "x".repeat(40_001) }))).toBe(
      "msg_too_long",
    );
    const many = Array.from({ length: 51 }, () => ({ type: "divider" }));
    expect(await code(web.chat.postMessage({ channel: "C1", text: "x", blocks: many }))).toBe(
      "invalid_blocks",
    );
    const long = [{ type: "section", text: { type: "mrkdwn", text: "y".repeat(3001) } }];
    expect(await code(web.chat.update({ channel: "C1", ts, text: "x", blocks: long }))).toBe(
      "invalid_blocks",
    );
    expect(await code(web.chat.postMessage({ channel: "C1", text: "" }))).toBe("no_text");
    expect(await code(web.reactions.add({ channel: "C1", timestamp: ts, name: "eyes" }))).toBe("ok");
    expect(await code(web.reactions.add({ channel: "C1", timestamp: ts, name: "eyes" }))).toBe(
      "already_reacted",
    );
    expect(await code(web.chat.delete({ channel: "C1", ts }))).toBe("ok");
    expect(await code(web.apps.connections.open())).toBe("not_allowed_token_type");
    expect(await code(web.chat.postEphemeral({ channel: "C1", user: "U1", text: "psst" }))).toBe("ok");
    await expect(web.conversations.replies({ channel: "C1", ts })).resolves.toMatchObject({ messages: [] });
    await expect(web.users.info({ user: "U1" })).resolves.toMatchObject({ user: { id: "U1" } });
    await expect(web.auth.test()).resolves.toMatchObject({ user_id: "U_BOT", bot_id: "B1", team_id: "T1" });
    await expect(web.apiCall("some.unknown.method")).resolves.toMatchObject({ ok: true });
  });

  it("parses JSON bodies and reports clearly when waiting times out", async () => {
    const res = await fetch(`${fake.url}chat.postMessage`, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", authorization: "Bearer xoxb-json" },
      body: JSON.stringify({ channel: "C1", text: "json", unfurl_links: false }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: "C1" });
    const [call] = fake.callsTo("chat.postMessage");
    expect(call?.token).toBe("xoxb-json");
    expect(call?.body).toEqual({ channel: "C1", text: "json", unfurl_links: false });

    await expect(fake.waitForCalls("chat.update", 1, 50)).rejects.toThrow(
      /expected 1 call\(s\) to chat.update within 50ms, got 0\. Recorded: chat.postMessage→200/,
    );
    await expect(fake.sendEnvelope("events_api", {})).rejects.toThrow(/no Socket Mode client connected/);
  });

  it("opens views only with a fresh trigger_id", async () => {
    const web = client();
    const view = { type: "modal" as const, title: { type: "plain_text" as const, text: "T" }, blocks: [] };
    const fresh = slashCommandPayload({ command: "/x" }).trigger_id ?? "";
    await expect(web.views.open({ trigger_id: fresh, view })).resolves.toMatchObject({
      view: { type: "modal" },
    });
    const stale = blockActionsPayload({ action_id: "a", trigger_id: `${Date.now() - 5000}.1.fakeab` });
    await expect(web.views.open({ trigger_id: String(stale.trigger_id), view })).rejects.toMatchObject({
      data: { error: "expired_trigger_id" },
    });
  });

  it("limits response_url uses and records failures", async () => {
    const url = fake.responseUrl("once");
    const post = (body: unknown): Promise<number> =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": JSON_CONTENT_TYPE },
        body: JSON.stringify(body),
      }).then((r) => r.status);
    fake.failNextResponse({ status: 404 });
    expect(await post({ text: "expired" })).toBe(404);
    for (let i = 0; i < 4; i += 1) expect(await post({ text: `ok ${i}` })).toBe(200);
    expect(await post({ text: "sixth" })).toBe(404);
    expect(fake.responses.map((r) => r.error)).toEqual([
      "expired_url",
      undefined,
      undefined,
      undefined,
      undefined,
      "used_url",
    ]);
  });
});
