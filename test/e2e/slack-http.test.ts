/**
 * The Slack adapter end to end over the HTTP Events API: real @slack/bolt behind our own receiver,
 * mounted at /slack/events on the shared HTTP server, driven by correctly (and incorrectly) signed
 * requests like Slack's.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { FEEDBACK_ACTIONS } from "../../src/adapters/slack/render.js";
import {
  appMention,
  blockActionsPayload,
  eventCallback,
  FORM_CONTENT_TYPE,
  formEncode,
  interactivityBody,
  JSON_CONTENT_TYPE,
  messageEvent,
  postSigned,
  slashCommandPayload,
} from "../fakes/fake-slack.js";
import { type Harness, ManualClock, SIGNING_SECRET, SlowLlm, startHarness } from "./slack-harness.js";

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(options: Omit<Parameters<typeof startHarness>[0], "mode"> = {}) {
  harness = await startHarness({ mode: "http", ...options });
  const endpoint = harness.endpoint as string;
  const post = (body: string, contentType: string, opts: Parameters<typeof postSigned>[4] = {}) =>
    postSigned(endpoint, SIGNING_SECRET, body, contentType, opts);
  return { h: harness, endpoint, post };
}

const json = (value: unknown) => JSON.stringify(value);

describe("Slack over HTTP on the shared server", () => {
  it("serves /slack/events beside /healthz and answers Slack's URL verification", async () => {
    const { h, post } = await start();
    const health = await fetch(`${h.origin}/healthz`);
    expect(health.status).toBe(200);
    const verified = await post(
      json({ type: "url_verification", challenge: "c-123", token: "t" }),
      JSON_CONTENT_TYPE,
    );
    expect(verified.status).toBe(200);
    expect(JSON.parse(verified.body)).toEqual({ challenge: "c-123" });
    const get = await fetch(h.endpoint as string);
    expect(get.status).toBe(405);
  });

  it("acks a slash command in time and answers through the response_url", async () => {
    const { h, post } = await start();
    const res = await post(
      formEncode(
        slashCommandPayload({ command: "/project", text: "capi", response_url: h.fake.responseUrl("p") }),
      ),
      FORM_CONTENT_TYPE,
    );
    expect(res.status).toBe(200);
    const [response] = await h.fake.waitForResponses(1);
    expect(response?.body).toMatchObject({ response_type: "in_channel" });
    expect(json(response?.body)).toContain("Cluster API");
  });

  it("acks 50 slash commands in time while a 30-second LLM answers them", async () => {
    const clock = new ManualClock();
    const { h, post } = await start({ answerer: new SlowLlm((ms, signal) => clock.sleep(ms, signal)) });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        post(
          formEncode(
            slashCommandPayload({
              command: "/ask",
              text: "Who uses KubeVirt?",
              channel_id: `C${i}`,
              response_url: h.fake.responseUrl(`a${i}`),
            }),
          ),
          FORM_CONTENT_TYPE,
        ),
      ),
    );
    for (const r of results) expect(r.status).toBe(200);
    // Acked first: every ack is back while every answer is still waiting on the model.
    expect(h.adapter.stats().answers).toBe(0);
    await expect.poll(() => clock.sleeping, { timeout: 5_000 }).toBe(50);
    clock.advance(30_000);
    await expect.poll(() => h.adapter.stats().answers, { timeout: 10_000 }).toBe(50);
    const finals = h.fake
      .callsTo("chat.update")
      .filter((c) => json(c.body.blocks).includes("that is the answer"));
    expect(finals).toHaveLength(50);
  });

  const seconds = () => Math.floor(Date.now() / 1000);
  // The exact boundary (300 s accepted, 301 s refused) is unit-tested; here the clock runs on
  // between building a request and checking it, so the requests are clearly outside it.
  it.each([
    ["a bad signature", () => ({ signature: `v0=${"0".repeat(64)}` })],
    ["a malformed signature", () => ({ signature: "v0=deadbeef" })],
    ["a timestamp over 5 minutes old", () => ({ timestamp: seconds() - 310 })],
    ["a timestamp over 5 minutes ahead", () => ({ timestamp: seconds() + 310 })],
    ["no signature headers", () => ({ omitHeaders: true })],
  ])("refuses %s with 401 before any listener runs", async (_what, signing) => {
    const { h, post } = await start();
    const opts = signing();
    const handle = vi.spyOn(h.bot, "handle");
    const command = formEncode(
      slashCommandPayload({
        command: "/ask",
        text: "Who uses KubeVirt?",
        response_url: h.fake.responseUrl("x"),
      }),
    );
    const mention = json(eventCallback(appMention({ text: "<@U_BOT> Who uses KubeVirt?" })));
    const click = interactivityBody(
      blockActionsPayload({ action_id: FEEDBACK_ACTIONS.up, value: "slack:T1:C1:1.2" }),
    );
    for (const [body, type] of [
      [command, FORM_CONTENT_TYPE],
      [mention, JSON_CONTENT_TYPE],
      [click, FORM_CONTENT_TYPE],
    ] as const) {
      const res = await post(body, type, opts);
      expect(res.status).toBe(401);
      expect(res.body).toBe("");
    }
    expect(h.adapter.stats().rejectedRequests).toBe(3);
    await h.adapter.idle();
    expect(handle).not.toHaveBeenCalled();
    expect(h.feedback).toEqual([]);
    // Only the start-up auth.test reached Slack.
    expect(h.fake.calls.map((c) => c.method)).toEqual(["auth.test"]);
    expect(h.fake.responses).toEqual([]);
    // The same request, correctly signed, goes through: the refusals were the signature's doing.
    expect((await post(command, FORM_CONTENT_TYPE)).status).toBe(200);
    await expect.poll(() => handle.mock.calls.length).toBe(1);
  });

  it("refuses a request missing just one of the two headers", async () => {
    const { h, endpoint } = await start();
    const body = formEncode(slashCommandPayload({ command: "/projects" }));
    const now = String(Math.floor(Date.now() / 1000));
    const partial: Record<string, string>[] = [
      { "x-slack-request-timestamp": now },
      { "x-slack-signature": `v0=${"a".repeat(64)}` },
    ];
    for (const headers of partial) {
      const res = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": FORM_CONTENT_TYPE, ...headers },
        body,
      });
      expect(res.status).toBe(401);
    }
    expect(h.adapter.stats().rejectedRequests).toBe(2);
  });

  it("answers a mention once despite X-Slack-Retry-Num retries, then a follow-up in its thread", async () => {
    const { h, post } = await start();
    const mention = appMention({ text: "<@U_BOT> Who uses KubeVirt?", channel: "C5" });
    const body = json(eventCallback(mention, { event_id: "EvH1" }));
    const deliveries = await Promise.all([
      post(body, JSON_CONTENT_TYPE),
      post(body, JSON_CONTENT_TYPE, { retryNum: 1, retryReason: "http_timeout" }),
      post(body, JSON_CONTENT_TYPE, { retryNum: 2, retryReason: "http_timeout" }),
    ]);
    for (const d of deliveries) expect(d.status).toBe(200);
    const [answer] = await h.fake.waitForCalls("chat.postMessage", 1);
    expect(answer?.body).toMatchObject({ channel: "C5", thread_ts: mention.ts });
    await expect.poll(() => h.adapter.stats().duplicates).toBe(2);

    const followUp = messageEvent({
      text: "How many GitHub stars does it have?",
      channel: "C5",
      thread_ts: String(mention.ts),
    });
    expect((await post(json(eventCallback(followUp)), JSON_CONTENT_TYPE)).status).toBe(200);
    const [, second] = await h.fake.waitForCalls("chat.postMessage", 2);
    expect(second?.body.thread_ts).toBe(mention.ts);
    expect(json(second?.body.blocks)).toContain("KubeVirt has more than 5,000");
    await h.adapter.idle();
    expect(h.fake.callsTo("chat.postMessage")).toHaveLength(2);
  });

  it("acks a feedback click sent as interactivity and records it", async () => {
    const { h, post } = await start();
    const res = await post(
      interactivityBody(
        blockActionsPayload({
          action_id: FEEDBACK_ACTIONS.up,
          value: "slack:T1:C1:1712000000.000100",
          user_id: "U_DAN",
          message_ts: "1712000000.000200",
          response_url: h.fake.responseUrl("fb"),
        }),
      ),
      FORM_CONTENT_TYPE,
    );
    expect(res.status).toBe(200);
    await h.fake.waitForResponses(1);
    expect(h.feedback).toEqual([
      {
        platform: "slack",
        conversationId: "slack:T1:C1:1712000000.000100",
        userId: "U_DAN",
        messageRef: "C1:1712000000.000200",
        value: "up",
      },
    ]);
  });

  it("answers 503 once stopped, so Slack retries elsewhere or later", async () => {
    const { h, post } = await start();
    await h.adapter.stop();
    const res = await post(formEncode(slashCommandPayload({ command: "/projects" })), FORM_CONTENT_TYPE);
    expect(res.status).toBe(503);
  });
});
