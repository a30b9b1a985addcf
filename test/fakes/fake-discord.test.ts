/**
 * Self-test of the fake Discord, driven by the real discord.js client: if these pass, adapter e2e tests can
 * trust that what works against the fake is what discord.js actually sends and accepts.
 */
import {
  type ChatInputCommandInteraction,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  HTTPError,
  type Interaction,
  type Message,
  Partials,
  Routes,
} from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  APP_ID,
  BOT_USER_ID,
  DM_CHANNEL_ID,
  FAKE_TOKEN,
  FakeDiscord,
  type FakeDiscordOptions,
  GUILD_ID,
  HUMAN_USER_ID,
  TEXT_CHANNEL_ID,
  THREAD_CHANNEL_ID,
} from "./fake-discord.js";

const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];

let fake: FakeDiscord;
let client: Client | null = null;

async function startFake(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  await fake.close();
  fake = await new FakeDiscord(options).start();
  return fake;
}

/** Logs a real discord.js client in against the fake and waits for clientReady (guilds received). */
async function login(intents: GatewayIntentBits[] = INTENTS): Promise<Client> {
  const c = new Client({ intents, rest: { api: fake.restUrl, retries: 0 } });
  client = c;
  const ready = new Promise<void>((resolve) => c.once(Events.ClientReady, () => resolve()));
  await c.login(FAKE_TOKEN);
  await ready;
  return c;
}

/** A promise plus its resolvers, so event handlers can report back (and failures do not go unhandled). */
function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function onChatInput(
  c: Client,
  handler: (interaction: ChatInputCommandInteraction) => Promise<void>,
): Promise<void> {
  const done = deferred<void>();
  c.on(Events.InteractionCreate, (interaction: Interaction) => {
    if (!interaction.isChatInputCommand()) return;
    handler(interaction).then(done.resolve, done.reject);
  });
  return done.promise;
}

async function expectApiError(promise: Promise<unknown>): Promise<DiscordAPIError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiscordAPIError);
  return error as DiscordAPIError;
}

beforeEach(async () => {
  fake = await new FakeDiscord().start();
});

afterEach(async () => {
  // Unrouted requests, wrong API versions, compression requests... would mean the fake is not what discord.js
  // talks to in production.
  const errors = [...fake.protocolErrors];
  await client?.destroy();
  client = null;
  await fake.close();
  expect(errors).toEqual([]);
});

describe("FakeDiscord with the real discord.js", () => {
  it("logs in: gateway/bot, IDENTIFY with the asked intents, READY + GUILD_CREATE fill the caches", async () => {
    const c = await login();
    expect(c.user?.id).toBe(BOT_USER_ID);
    expect(c.application?.id).toBe(APP_ID);
    const guild = c.guilds.cache.get(GUILD_ID);
    expect(guild?.available).toBe(true);
    expect(c.channels.cache.get(TEXT_CHANNEL_ID)?.isTextBased()).toBe(true);
    expect(c.channels.cache.get(THREAD_CHANNEL_ID)?.isThread()).toBe(true);
    expect(guild?.members.me?.id).toBe(BOT_USER_ID);
    await c.application?.fetch(); // GET /applications/@me
    expect(c.application?.name).toBe("Spotlight");

    expect(fake.identifies).toHaveLength(1);
    expect(fake.identifies[0]?.compress).toBe(false);
    expect(fake.identifies[0]?.intents).toBe(
      GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.DirectMessages,
    );
    const [gateway] = await fake.waitForCalls("GET", /^\/gateway\/bot$/);
    expect(gateway?.headers.authorization).toBe(`Bot ${FAKE_TOKEN}`);
    expect(fake.protocolErrors).toEqual([]);
  });

  it("rejects a wrong token on REST with 401 (discord.js reports TokenInvalid)", async () => {
    const c = new Client({ intents: INTENTS, rest: { api: fake.restUrl, retries: 0 } });
    client = c;
    await expect(c.login("wrong-token")).rejects.toThrow(/invalid token/i);
  });

  it("delivers a slash command; deferReply + editReply are recorded as callback type 5 and PATCH @original", async () => {
    const c = await login();
    const handled = onChatInput(c, async (interaction) => {
      expect(interaction.commandName).toBe("ask");
      expect(interaction.options.getString("question")).toBe("what is a pod?");
      expect(interaction.user.id).toBe(HUMAN_USER_ID);
      expect(interaction.memberPermissions?.has("Administrator")).toBe(true);
      await interaction.deferReply();
      await interaction.editReply("done");
      const followUp = await interaction.followUp("more");
      expect(followUp.content).toBe("more");
    });
    const { data } = fake.deliverInteraction(
      fake.chatInputInteraction({
        data: { name: "ask", options: [{ name: "question", type: 3, value: "what is a pod?" }] },
        member: { permissions: String(1n << 3n) }, // Administrator
      }),
    );
    await handled;

    const [callback] = fake.callsMatching("POST", /^\/interactions\/\d+\/[^/]+\/callback$/);
    expect(callback?.path).toBe(`/interactions/${data.id}/${data.token}/callback`);
    expect(callback?.body).toMatchObject({ type: 5 });
    expect(callback?.status).toBe(204);
    expect(callback?.headers.authorization).toBeUndefined();
    const [edit] = fake.callsMatching("PATCH", /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/);
    expect(edit?.path).toBe(`/webhooks/${APP_ID}/${data.token}/messages/@original`);
    expect(edit?.body).toMatchObject({ content: "done" });

    const state = fake.interaction(data.id);
    expect(state?.responseType).toBe(5);
    const original = fake.getMessage(state?.originalMessageId ?? "");
    expect(original?.content).toBe("done");
    expect((original?.flags ?? 0) & (1 << 7)).toBe(0); // no longer "thinking"
    const [followUp] = fake.callsMatching("POST", /^\/webhooks\/\d+\/[^/]+$/);
    expect(followUp?.query.wait).toBe("true");
    expect(state?.messageIds).toHaveLength(2);
  });

  it("answers with_response=true callbacks with an interaction callback response", async () => {
    const c = await login();
    const handled = onChatInput(c, async (interaction) => {
      const response = await interaction.reply({ content: "hi", withResponse: true });
      expect(response.resource?.message?.content).toBe("hi");
      expect(response.interaction.responseMessageId).toBe(response.resource?.message?.id);
    });
    fake.deliverInteraction(fake.chatInputInteraction({ data: { name: "ask" } }));
    await handled;
    const [callback] = fake.callsMatching("POST", /\/callback$/);
    expect(callback?.query.with_response).toBe("true");
    expect(callback?.status).toBe(200);
  });

  it("enforces the ack rules: a second ack is 40060, a late ack is 10062", async () => {
    await startFake({ interactionAckTimeoutMs: 250 });
    const c = await login();
    const results: unknown[] = [];
    const done = deferred<void>();
    c.on(Events.InteractionCreate, (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const run = async (): Promise<void> => {
        if (interaction.commandName === "late") await new Promise((r) => setTimeout(r, 350));
        else await interaction.reply("first");
        // Bypass discord.js' own "already replied" guard to hit the API like a buggy adapter would.
        await c.rest
          .post(Routes.interactionCallback(interaction.id, interaction.token), {
            body: { type: 4, data: { content: "again" } },
            auth: false,
          })
          .catch((e: unknown) => results.push(e));
      };
      run().then(() => (results.length === 2 ? done.resolve() : undefined), done.reject);
    });
    fake.deliverInteraction(fake.chatInputInteraction({ data: { name: "twice" } }));
    fake.deliverInteraction(fake.chatInputInteraction({ data: { name: "late" } }));
    await done.promise;
    const codes = results.map((e) => (e instanceof DiscordAPIError ? e.code : e)).sort();
    expect(codes).toEqual([10062, 40060]);
  });

  it("handles autocomplete (type 8) and button updates (type 7)", async () => {
    const c = await login();
    const done = deferred<void>();
    let pending = 2;
    c.on(Events.InteractionCreate, (interaction) => {
      const run = async (): Promise<void> => {
        if (interaction.isAutocomplete()) {
          expect(interaction.options.getFocused()).toBe("kub");
          await interaction.respond([{ name: "kubernetes", value: "kubernetes" }]);
        } else if (interaction.isButton()) {
          expect(interaction.customId).toBe("more:1");
          await interaction.update({ content: "expanded", components: [] });
        }
      };
      run().then(() => (--pending === 0 ? done.resolve() : undefined), done.reject);
    });
    fake.deliverInteraction(
      fake.autocompleteInteraction({ data: { name: "ask" }, focused: { name: "project", value: "kub" } }),
    );
    const { data: button } = fake.deliverInteraction(fake.buttonInteraction({ custom_id: "more:1" }));
    await done.promise;

    const types = fake.callsMatching("POST", /\/callback$/).map((call) => call.body);
    expect(types).toContainEqual({
      type: 8,
      data: { choices: [{ name: "kubernetes", value: "kubernetes" }] },
    });
    expect(types).toContainEqual(expect.objectContaining({ type: 7 }));
    expect(fake.getMessage(button.message.id)?.content).toBe("expanded");
  });

  it("delivers a mention, then message.startThread + thread.send are recorded (thread id = message id)", async () => {
    const c = await login();
    const done = deferred<Message>();
    c.on(Events.MessageCreate, (message) => {
      if (message.author.id === BOT_USER_ID) return; // Discord echoes the bot's own messages
      const run = async (): Promise<Message> => {
        expect(message.mentions.users.has(BOT_USER_ID)).toBe(true);
        const thread = await message.startThread({ name: "what is a pod?" });
        expect(thread.parentId).toBe(TEXT_CHANNEL_ID);
        return thread.send("A pod is the smallest deployable unit.");
      };
      run().then(done.resolve, done.reject);
    });
    const { data } = fake.deliverMessage({ content: `<@${BOT_USER_ID}> what is a pod?` });
    const sent = await done.promise;

    const [create] = await fake.waitForCalls("POST", /^\/channels\/\d+\/messages\/\d+\/threads$/);
    expect(create?.path).toBe(`/channels/${TEXT_CHANNEL_ID}/messages/${data.id}/threads`);
    expect(create?.body).toMatchObject({ name: "what is a pod?" });
    const [post] = await fake.waitForCalls("POST", new RegExp(`^/channels/${data.id}/messages$`));
    expect(post?.body).toMatchObject({ content: "A pod is the smallest deployable unit." });
    expect(sent.channelId).toBe(data.id);
    expect(c.channels.cache.get(data.id)?.isThread()).toBe(true);
    expect(fake.getChannel(data.id)).toMatchObject({ type: 11, parent_id: TEXT_CHANNEL_ID });
  });

  it("blanks guild message content without the MessageContent intent unless the bot is mentioned", async () => {
    const c = await login();
    const seen: string[] = [];
    const done = deferred<void>();
    c.on(Events.MessageCreate, (message) => {
      seen.push(message.content);
      if (seen.length === 2) done.resolve();
    });
    fake.deliverMessage({ content: "no mention here" });
    fake.deliverMessage({ content: `<@${BOT_USER_ID}> hello` });
    await done.promise;
    expect(seen).toEqual(["", `<@${BOT_USER_ID}> hello`]);
  });

  it("delivers DMs (needs Partials.Channel) and DM slash commands; replies carry message_reference", async () => {
    const c = new Client({
      intents: INTENTS,
      partials: [Partials.Channel],
      rest: { api: fake.restUrl, retries: 0 },
    });
    client = c;
    const ready = new Promise<void>((resolve) => c.once(Events.ClientReady, () => resolve()));
    await c.login(FAKE_TOKEN);
    await ready;
    const done = deferred<void>();
    let pending = 2;
    const finish = (): void => {
      if (--pending === 0) done.resolve();
    };
    // Assertions run inside promises so a failure rejects `done` instead of throwing into discord.js.
    c.on(Events.MessageCreate, (message) => {
      if (message.author.bot) return;
      const run = async (): Promise<void> => {
        expect(message.guildId).toBeNull();
        expect(message.content).toBe("hi bot"); // DMs carry content without MessageContent
        await message.reply("hello");
      };
      run().then(finish, done.reject);
    });
    c.on(Events.InteractionCreate, (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      const run = async (): Promise<void> => {
        expect(interaction.guildId).toBeNull();
        expect(interaction.user.id).toBe(HUMAN_USER_ID);
        await interaction.reply("dm answer");
      };
      run().then(finish, done.reject);
    });
    const { data } = fake.deliverMessage({ channel_id: DM_CHANNEL_ID, guild_id: null, content: "hi bot" });
    fake.deliverInteraction(
      fake.chatInputInteraction({ channel_id: DM_CHANNEL_ID, guild_id: null, data: { name: "ask" } }),
    );
    await done.promise;
    const [reply] = fake.callsMatching("POST", new RegExp(`^/channels/${DM_CHANNEL_ID}/messages$`));
    expect(reply?.body).toMatchObject({ content: "hello", message_reference: { message_id: data.id } });
  });

  it("waitForCalls rejects with what was recorded", async () => {
    await login();
    await expect(fake.waitForCalls("DELETE", /^\/nothing$/, 1, 50)).rejects.toThrow(
      /Recorded: GET \/gateway\/bot → 200/,
    );
  });

  it("records application command registration", async () => {
    const c = await login();
    const body = [
      {
        name: "ask",
        description: "Ask a question",
        options: [{ name: "question", description: "The question", type: 3, required: true }],
      },
    ];
    const result = await c.rest.put(Routes.applicationGuildCommands(APP_ID, GUILD_ID), { body });
    expect(result).toEqual([
      expect.objectContaining({ name: "ask", id: expect.any(String), guild_id: GUILD_ID }),
    ]);
    const [put] = fake.callsMatching("PUT", /^\/applications\/\d+\/guilds\/\d+\/commands$/);
    expect(put?.body).toEqual(body);
    expect(fake.guildCommands().map((command) => command.name)).toEqual(["ask"]);

    // The discord.js manager path (what an adapter would likely use) goes through the same route.
    const set = await c.application?.commands.set(
      [{ name: "explain", description: "Explain a term" }],
      GUILD_ID,
    );
    expect(set?.map((command) => command.name)).toEqual(["explain"]);
    expect(fake.guildCommands().map((command) => command.name)).toEqual(["explain"]);

    const bad = await expectApiError(
      c.rest.put(Routes.applicationCommands(APP_ID), { body: [{ name: "Ask", description: "x" }] }),
    );
    expect(bad.code).toBe(50035);
  });

  it("enforces message limits with Discord's error shape", async () => {
    const c = await login();
    const channel = c.channels.cache.get(TEXT_CHANNEL_ID);
    if (!channel?.isSendable()) throw new Error("text channel not sendable");

    await channel.send("x".repeat(2000));
    const tooLong = await expectApiError(channel.send("x".repeat(2001)));
    expect(tooLong.status).toBe(400);
    expect(tooLong.code).toBe(50035);
    expect(tooLong.rawError).toMatchObject({
      message: "Invalid Form Body",
      errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } },
    });

    const tooMany = await expectApiError(
      channel.send({ embeds: Array.from({ length: 11 }, () => ({ title: "t" })) }),
    );
    expect(tooMany.rawError).toMatchObject({
      errors: { embeds: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } },
    });
    const longDescription = await expectApiError(
      channel.send({ embeds: [{ description: "d".repeat(4097) }] }),
    );
    expect(longDescription.rawError).toMatchObject({ errors: { embeds: { 0: { description: {} } } } });
    const tooBig = await expectApiError(
      channel.send({ embeds: [{ description: "d".repeat(4000) }, { description: "d".repeat(2001) }] }),
    );
    expect(tooBig.rawError).toMatchObject({
      errors: { embeds: { _errors: [{ code: "MAX_EMBED_SIZE_EXCEEDED" }] } },
    });
    const empty = await expectApiError(channel.send({ content: "   " }));
    expect(empty.code).toBe(50006);
  });

  it("scripts failures: a 429 is retried by discord.js, a 500 surfaces as HTTPError", async () => {
    const c = await login();
    const channel = c.channels.cache.get(TEXT_CHANNEL_ID);
    if (!channel?.isSendable()) throw new Error("text channel not sendable");

    fake.failNext("POST", /^\/channels\/\d+\/messages$/, { status: 429, retryAfter: 0.05 });
    const sent = await channel.send("after rate limit");
    expect(sent.content).toBe("after rate limit");
    const posts = fake.callsMatching("POST", /^\/channels\/\d+\/messages$/);
    expect(posts.map((call) => call.status)).toEqual([429, 200]);
    expect(posts[0]?.response).toMatchObject({ retry_after: 0.05, global: false });

    fake.failNext("POST", /^\/channels\/\d+\/messages$/, { status: 500 });
    await expect(channel.send("boom")).rejects.toBeInstanceOf(HTTPError);
  });

  it("sends typing (204 without a JSON content type) and parses multipart uploads", async () => {
    const c = await login();
    const channel = c.channels.cache.get(TEXT_CHANNEL_ID);
    if (!channel?.isSendable()) throw new Error("text channel not sendable");
    await channel.sendTyping();
    expect(fake.callsMatching("POST", /\/typing$/).map((call) => call.status)).toEqual([204]);

    const sent = await channel.send({
      content: "see file",
      files: [{ attachment: Buffer.from("hello"), name: "answer.txt" }],
    });
    expect(sent.attachments.first()?.name).toBe("answer.txt");
    const [upload] = fake.callsMatching("POST", /^\/channels\/\d+\/messages$/);
    expect(upload?.body).toMatchObject({ content: "see file" });
    expect(upload?.files.map((f) => [f.filename, f.data.toString()])).toEqual([["answer.txt", "hello"]]);
  });

  it("redelivers dispatches: replay(seq) and a RESUME that replays from an earlier seq", async () => {
    await startFake({ heartbeatIntervalMs: 100 });
    const c = await login();
    const seen: string[] = [];
    let resumed = 0;
    c.on(Events.ShardResume, () => resumed++);
    c.on(Events.InteractionCreate, (interaction) => {
      seen.push(interaction.id);
    });
    const { data, seq } = fake.deliverInteraction(fake.chatInputInteraction({ data: { name: "ask" } }));
    expect(seq).not.toBeNull();
    await expect.poll(() => seen.length).toBe(1);

    fake.replay(seq ?? 0);
    await expect.poll(() => seen.length).toBe(2);

    fake.forceReconnect({ replayFrom: (seq ?? 1) - 1 });
    await fake.waitForResumed();
    await expect.poll(() => seen.length).toBe(3);
    expect(seen).toEqual([data.id, data.id, data.id]);
    expect(fake.resumes[0]).toMatchObject({ replayed: 1 });
    expect(fake.identifies).toHaveLength(1); // resumed, not re-identified
    expect(fake.gatewayConnects).toEqual(["/?v=10&encoding=json", "/resume?v=10&encoding=json"]);
    await expect.poll(() => resumed).toBe(1);
    await expect.poll(() => fake.heartbeats).toBeGreaterThan(0);
    expect(fake.protocolErrors).toEqual([]);
  });

  it("after a server-side disconnect, the client resumes and gets what was dispatched meanwhile", async () => {
    const c = await login();
    const seen: string[] = [];
    c.on(Events.InteractionCreate, (interaction) => {
      seen.push(interaction.id);
    });
    fake.disconnect(4000);
    // Dispatched while no socket is open: logged in the session and replayed on RESUME, as Discord does.
    const { data } = fake.deliverInteraction(fake.chatInputInteraction({ data: { name: "ask" } }));
    await fake.waitForResumed();
    await expect.poll(() => seen).toEqual([data.id]);
    expect(fake.resumes[0]).toMatchObject({ replayed: 1 });
  });
});
