/**
 * The HTTP interactions endpoint (no gateway): Ed25519 verification over the raw body with a real
 * keypair, PING, and commands answered through the same flow as the gateway. Edits and follow-ups
 * go to the fake Discord's webhook routes; the test plays Discord's edge, signing requests and
 * applying the endpoint's HTTP response as the interaction callback.
 */

import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DiscordAdapter } from "../../src/adapters/discord/discord-adapter.js";
import {
  discordPublicKey,
  INTERACTIONS_PATH,
  MAX_CLOCK_SKEW_SECONDS,
  verifyInteractionRequest,
} from "../../src/adapters/discord/http-interactions.js";
import { loadConfig } from "../../src/app/config.js";
import type { Runtime } from "../../src/app/runtime.js";
import type { AnswerResult } from "../../src/core/answer/answerer.js";
import { Bot, type BotDeps, type Feedback } from "../../src/core/bot.js";
import { silentLogger } from "../../src/core/logger.js";
import type { Reply, StreamOptions } from "../../src/core/reply.js";
import type { BotRequest } from "../../src/core/types.js";
import { HttpServer } from "../../src/http/server.js";
import { startDiscord } from "../adapter-starters.js";
import { APP_ID, FakeDiscord, GUILD_ID, HUMAN_USER_ID, TEXT_CHANNEL_ID } from "../fakes/fake-discord.js";
import { loadRepoKb } from "../helpers.js";
import { expectNoPings, gate, ScriptedAnswerer } from "./discord-harness.js";

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
/** The raw 32-byte key as the developer portal shows it: the SPKI DER form ends with it. */
const PUBLIC_KEY_HEX = publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("hex");

function signed(body: Buffer, timestamp: string, key: KeyObject = privateKey): string {
  return sign(null, Buffer.concat([Buffer.from(timestamp), body]), key).toString("hex");
}
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("verifyInteractionRequest", () => {
  const key = discordPublicKey(PUBLIC_KEY_HEX);

  it("accepts Discord's signature over timestamp + raw body within five minutes either way", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.integer({ min: -MAX_CLOCK_SKEW_SECONDS, max: MAX_CLOCK_SKEW_SECONDS }),
        (bytes, skew) => {
          const body = Buffer.from(bytes);
          const now = Date.now();
          const timestamp = String(Math.floor(now / 1000) + skew);
          const signature = signed(body, timestamp);
          expect(verifyInteractionRequest(key, { signature, timestamp, body }, now)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rejects 10,000 tampered requests: flipped body or signature bits, stale or future timestamps, missing headers", () => {
    const otherKey = generateKeyPairSync("ed25519").privateKey;
    type Tamper =
      | { kind: "body-bit"; at: number; bit: number }
      | { kind: "signature-bit"; at: number; bit: number }
      | { kind: "skew"; seconds: number }
      | { kind: "timestamp-changed"; delta: number }
      | { kind: "missing"; header: "signature" | "timestamp" | "both" }
      | { kind: "body-extended"; extra: Uint8Array }
      | { kind: "body-truncated"; by: number }
      | { kind: "malformed-signature"; value: string }
      | { kind: "malformed-timestamp"; value: string }
      | { kind: "wrong-key" };
    const tamper: fc.Arbitrary<Tamper> = fc.oneof(
      fc.record({
        kind: fc.constant("body-bit" as const),
        at: fc.nat(),
        bit: fc.integer({ min: 0, max: 7 }),
      }),
      fc.record({
        kind: fc.constant("signature-bit" as const),
        at: fc.nat(63),
        bit: fc.integer({ min: 0, max: 7 }),
      }),
      fc.record({
        kind: fc.constant("skew" as const),
        seconds: fc.oneof(
          fc.integer({ min: MAX_CLOCK_SKEW_SECONDS + 1, max: 10 ** 9 }),
          fc.integer({ min: -(10 ** 9), max: -(MAX_CLOCK_SKEW_SECONDS + 1) }),
        ),
      }),
      fc.record({
        kind: fc.constant("timestamp-changed" as const),
        delta: fc
          .integer({ min: -MAX_CLOCK_SKEW_SECONDS, max: MAX_CLOCK_SKEW_SECONDS })
          .filter((d) => d !== 0),
      }),
      fc.record({
        kind: fc.constant("missing" as const),
        header: fc.constantFrom("signature", "timestamp", "both"),
      }),
      fc.record({
        kind: fc.constant("body-extended" as const),
        extra: fc.uint8Array({ minLength: 1, maxLength: 16 }),
      }),
      fc.record({ kind: fc.constant("body-truncated" as const), by: fc.integer({ min: 1, max: 16 }) }),
      fc.record({
        kind: fc.constant("malformed-signature" as const),
        value: fc.oneof(fc.string({ maxLength: 140 }), fc.stringMatching(/^[0-9a-f]{0,127}$/)),
      }),
      fc.record({
        kind: fc.constant("malformed-timestamp" as const),
        value: fc.oneof(
          fc.string({ maxLength: 14 }).filter((s) => !/^\d+$/.test(s)),
          fc.constant("1e9"),
          fc.constant(" 1"),
        ),
      }),
      fc.record({ kind: fc.constant("wrong-key" as const) }),
    );
    let cases = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 512 }), tamper, (bytes, t) => {
        const now = Date.now();
        let body = Buffer.from(bytes);
        let timestamp: string | undefined = String(Math.floor(now / 1000));
        let signature: string | undefined = signed(body, timestamp);
        switch (t.kind) {
          case "body-bit": {
            body = Buffer.from(body);
            const i = t.at % body.length;
            body[i] = (body[i] as number) ^ (1 << t.bit);
            break;
          }
          case "signature-bit": {
            const sig = Buffer.from(signature, "hex");
            sig[t.at] = (sig[t.at] as number) ^ (1 << t.bit);
            signature = sig.toString("hex");
            break;
          }
          case "skew":
            // Properly signed, but too old or too far ahead: a replay or a broken clock.
            timestamp = String(Math.floor(now / 1000) + t.seconds);
            signature = signed(body, timestamp);
            break;
          case "timestamp-changed":
            timestamp = String(Number(timestamp) + t.delta);
            break;
          case "missing":
            if (t.header !== "timestamp") signature = undefined;
            if (t.header !== "signature") timestamp = undefined;
            break;
          case "body-extended":
            body = Buffer.concat([body, Buffer.from(t.extra)]);
            break;
          case "body-truncated":
            body = body.subarray(0, Math.max(0, body.length - t.by));
            break;
          case "malformed-signature":
            signature = t.value;
            break;
          case "malformed-timestamp":
            timestamp = t.value;
            break;
          case "wrong-key":
            signature = signed(body, timestamp, otherKey);
            break;
        }
        cases++;
        expect(verifyInteractionRequest(key, { signature, timestamp, body }, now)).toBe(false);
      }),
      { numRuns: 10_000 },
    );
    expect(cases).toBe(10_000);
  });
});

// ------------------------------------------------------------------------------------------------
// Through HTTP
// ------------------------------------------------------------------------------------------------

/** Counts every request that reaches the core: a refused request must reach nothing. */
class CountingBot extends Bot {
  handled = 0;
  override async handle(request: BotRequest, options?: StreamOptions): Promise<Reply> {
    this.handled++;
    return super.handle(request, options);
  }
}

let fake: FakeDiscord;
let http: HttpServer;
let base: string;
let bot: CountingBot;
let adapter: DiscordAdapter;
const askGate = gate();
const answerer = new ScriptedAnswerer(async (): Promise<AnswerResult> => {
  await askGate.promise;
  return { text: "KubeVirt is used by Nvidia and Cloudflare. @everyone", mode: "llm", sources: [] };
});

beforeAll(async () => {
  fake = await new FakeDiscord().start();
  const config = loadConfig({
    DISCORD_PUBLIC_KEY: PUBLIC_KEY_HEX,
    DISCORD_APPLICATION_ID: APP_ID,
    DISCORD_API_URL: fake.restUrl,
    LOG_LEVEL: "silent",
  });
  expect(config.discord).toBeUndefined(); // no gateway in this mode
  const kb = await loadRepoKb();
  const deps: BotDeps = { kb, answerer };
  bot = new CountingBot(deps);
  const runtime: Runtime = { config, logger: silentLogger, kb, index: bot.index, bot, close: async () => {} };
  http = new HttpServer(silentLogger);
  adapter = await startDiscord(runtime, http, { restOptions: { retries: 0 } });
  const address = await http.listen(0, "127.0.0.1");
  base = `http://127.0.0.1:${address.port}${INTERACTIONS_PATH}`;
});

afterAll(async () => {
  await adapter.stop();
  await http.close();
  expectNoPings(fake);
  const errors = [...fake.protocolErrors];
  await fake.close();
  expect(errors).toEqual([]);
});

async function post(
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(base, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** Signs and sends an interaction as Discord would. */
async function deliver(payload: unknown): Promise<{ status: number; json: unknown }> {
  const body = Buffer.from(JSON.stringify(payload));
  const timestamp = String(nowSeconds());
  return post(body, { "x-signature-ed25519": signed(body, timestamp), "x-signature-timestamp": timestamp });
}

/** What Discord does with the endpoint's response: applies it as the interaction's callback. */
async function applyAsCallback(interaction: { id: string; token: string }, response: unknown): Promise<void> {
  const result = await fetch(
    `${fake.restUrl}/v10/interactions/${interaction.id}/${interaction.token}/callback`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(response),
    },
  );
  expect(result.status).toBe(204);
}

describe("POST /discord/interactions", () => {
  it("refuses tampered requests with 401 before anything runs (a sample through HTTP)", async () => {
    const payload = Buffer.from(JSON.stringify(fake.chatInputInteraction({ data: { name: "about" } })));
    const variants = fc.oneof(
      fc.record({ kind: fc.constant("body"), at: fc.nat(payload.length - 1) }),
      fc.record({ kind: fc.constant("signature"), at: fc.nat(63) }),
      fc.record({
        kind: fc.constant("skew"),
        at: fc.oneof(fc.integer({ min: 301, max: 10 ** 7 }), fc.integer({ min: -(10 ** 7), max: -301 })),
      }),
      fc.record({ kind: fc.constantFrom("no-signature", "no-timestamp", "no-headers"), at: fc.constant(0) }),
    );
    await fc.assert(
      fc.asyncProperty(variants, async ({ kind, at }) => {
        let body = payload;
        let timestamp = String(nowSeconds());
        let signature = signed(body, timestamp);
        if (kind === "body") {
          body = Buffer.from(payload);
          body[at] = (body[at] as number) ^ 1;
        } else if (kind === "signature") {
          const sig = Buffer.from(signature, "hex");
          sig[at] = (sig[at] as number) ^ 0x80;
          signature = sig.toString("hex");
        } else if (kind === "skew") {
          timestamp = String(nowSeconds() + at);
          signature = signed(body, timestamp);
        }
        const headers: Record<string, string> = {};
        if (kind !== "no-signature" && kind !== "no-headers") headers["x-signature-ed25519"] = signature;
        if (kind !== "no-timestamp" && kind !== "no-headers") headers["x-signature-timestamp"] = timestamp;
        const { status } = await post(body, headers);
        expect(status).toBe(401);
      }),
      { numRuns: 150 },
    );
    expect(bot.handled).toBe(0);
    expect(adapter.stats.interactions).toBe(0);
  });

  it("answers PING with PONG", async () => {
    const { status, json } = await deliver({ id: "1", token: "t", type: 1, application_id: APP_ID });
    expect(status).toBe(200);
    expect(json).toEqual({ type: 1 });
  });

  it("answers a fast command in the response itself", async () => {
    const interaction = fake.chatInputInteraction({
      data: { name: "project", options: [{ name: "name", type: 3, value: "kubevirt" }] },
    });
    const { status, json } = await deliver(interaction);
    expect(status).toBe(200);
    expect(json).toMatchObject({
      type: 4,
      data: { embeds: [expect.objectContaining({ title: "KubeVirt" })], allowed_mentions: { parse: [] } },
    });
  });

  it("defers a slow command, then edits the answer in through the interaction webhook", async () => {
    const interaction = fake.chatInputInteraction({
      data: { name: "ask", options: [{ name: "question", type: 3, value: "Who uses KubeVirt?" }] },
    });
    fake.dispatch("INTERACTION_CREATE", interaction); // registers the token with the fake (no gateway here)
    const { status, json } = await deliver(interaction);
    expect(status).toBe(200);
    expect(json).toEqual({ type: 5 });
    await applyAsCallback(interaction, json);
    askGate.open();
    const [edit] = await fake.waitForCalls(
      "PATCH",
      new RegExp(`/webhooks/${APP_ID}/${interaction.token}/messages/@original$`),
    );
    expect(edit?.status).toBe(200);
    const original = fake.getMessage(fake.interaction(interaction.id)?.originalMessageId ?? "");
    expect(original?.content).toBe("KubeVirt is used by Nvidia and Cloudflare. @\u200beveryone");
    expect(original?.components).toHaveLength(1);
  });

  it("keeps the answer when its edit reaches Discord before Discord has applied the deferral", async () => {
    // The endpoint's HTTP response is the acknowledgement, but Discord applies it on its side: an
    // answer ready at once (the gate is open: no waiting) can race it, and the token's webhook is
    // unknown (10015) until then. Here the edit wins the race for certain.
    const interaction = fake.chatInputInteraction({
      data: { name: "ask", options: [{ name: "question", type: 3, value: "Who uses KubeVirt, again?" }] },
    });
    fake.dispatch("INTERACTION_CREATE", interaction);
    const { json } = await deliver(interaction);
    expect(json).toEqual({ type: 5 });
    const original = new RegExp(`/webhooks/${APP_ID}/${interaction.token}/messages/@original$`);
    const [early] = await fake.waitForCalls("PATCH", original);
    expect(early?.status).toBe(404);
    expect(early?.response).toMatchObject({ code: 10015 });
    await applyAsCallback(interaction, json);
    const patches = await fake.waitForCalls("PATCH", original, 2, 10_000);
    expect(patches[1]?.status).toBe(200);
    const message = fake.getMessage(fake.interaction(interaction.id)?.originalMessageId ?? "");
    expect(message?.content).toBe("KubeVirt is used by Nvidia and Cloudflare. @\u200beveryone");
    expect(message?.components).toHaveLength(1);
  });

  it("answers autocomplete from the catalog and acknowledges feedback privately", async () => {
    const auto = fake.autocompleteInteraction({
      data: { name: "project" },
      focused: { name: "name", value: "kai" },
    });
    const choices = await deliver(auto);
    expect(choices.json).toEqual({ type: 8, data: { choices: [{ name: "Kairos", value: "kairos" }] } });

    const votes: Feedback[] = [];
    bot.onFeedback((f) => votes.push(f));
    const conversation = `discord:${GUILD_ID}:${TEXT_CHANNEL_ID}:123`;
    const click = fake.buttonInteraction({ custom_id: `fb:up:${conversation}` });
    const ack = await deliver(click);
    expect(ack.json).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(votes).toEqual([
      {
        platform: "discord",
        conversationId: conversation,
        userId: HUMAN_USER_ID,
        messageRef: click.message.id,
        value: "up",
      },
    ]);
  });

  it("refuses a signed body that is not an interaction, and oversized bodies", async () => {
    expect((await deliver({ hello: "world" })).status).toBe(400);
    const big = Buffer.alloc(300 * 1024, 32);
    const timestamp = String(nowSeconds());
    const { status } = await post(big, {
      "x-signature-ed25519": signed(big, timestamp),
      "x-signature-timestamp": timestamp,
    });
    expect(status).toBe(413);
  });
});
