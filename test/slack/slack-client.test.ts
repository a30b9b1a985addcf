import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepAliveFetch } from "../../src/adapters/shared/keep-alive-fetch.js";
import { slackErrorCode } from "../../src/adapters/slack/slack-api.js";
import {
  retryDelays,
  SlackCallError,
  SlackClient,
  SlackRateLimitedError,
} from "../../src/adapters/slack/slack-client.js";
import { silentLogger } from "../../src/core/logger.js";
import { FakeSlack } from "../fakes/fake-slack.js";

const fake = new FakeSlack();
const transport = keepAliveFetch();
const waits: number[] = [];

function client(retryDelaysMs: number[] = [500, 1_000], token = "xoxb-test"): SlackClient {
  return new SlackClient({
    token,
    apiUrl: fake.url,
    transport,
    logger: silentLogger,
    retryDelaysMs,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
}

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => undefined,
    (error: unknown) => error,
  );
}

beforeAll(() => fake.start());
afterAll(async () => {
  transport.close();
  await fake.close();
});

describe("SlackClient", () => {
  it("POSTs the arguments as JSON with the token as a bearer, never in the body", async () => {
    fake.reset();
    const result = await client().call("chat.postMessage", {
      channel: "C1",
      text: "héllo <b>",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "héllo" } }],
      unfurl_links: false,
    });
    expect(result.ok).toBe(true);
    expect(typeof result.ts).toBe("string");
    const [call] = fake.callsTo("chat.postMessage");
    expect(call?.contentType).toMatch(/^application\/json/);
    expect(call?.token).toBe("xoxb-test");
    expect(call?.rawBody).not.toContain("xoxb-test");
    expect(call?.body).toMatchObject({ channel: "C1", text: "héllo <b>", unfurl_links: false });
    expect(call?.body.blocks).toEqual([{ type: "section", text: { type: "mrkdwn", text: "héllo" } }]);
  });

  it("throws Slack's error code on ok: false, without retrying", async () => {
    fake.reset();
    waits.length = 0;
    fake.failNext("chat.update", { ok: false, error: "message_not_found" });
    const error = await failure(client().call("chat.update", { channel: "C1", ts: "1.2", text: "x" }));
    expect(error).toBeInstanceOf(SlackCallError);
    expect(slackErrorCode(error)).toBe("message_not_found");
    expect(fake.callsTo("chat.update")).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("hands a 429 over with its Retry-After, without retrying (SlackApi pauses the method)", async () => {
    fake.reset();
    waits.length = 0;
    fake.failNext("chat.postMessage", { status: 429, retryAfter: 7 });
    const error = await failure(client().call("chat.postMessage", { channel: "C1", text: "x" }));
    expect(error).toBeInstanceOf(SlackRateLimitedError);
    expect(error).toMatchObject({ code: "slack_webapi_rate_limited_error", retryAfter: 7 });
    expect(fake.callsTo("chat.postMessage")).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("retries a server error on its schedule, then gives up with the status", async () => {
    fake.reset();
    waits.length = 0;
    fake.failNext("chat.postMessage", { status: 503 }, 1);
    const ok = await client().call("chat.postMessage", { channel: "C1", text: "x" });
    expect(ok.ok).toBe(true);
    expect(waits).toEqual([500]);

    waits.length = 0;
    fake.failNext("chat.postMessage", { status: 500 }, 3);
    const error = await failure(client().call("chat.postMessage", { channel: "C1", text: "x" }));
    expect(error).toMatchObject({ slackError: "http_500", status: 500 });
    expect(waits).toEqual([500, 1_000]);
  });

  it("retries a refused connection and fails like fetch when it stays down", async () => {
    waits.length = 0;
    const down = new SlackClient({
      token: "xoxb-test",
      apiUrl: "http://127.0.0.1:9/api/",
      transport,
      logger: silentLogger,
      retryDelaysMs: [1],
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const error = await failure(down.call("chat.postMessage", { channel: "C1", text: "x" }));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("fetch failed");
    expect(waits).toEqual([1]);
  });

  it("follows the WebClient's retry schedule", () => {
    expect(retryDelays({ retries: 2, factor: 2, minTimeout: 500, maxTimeout: 5_000 })).toEqual([500, 1_000]);
    expect(retryDelays({ retries: 5, factor: 3, minTimeout: 1_000, maxTimeout: 5_000 })).toEqual([
      1_000, 3_000, 5_000, 5_000, 5_000,
    ]);
    expect(retryDelays({ retries: 0 })).toEqual([]);
  });
});
