/**
 * The Slack adapter end to end in Socket Mode: real @slack/bolt against the fake Slack's Web API,
 * response_url receiver and Socket Mode server (which enforces Slack's 3-second ack deadline).
 */

import { afterEach, describe, expect, it } from "vitest";
import { FEEDBACK_ACTIONS, type SlackMessage } from "../../src/adapters/slack/render.js";
import { ExtractiveAnswerer } from "../../src/core/answer/extractive.js";
import { SearchIndex } from "../../src/core/knowledge/search-index.js";
import { silentLogger } from "../../src/core/logger.js";
import { startSlack } from "../adapter-starters.js";
import {
  appMention,
  blockActionsPayload,
  eventCallback,
  FakeSlack,
  messageEvent,
  type RecordedCall,
  slashCommandPayload,
} from "../fakes/fake-slack.js";
import { createTestBot, loadRepoKb } from "../helpers.js";
import { expectWithinLimits } from "../slack/slack-limits.js";
import {
  APP_TOKEN,
  BOT_TOKEN,
  DownLlm,
  type Harness,
  ManualClock,
  ScriptedAnswerer,
  SlowLlm,
  slackConfig,
  startHarness,
} from "./slack-harness.js";

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(options: Omit<Parameters<typeof startHarness>[0], "mode"> = {}): Promise<Harness> {
  harness = await startHarness({ mode: "socket", ...options });
  return harness;
}

/** The message a Web API call carried, as the renderer shaped it. */
function messageOf(call: RecordedCall | undefined): SlackMessage {
  return { text: String(call?.body.text ?? ""), blocks: (call?.body.blocks ?? []) as SlackMessage["blocks"] };
}

function json(value: unknown): string {
  return JSON.stringify(value);
}

/** Every call the fake answered succeeded, and every message in it was within Slack's limits. */
function expectAllOk(h: Harness): void {
  for (const call of h.fake.calls) {
    expect(call.status, `${call.method} ${json(call.response)}`).toBe(200);
    expect(call.response.ok, `${call.method} ${json(call.response)}`).toBe(true);
    if (call.method.startsWith("chat.") && call.method !== "chat.delete") expectWithinLimits(messageOf(call));
  }
  for (const response of h.fake.responses) expect(response.error).toBeUndefined();
}

describe("Slack in Socket Mode", () => {
  it("reports the socket connection on /readyz", async () => {
    const h = await start();
    expect((await fetch(`${h.origin}/readyz`)).status).toBe(200);
    await h.adapter.stop();
    const after = await fetch(`${h.origin}/readyz`);
    expect(after.status).toBe(503);
    expect(JSON.stringify(await after.json())).toMatch(/slack socket mode is not connected/);
  });

  it("registers every core command as a slash command and answers each", async () => {
    const h = await start();
    const specs = h.bot.commands();
    expect(specs.length).toBeGreaterThan(15);
    const acks = await Promise.all(
      specs.map((spec) =>
        h.fake.sendEnvelope(
          "slash_commands",
          slashCommandPayload({
            command: `/${spec.name}`,
            text: spec.examples[0]?.replace(/^\/\S+\s*/, "") ?? "",
            response_url: h.fake.responseUrl(spec.name),
          }),
        ),
      ),
    );
    expect(acks).toHaveLength(specs.length);

    const slow = specs.filter((s) => s.slow);
    const fast = specs.filter((s) => !s.slow);
    // Slow commands get a placeholder that becomes the answer; quick ones answer via response_url.
    await h.fake.waitForCalls("chat.update", slow.length, 10_000);
    await h.fake.waitForResponses(fast.length, 10_000);
    await h.adapter.idle();
    for (const spec of slow) {
      const update = h.fake.callsTo("chat.update").find((c) => json(c.body.blocks).includes(`/${spec.name}`));
      expect(update, `no answer for /${spec.name}`).toBeDefined();
    }
    for (const spec of fast) {
      const response = h.fake.responses.find((r) => r.id === spec.name);
      expect(response, `no response for /${spec.name}`).toBeDefined();
      const body = response?.body as { response_type?: string; blocks?: unknown[] };
      expect(body.response_type).toBe(spec.name === "help" ? "ephemeral" : "in_channel");
      expect(body.blocks?.length).toBeGreaterThan(0);
    }
    expect(h.adapter.stats().commands).toBe(specs.length);
    expectAllOk(h);
  });

  it("answers a shortcut command's question in a thread rooted at its placeholder", async () => {
    const h = await start();
    await h.fake.sendEnvelope(
      "slash_commands",
      slashCommandPayload({
        command: "/kubevirt",
        text: "who uses it?",
        response_url: h.fake.responseUrl("kv"),
      }),
    );
    const [placeholder] = await h.fake.waitForCalls("chat.postMessage", 1);
    const [update] = await h.fake.waitForCalls("chat.update", 1);
    expect(update?.body.ts).toBe(placeholder?.response.ts);
    const blocks = json(update?.body.blocks);
    expect(blocks).toContain("Nvidia");
    expect(blocks).toContain(FEEDBACK_ACTIONS.up);
    expectAllOk(h);
  });

  it("adds the command prefix to every command", async () => {
    const h = await start({ prefix: "sl" });
    await h.fake.sendEnvelope(
      "slash_commands",
      slashCommandPayload({ command: "/sl-projects", response_url: h.fake.responseUrl("p") }),
    );
    const [response] = await h.fake.waitForResponses(1);
    expect(json(response?.body)).toContain("KubeVirt");
    // Without the prefix the command is not this app's: Bolt has no listener and never acks.
    await expect(
      h.fake.sendEnvelope("slash_commands", slashCommandPayload({ command: "/projects" }), {
        ackTimeoutMs: 500,
      }),
    ).rejects.toThrow(/no ack/);
  });

  it("answers a mention in the message's thread, with feedback buttons and no unfurls", async () => {
    const h = await start();
    const mention = appMention({ text: "<@U_BOT> Who uses KubeVirt?", channel: "C42" });
    await h.fake.sendEnvelope("events_api", eventCallback(mention));
    const [post] = await h.fake.waitForCalls("chat.postMessage", 1);
    expect(post?.body).toMatchObject({
      channel: "C42",
      thread_ts: mention.ts,
      // A JSON body, as Slack takes chat.postMessage with a bearer token.
      unfurl_links: false,
      unfurl_media: false,
    });
    const blocks = json(post?.body.blocks);
    expect(blocks).toContain("Nvidia");
    expect(blocks).toContain(FEEDBACK_ACTIONS.up);
    expect(blocks).toContain(FEEDBACK_ACTIONS.down);
    expect(blocks).toContain(`slack:T1:C42:${String(mention.ts)}`);
    expectAllOk(h);
  });

  it("answers a direct message inline", async () => {
    const h = await start();
    const dm = messageEvent({ text: "Who uses KubeVirt?", channel_type: "im", channel: "D7" });
    await h.fake.sendEnvelope("events_api", eventCallback(dm));
    const [post] = await h.fake.waitForCalls("chat.postMessage", 1);
    expect(post?.body.channel).toBe("D7");
    expect(post?.body.thread_ts).toBeUndefined();
    expect(json(post?.body.blocks)).toContain("Nvidia");
  });

  it("ignores other bots, itself, edits, unanswered threads and people talking to each other", async () => {
    const h = await start();
    const mention = appMention({ text: "<@U_BOT> Who uses KubeVirt?" });
    await h.fake.sendEnvelope("events_api", eventCallback(mention));
    await h.fake.waitForCalls("chat.postMessage", 1);
    const thread = String(mention.ts);
    const ignored = [
      appMention({ text: "<@U_BOT> Who uses KubeVirt?", bot_id: "B2", user: "U_OTHERBOT" }),
      messageEvent({ text: "Who uses KubeVirt?", channel_type: "im", subtype: "bot_message", bot_id: "B2" }),
      messageEvent({ text: "Who uses KubeVirt?", channel_type: "im", bot_id: "B2", user: "U_OTHERBOT" }),
      messageEvent({ text: "Who uses KubeVirt?", channel_type: "im", user: "U_BOT" }),
      messageEvent({ text: "Who uses KubeVirt?", thread_ts: thread, subtype: "message_changed" }),
      messageEvent({ text: "Who uses KubeVirt?", thread_ts: "1700000000.000001" }),
      messageEvent({ text: "Who uses KubeVirt?" }),
      messageEvent({ text: "<@U_ALICE> what do you think about KubeVirt?", thread_ts: thread }),
    ];
    for (const event of ignored) await h.fake.sendEnvelope("events_api", eventCallback(event));
    // A DM after them is answered: by then the ignored events have been handled (and dropped).
    await h.fake.sendEnvelope(
      "events_api",
      eventCallback(messageEvent({ text: "Who uses vCluster?", channel_type: "im", channel: "D9" })),
    );
    await h.fake.waitForCalls("chat.postMessage", 2);
    await h.adapter.idle();
    const posts = h.fake.callsTo("chat.postMessage");
    expect(posts.map((p) => p.body.channel)).toEqual(["C1", "D9"]);
    expect(h.adapter.stats().ignored).toBeGreaterThanOrEqual(5);
  });

  it("answers once despite redelivery, and app_mention plus message for the same ts", async () => {
    const h = await start();
    const mention = appMention({ text: "<@U_BOT> Who uses KubeVirt?" });
    const body = eventCallback(mention, { event_id: "Ev1" });
    // The thread is answered first, so the thread's message event for the next ts counts too.
    await h.fake.sendEnvelope("events_api", body, { envelopeId: "env-1" });
    await h.fake.sendEnvelope("events_api", body, {
      envelopeId: "env-1",
      retryAttempt: 1,
      retryReason: "timeout",
    });
    await h.fake.waitForCalls("chat.postMessage", 1);

    const ts = "1712000050.000100";
    const both = [
      eventCallback(appMention({ text: "<@U_BOT> How many stars?", ts, thread_ts: String(mention.ts) }), {
        event_id: "Ev2",
      }),
      eventCallback(messageEvent({ text: "<@U_BOT> How many stars?", ts, thread_ts: String(mention.ts) }), {
        event_id: "Ev3",
      }),
    ];
    // Concurrently, and each redelivered: four deliveries, one answer.
    await Promise.all([
      ...both.map((b) => h.fake.sendEnvelope("events_api", b)),
      ...both.map((b) => h.fake.sendEnvelope("events_api", b, { retryAttempt: 1, retryReason: "timeout" })),
    ]);
    await h.fake.waitForCalls("chat.postMessage", 2);
    await expect.poll(() => h.adapter.stats().duplicates).toBe(4);
    await h.adapter.idle();
    expect(h.fake.callsTo("chat.postMessage")).toHaveLength(2);
    expect(h.adapter.stats().answers).toBe(2);
  });

  it("delivers a 40,000-character answer across messages within Slack's limits, all of it", async () => {
    const sentences = Array.from(
      { length: 800 },
      (_, i) => `Sentence ${String(i).padStart(4, "0")} is here & fine.`,
    );
    const code = Array.from({ length: 200 }, (_, i) => `row_${i} = "<${i}>"`).join("\n");
    let text = `${sentences.slice(0, 400).join(" ")}\n\n\`\`\`python\n${code}\n\`\`\`\n\n${sentences.slice(400).join("\n\n")}`;
    text += ` ${"z".repeat(Math.max(0, 40_000 - text.length - 1))}`;
    expect(text.length).toBeGreaterThanOrEqual(40_000);
    const h = await start({ answerer: new ScriptedAnswerer(text) });
    const mention = appMention({ text: "<@U_BOT> Tell me everything about KubeVirt" });
    await h.fake.sendEnvelope("events_api", eventCallback(mention));
    await expect.poll(() => h.adapter.stats().answers, { timeout: 10_000 }).toBe(1);
    const posts = h.fake.callsTo("chat.postMessage");
    expect(posts.length).toBeGreaterThan(3);
    for (const post of posts) expect(post.body.thread_ts).toBe(mention.ts);
    expectAllOk(h);
    // Sections in order, joined: a sentence or a code block may continue in the next section.
    const all = posts
      .flatMap((p) => messageOf(p).blocks)
      .map((b) => (b.type === "section" && b.text ? b.text.text : ""))
      .join("");
    for (let i = 0; i < 800; i++)
      expect(all).toContain(`Sentence ${String(i).padStart(4, "0")} is here &amp; fine.`);
    for (let i = 0; i < 200; i++) expect(all).toContain(`row_${i} = "&lt;${i}&gt;"`);
    expect(all).toContain("z".repeat(40_000 - text.replace(/z+$/, "").length - 1));
    // Feedback buttons once, on the last message.
    expect(posts.filter((p) => json(p.body.blocks).includes(FEEDBACK_ACTIONS.up))).toHaveLength(1);
    expect(json(posts.at(-1)?.body.blocks)).toContain(FEEDBACK_ACTIONS.up);
  });

  it("acknowledges commands within Slack's deadline while a 30-second LLM answers, with throttled progress", async () => {
    const clock = new ManualClock();
    const llm = new SlowLlm((ms, signal) => clock.sleep(ms, signal));
    const h = await start({ answerer: llm });
    const n = 20;
    const acks = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        h.fake.sendEnvelope(
          "slash_commands",
          slashCommandPayload({
            command: "/ask",
            text: "Who uses KubeVirt?",
            channel_id: `C${i}`,
            response_url: h.fake.responseUrl(`ask-${i}`),
          }),
        ),
      ),
    );
    // Acked first: every ack is back while every answer is still waiting on the model.
    expect(acks).toHaveLength(n);
    expect(h.adapter.stats().answers).toBe(0);
    // Every model call is under way, 30 (virtual) seconds from finishing, each with a placeholder.
    await expect.poll(() => clock.sleeping, { timeout: 5_000 }).toBe(n);
    expect(h.fake.callsTo("chat.postMessage")).toHaveLength(n);
    // 100 streamed tokens per answer, but at most two updates of each placeholder so far; the
    // first comes a progress interval (1 s) after its placeholder.
    await expect
      .poll(() => h.fake.callsTo("chat.update").length, { timeout: 5_000 })
      .toBeGreaterThanOrEqual(n);
    const progress = h.fake.callsTo("chat.update");
    for (let i = 0; i < n; i++) {
      const ts = h.fake.callsTo("chat.postMessage").find((c) => c.body.channel === `C${i}`)?.response.ts;
      expect(progress.filter((c) => c.body.ts === ts).length).toBeLessThanOrEqual(2);
    }
    expect(json(progress[0]?.body.blocks)).toContain("Writing…");

    clock.advance(30_000);
    await expect.poll(() => h.adapter.stats().answers, { timeout: 5_000 }).toBe(n);
    const finals = h.fake
      .callsTo("chat.update")
      .filter((c) => json(c.body.blocks).includes("that is the answer"));
    expect(finals).toHaveLength(n);
    for (const final of finals) {
      expect(json(final.body.blocks)).toContain(FEEDBACK_ACTIONS.up);
      expect(json(final.body.blocks)).not.toContain("Writing…");
    }
    expectAllOk(h);
  });

  it("posts the extractive answer, with its notice, when the LLM is down", async () => {
    const kb = await loadRepoKb();
    const llm = new DownLlm(new ExtractiveAnswerer(new SearchIndex(kb)));
    const h = await start({ answerer: llm });
    await h.fake.sendEnvelope(
      "events_api",
      eventCallback(appMention({ text: "<@U_BOT> Who uses KubeVirt?" })),
    );
    const [post] = await h.fake.waitForCalls("chat.postMessage", 1, 5_000);
    expect(llm.attempts).toBe(1);
    const blocks = json(post?.body.blocks);
    expect(blocks).toContain("KubeVirt is used by Nvidia and Cloudflare");
    expect(blocks).toContain("Fallback: the language model failed");
    expect(blocks).toContain("thenewstack.io");
  });

  it("acknowledges a feedback click, records it and thanks the user", async () => {
    const h = await start();
    const mention = appMention({ text: "<@U_BOT> Who uses KubeVirt?" });
    await h.fake.sendEnvelope("events_api", eventCallback(mention));
    const [post] = await h.fake.waitForCalls("chat.postMessage", 1);
    const conversationId = `slack:T1:C1:${String(mention.ts)}`;
    await h.fake.sendEnvelope(
      "interactive",
      blockActionsPayload({
        action_id: FEEDBACK_ACTIONS.down,
        value: conversationId,
        user_id: "U_CAROL",
        message_ts: String(post?.response.ts),
        response_url: h.fake.responseUrl("thanks"),
      }),
    );
    const [response] = await h.fake.waitForResponses(1);
    expect(response?.body).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(h.feedback).toEqual([
      {
        platform: "slack",
        conversationId,
        userId: "U_CAROL",
        messageRef: `C1:${String(post?.response.ts)}`,
        value: "down",
      },
    ]);
    expect(h.adapter.stats().feedbackDown).toBe(1);
    expect(h.logger.lines.some((l) => l.includes('"value":"down"'))).toBe(true);
  });

  it("honours Retry-After on a 429 with one retry, no storm", async () => {
    const h = await start();
    h.fake.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    await h.fake.sendEnvelope(
      "events_api",
      eventCallback(appMention({ text: "<@U_BOT> Who uses KubeVirt?" })),
    );
    await expect.poll(() => h.adapter.stats().answers, { timeout: 5_000 }).toBe(1);
    const posts = h.fake.callsTo("chat.postMessage");
    expect(posts.map((p) => p.status)).toEqual([429, 200]);
    // The retry waited out the second Slack asked for (a lower bound, so never flaky).
    expect((posts[1]?.at ?? 0) - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(h.adapter.stats().rateLimited).toBe(1);
  });

  it("never writes a token to the logs, even at debug level", async () => {
    const h = await start({ logLevel: "debug" });
    await h.fake.sendEnvelope(
      "events_api",
      eventCallback(appMention({ text: "<@U_BOT> Who uses KubeVirt?" })),
    );
    await h.fake.waitForCalls("chat.postMessage", 1);
    await h.adapter.idle();
    expect(h.logger.lines.length).toBeGreaterThan(5);
    const all = h.logger.lines.join("\n");
    expect(all).not.toContain(BOT_TOKEN);
    expect(all).not.toContain(APP_TOKEN);
  });
});

describe("Slack start-up", () => {
  const fakes: FakeSlack[] = [];
  afterEach(async () => {
    for (const fake of fakes.splice(0)) await fake.close();
  });

  async function fakeSlack(): Promise<FakeSlack> {
    const fake = new FakeSlack();
    await fake.start();
    fakes.push(fake);
    return fake;
  }

  const options = { clientOptions: { retryConfig: { retries: 0 } } };

  it("fails naming SLACK_BOT_TOKEN when Slack refuses the bot token", async () => {
    const fake = await fakeSlack();
    fake.stub("auth.test", { ok: false, error: "invalid_auth" });
    const bot = await createTestBot();
    const runtime = {
      bot,
      logger: silentLogger,
      config: { slack: slackConfig(fake, "socket"), logLevel: "silent" },
    };
    await expect(startSlack(runtime, undefined, options)).rejects.toThrow(/SLACK_BOT_TOKEN: .*invalid_auth/);
  });

  it("fails naming SLACK_APP_TOKEN when Slack refuses the app-level token", async () => {
    const fake = await fakeSlack();
    fake.stub("apps.connections.open", { ok: false, error: "invalid_auth" });
    const bot = await createTestBot();
    const runtime = {
      bot,
      logger: silentLogger,
      config: { slack: slackConfig(fake, "socket"), logLevel: "silent" },
    };
    await expect(startSlack(runtime, undefined, options)).rejects.toThrow(/SLACK_APP_TOKEN: .*invalid_auth/);
  });
});
