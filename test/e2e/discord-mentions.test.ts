/**
 * Mentions through the real discord.js client against the fake Discord: threads, replies,
 * follow-ups with memory, typing, and what the bot must never answer.
 */
import { describe, expect, it } from "vitest";
import {
  BOT_USER,
  BOT_USER_ID,
  DM_CHANNEL_ID,
  GUILD_ID,
  makeUser,
  TEXT_CHANNEL_ID,
  THREAD_CHANNEL_ID,
} from "../fakes/fake-discord.js";
import {
  answerWith,
  gate,
  type Harness,
  ScriptedAnswerer,
  sentMessage,
  useHarness,
} from "./discord-harness.js";

const start = useHarness();

async function until(check: () => boolean, message: string): Promise<void> {
  await expect.poll(check, { timeout: 5000, interval: 10, message }).toBe(true);
}

const mention = (text: string) => `<@${BOT_USER_ID}> ${text}`;
const postsTo = (h: Harness, channelId: string) =>
  h.fake.callsMatching("POST", new RegExp(`^/channels/${channelId}/messages$`));

describe("mentions", () => {
  it("answers a mention in a text channel in a thread started from the message, typing meanwhile", async () => {
    const h = await start();
    const { data } = h.fake.deliverMessage({ content: mention("Who uses **KubeVirt**?") });
    await until(() => h.adapter.stats.messagesAnswered === 1, "answered");

    const [thread] = h.fake.callsMatching("POST", /\/threads$/);
    expect(thread?.path).toBe(`/channels/${TEXT_CHANNEL_ID}/messages/${data.id}/threads`);
    expect(thread?.body).toMatchObject({ name: "Who uses KubeVirt?", auto_archive_duration: 1440 });
    // Discord gives a thread started from a message the message's id.
    expect(h.fake.callsMatching("POST", new RegExp(`^/channels/${data.id}/typing$`)).length).toBeGreaterThan(
      0,
    );
    const [answer] = postsTo(h, data.id);
    const body = answer?.body as {
      content: string;
      embeds: { title: string }[];
      message_reference?: unknown;
    };
    expect(body.content).toMatch(/Nvidia/);
    expect(body.embeds.map((e) => e.title)).toEqual(["Sources"]);
    expect(body.message_reference).toBeUndefined();
    expect(postsTo(h, TEXT_CHANNEL_ID)).toEqual([]); // nothing in the channel itself
    const turns = await h.memory.get(`discord:${GUILD_ID}:${TEXT_CHANNEL_ID}:${data.id}`);
    expect(turns.map((t) => t.question)).toEqual(["Who uses **KubeVirt**?"]);
  });

  it("repeats the typing indicator while a slow answer is written", async () => {
    const release = gate();
    const h = await start({
      answerer: new ScriptedAnswerer(async () => {
        await release.promise;
        return { text: "KubeVirt is used by Nvidia.", mode: "llm", sources: [] };
      }),
      start: { timing: { typingIntervalMs: 30 } },
    });
    const { data } = h.fake.deliverMessage({ content: mention("Who uses KubeVirt?") });
    const typing = () => h.fake.callsMatching("POST", new RegExp(`^/channels/${data.id}/typing$`)).length;
    await until(() => typing() >= 3, "typing repeated");
    release.open();
    await until(() => h.adapter.stats.messagesAnswered === 1, "answered");
    const stopped = typing();
    // Once answered the indicator stops: a later message's answer sees no new typing in this thread.
    h.fake.deliverMessage({ channel_id: DM_CHANNEL_ID, guild_id: null, content: "Who uses KubeVirt?" });
    await until(() => h.adapter.stats.messagesAnswered === 2, "second answered");
    expect(typing()).toBe(stopped);
  });

  it("shows a placeholder when an answer is slow, edits it as the answer streams, then replaces it", async () => {
    const release = gate();
    const h = await start({
      answerer: new ScriptedAnswerer(async (input) => {
        await release.promise;
        input.onProgress?.({ text: "KubeVirt is used" });
        input.onProgress?.({ text: "KubeVirt is used by Nvidia" });
        return { text: "KubeVirt is used by Nvidia and Cloudflare.", mode: "llm", sources: [] };
      }),
      start: { timing: { placeholderDelayMs: 30, progressIntervalMs: 20 } },
    });
    const { data } = h.fake.deliverMessage({ content: mention("Who uses KubeVirt?") });
    // Slow: the placeholder appears before any text does.
    await until(() => postsTo(h, data.id).length === 1, "placeholder posted");
    expect((postsTo(h, data.id)[0]?.body as { content?: string } | undefined)?.content).toBe("Thinking…");
    release.open();
    await until(() => h.adapter.stats.messagesAnswered === 1, "answered");
    // One message: the placeholder, edited in place into the final answer with its buttons.
    expect(postsTo(h, data.id)).toHaveLength(1);
    const placeholderId = String((postsTo(h, data.id)[0]?.response as { id?: string } | undefined)?.id);
    const edits = h.fake.callsMatching(
      "PATCH",
      new RegExp(`^/channels/${data.id}/messages/${placeholderId}$`),
    );
    const final = edits.at(-1)?.body as { content: string; components: unknown[] };
    expect(final.content).toBe("KubeVirt is used by Nvidia and Cloudflare.");
    expect(final.components).toHaveLength(1);
    expect(h.fake.getMessage(placeholderId)?.content).toBe("KubeVirt is used by Nvidia and Cloudflare.");
  });

  it("answers follow-ups in its thread with memory, without a mention when it can read content", async () => {
    const seen: number[] = [];
    const answerer = new ScriptedAnswerer((input) => {
      seen.push(input.history.length);
      return {
        text: input.history.length === 0 ? "Nvidia and Cloudflare use KubeVirt." : "More than 5,000 stars.",
        mode: "llm",
        sources: [],
      };
    });
    const h = await start({ answerer, env: { DISCORD_MESSAGE_CONTENT: "true" } });
    const { data } = h.fake.deliverMessage({ content: mention("Who uses KubeVirt?") });
    await until(() => h.adapter.stats.messagesAnswered === 1, "first answer");
    const followUp = h.fake.deliverMessage({
      channel_id: data.id,
      content: "And how many GitHub stars does it have?",
    });
    await until(() => h.adapter.stats.messagesAnswered === 2, "follow-up answered");

    expect(seen).toEqual([0, 1]);
    const turns = await h.memory.get(`discord:${GUILD_ID}:${TEXT_CHANNEL_ID}:${data.id}`);
    expect(turns).toHaveLength(2);
    const answers = postsTo(h, data.id).map(
      (c) => c.body as { content: string; message_reference?: unknown },
    );
    expect(answers[1]?.content).toMatch(/5,000/);
    expect(answers[1]?.message_reference).toMatchObject({ message_id: followUp.data.id });
    expect(h.fake.callsMatching("POST", /\/threads$/)).toHaveLength(1); // no thread in a thread
    expect(h.fake.identifies[0]?.intents).toBe(1 | (1 << 9) | (1 << 12) | (1 << 15));
  });

  it("without the Message Content intent, answers follow-ups that mention it and ignores blank ones", async () => {
    const h = await start();
    const { data } = h.fake.deliverMessage({ content: mention("Who uses KubeVirt?") });
    await until(() => h.adapter.stats.messagesAnswered === 1, "first answer");
    const ignoredBefore = h.adapter.stats.ignoredMessages;
    h.fake.deliverMessage({ channel_id: data.id, content: "how many stars?" }); // arrives blank
    await until(() => h.adapter.stats.ignoredMessages > ignoredBefore, "blank follow-up ignored");
    h.fake.deliverMessage({ channel_id: data.id, content: mention("How many GitHub stars does it have?") });
    await until(() => h.adapter.stats.messagesAnswered === 2, "mentioned follow-up answered");
    expect(await h.memory.get(`discord:${GUILD_ID}:${TEXT_CHANNEL_ID}:${data.id}`)).toHaveLength(2);
    expect(postsTo(h, data.id).at(-1)?.body).toMatchObject({ content: expect.stringMatching(/5,000/) });
  });

  it("replies in place in DMs and in existing threads", async () => {
    const h = await start();
    const dm = h.fake.deliverMessage({
      channel_id: DM_CHANNEL_ID,
      guild_id: null,
      content: "Who uses KubeVirt?",
    });
    const inThread = h.fake.deliverMessage({
      channel_id: THREAD_CHANNEL_ID,
      content: mention("Who uses KubeVirt?"),
    });
    await until(() => h.adapter.stats.messagesAnswered === 2, "both answered");
    expect(postsTo(h, DM_CHANNEL_ID)[0]?.body).toMatchObject({
      message_reference: { message_id: dm.data.id },
    });
    expect(postsTo(h, THREAD_CHANNEL_ID)[0]?.body).toMatchObject({
      message_reference: { message_id: inThread.data.id },
      allowed_mentions: { parse: [], replied_user: false },
    });
    expect(h.fake.callsMatching("POST", /\/threads$/)).toEqual([]);
    expect(await h.memory.get(`discord:dm:${DM_CHANNEL_ID}:-`)).toHaveLength(1);
    expect(await h.memory.get(`discord:${GUILD_ID}:${TEXT_CHANNEL_ID}:${THREAD_CHANNEL_ID}`)).toHaveLength(1);
  });

  it("never answers itself or other bots, and ignores what is not addressed to it", async () => {
    const h = await start();
    const otherBot = makeUser({ id: "1180000000000000200", username: "otherbot", bot: true });
    h.fake.deliverMessage({ author: BOT_USER, content: mention("Who uses KubeVirt?") });
    h.fake.deliverMessage({ author: otherBot, content: mention("Who uses KubeVirt?") });
    h.fake.deliverMessage({ content: "just chatting about KubeVirt" });
    await until(() => h.adapter.stats.ignoredMessages === 3, "three ignored");
    // The bot's own answers come back over the gateway too (in its own thread): they are ignored.
    const { data } = h.fake.deliverMessage({ content: mention("Who uses KubeVirt?") });
    await until(() => h.adapter.stats.messagesAnswered === 1, "human answered");
    await until(() => h.adapter.stats.ignoredMessages >= 4, "own echo ignored");
    expect(h.fake.callsMatching("POST", /\/threads$/).map((c) => c.path)).toEqual([
      `/channels/${TEXT_CHANNEL_ID}/messages/${data.id}/threads`,
    ]);
    expect(postsTo(h, data.id)).toHaveLength(1);
  });

  it("answers a replayed message once", async () => {
    const h = await start({ fake: { heartbeatIntervalMs: 200 } });
    const { data, seq } = h.fake.deliverMessage({ content: mention("Who uses KubeVirt?") });
    await until(() => h.adapter.stats.messagesAnswered === 1, "answered");
    // discord.js drops a repeat of a message it still caches; evict it so the replay reaches the adapter,
    // as it would for a message older than the cache.
    const client = h.adapter.gateway?.client;
    const channel = client?.channels.cache.get(TEXT_CHANNEL_ID);
    if (channel?.isTextBased()) channel.messages.cache.delete(data.id);
    h.fake.replay(seq ?? 0);
    await until(() => h.adapter.stats.duplicates === 1, "replay ignored");
    if (channel?.isTextBased()) channel.messages.cache.delete(data.id);
    h.fake.forceReconnect({ replayFrom: (seq ?? 1) - 1 });
    await h.fake.waitForResumed();
    await until(() => h.adapter.stats.duplicates === 2, "resume replay ignored");
    expect(h.fake.callsMatching("POST", /\/threads$/)).toHaveLength(1);
    expect(h.adapter.stats.messagesAnswered).toBe(1);
  });

  it("splits a 40,000-character answer into messages within Discord's limits", async () => {
    const text = Array.from({ length: 1000 }, (_, i) => `Point ${i}: KubeVirt https://kubevirt.io/${i} @here`)
      .join("\n")
      .slice(0, 40_000);
    const h = await start({ answerer: answerWith(text) });
    const { data } = h.fake.deliverMessage({ content: mention("Who uses KubeVirt?") });
    await until(() => h.adapter.stats.messagesAnswered === 1, "answered");
    const posts = postsTo(h, data.id);
    expect(posts.length).toBeGreaterThanOrEqual(20);
    for (const post of posts) {
      expect(post.status).toBe(200);
      const body = sentMessage(post) as { content?: string; flags?: number; embeds?: unknown[] };
      expect([...(body.content ?? "")].length).toBeLessThanOrEqual(2000);
      // Text-only messages with links suppress previews; links are wrapped anyway.
      if (body.content && !body.embeds?.length) expect((body.flags ?? 0) & 4).toBe(4);
    }
    expect(posts.at(-1)?.body).toMatchObject({ embeds: [expect.objectContaining({ title: "Sources" })] });
  });

  it("answers in the channel when it may not start a thread", async () => {
    const h = await start();
    h.fake.failNext("POST", /\/threads$/, { status: 403 });
    const { data } = h.fake.deliverMessage({ content: mention("Who uses KubeVirt?") });
    await until(() => h.adapter.stats.messagesAnswered === 1, "answered");
    expect(postsTo(h, TEXT_CHANNEL_ID)[0]?.body).toMatchObject({
      message_reference: { message_id: data.id },
    });
  });

  it("apologises in the thread when Discord refuses the answer", async () => {
    const h = await start();
    const { data } = h.fake.deliverMessage({ content: mention("Who uses KubeVirt?") });
    h.fake.failNext("POST", new RegExp(`^/channels/${data.id}/messages$`), { status: 500 });
    await until(() => h.adapter.stats.failures === 1, "failure handled");
    await until(() => postsTo(h, data.id).length === 2, "apology sent");
    expect(postsTo(h, data.id).map((c) => c.status)).toEqual([500, 200]);
    expect(postsTo(h, data.id)[1]?.body).toMatchObject({ content: expect.stringMatching(/^Sorry/) });
  });
});
