import {
  type AutocompleteInteraction,
  ChannelType,
  Client,
  type ClientOptions,
  Events,
  GatewayIntentBits,
  type Interaction,
  type InteractionReplyOptions,
  type Message,
  type MessageCreateOptions,
  type MessageEditOptions,
  MessageFlags,
  type MessageMentionOptions,
  Partials,
  type RepliableInteraction,
  type SendableChannels,
  ThreadAutoArchiveDuration,
} from "discord.js";
import type { DiscordConfig } from "../../config.js";
import type { Bot } from "../../core/bot.js";
import type { Deduplicator } from "../../core/dedupe.js";
import { BotError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { Reply } from "../../core/types.js";
import {
  conversationId,
  DEDUPE_TTL_MS,
  type DiscordPlace,
  dedupeKey,
  stripBotMention,
  threadName,
} from "./conversation.js";
import {
  type DiscordStats,
  type DiscordTiming,
  type IncomingInteraction,
  type InteractionHandler,
  type InteractionResponder,
  isAnswer,
} from "./interaction-flow.js";
import { errorFields } from "./log-fields.js";
import { type DiscordMessage, renderApology, renderReply } from "./render.js";

/** Pings nobody: not @everyone, roles or users, and not the author of a message replied to. */
export const NO_MENTIONS: MessageMentionOptions = { parse: [], repliedUser: false };

/** Threads the bot started, remembered so follow-ups there need no mention. Bounded. */
const MAX_REMEMBERED_THREADS = 10_000;

function flagsOf(
  message: DiscordMessage,
  ephemeral: boolean,
): (MessageFlags.SuppressEmbeds | MessageFlags.Ephemeral)[] {
  const flags: (MessageFlags.SuppressEmbeds | MessageFlags.Ephemeral)[] = [];
  if (message.suppressEmbeds) flags.push(MessageFlags.SuppressEmbeds);
  if (ephemeral) flags.push(MessageFlags.Ephemeral);
  return flags;
}

function createOptions(message: DiscordMessage): MessageCreateOptions {
  return {
    ...(message.content ? { content: message.content } : {}),
    embeds: message.embeds,
    components: message.components,
    allowedMentions: NO_MENTIONS,
    flags: message.suppressEmbeds ? [MessageFlags.SuppressEmbeds] : [],
  };
}

function replyOptions(message: DiscordMessage, ephemeral: boolean): InteractionReplyOptions {
  return {
    ...(message.content ? { content: message.content } : {}),
    embeds: message.embeds,
    components: message.components,
    allowedMentions: NO_MENTIONS,
    flags: flagsOf(message, ephemeral),
  };
}

function editOptions(message: DiscordMessage): MessageEditOptions {
  return {
    // An empty string clears the "thinking…" or progress text when the answer is embeds only.
    content: message.content,
    embeds: message.embeds,
    components: message.components,
    allowedMentions: NO_MENTIONS,
    // Always explicit: a progress edit may have set SUPPRESS_EMBEDS, which the final embeds must clear.
    flags: message.suppressEmbeds ? [MessageFlags.SuppressEmbeds] : [],
  };
}

/** The discord.js side of an interaction: deferReply, reply, editReply, followUp, respond. */
class GatewayResponder implements InteractionResponder {
  constructor(private readonly interaction: RepliableInteraction | AutocompleteInteraction) {}

  private repliable(): RepliableInteraction {
    if (this.interaction.isAutocomplete())
      throw new Error("an autocomplete interaction cannot be replied to");
    return this.interaction;
  }

  async defer({ ephemeral }: { ephemeral: boolean }): Promise<void> {
    await this.repliable().deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  }

  async reply(message: DiscordMessage, { ephemeral }: { ephemeral: boolean }): Promise<void> {
    await this.repliable().reply(replyOptions(message, ephemeral));
  }

  async editOriginal(message: DiscordMessage): Promise<void> {
    await this.repliable().editReply(editOptions(message));
  }

  async followUp(message: DiscordMessage, { ephemeral }: { ephemeral: boolean }): Promise<void> {
    await this.repliable().followUp(replyOptions(message, ephemeral));
  }

  async autocomplete(choices: { name: string; value: string }[]): Promise<void> {
    if (!this.interaction.isAutocomplete()) throw new Error("not an autocomplete interaction");
    await this.interaction.respond(choices);
  }

  async acknowledge(): Promise<void> {
    const interaction = this.repliable();
    if (!interaction.isMessageComponent()) throw new Error("only components can be acknowledged silently");
    await interaction.deferUpdate();
  }
}

function placeOf(interaction: Interaction): DiscordPlace {
  const channel = interaction.channel;
  return {
    guildId: interaction.guildId,
    channelId: interaction.channelId ?? "",
    threadParentId: channel?.isThread() ? channel.parentId : null,
  };
}

/** discord.js interaction → the handler's neutral form. */
export function fromDiscordJs(interaction: Interaction): IncomingInteraction {
  if (interaction.isChatInputCommand()) {
    const options: Record<string, string | number | boolean> = {};
    for (const option of interaction.options.data) {
      if (option.value !== undefined && option.value !== null) options[option.name] = option.value;
    }
    return {
      kind: "command",
      id: interaction.id,
      name: interaction.commandName,
      options,
      userId: interaction.user.id,
      place: placeOf(interaction),
    };
  }
  if (interaction.isAutocomplete()) {
    const focused = interaction.options.getFocused(true);
    return {
      kind: "autocomplete",
      id: interaction.id,
      name: interaction.commandName,
      focused: { name: focused.name, value: String(focused.value) },
    };
  }
  if (interaction.isButton()) {
    return {
      kind: "button",
      id: interaction.id,
      customId: interaction.customId,
      messageId: interaction.message.id,
      userId: interaction.user.id,
    };
  }
  return { kind: "other", id: interaction.id };
}

export interface GatewayDeps {
  bot: Bot;
  interactions: InteractionHandler;
  dedupe: Deduplicator;
  logger: Logger;
  timing: DiscordTiming;
  stats: DiscordStats;
  signal: AbortSignal;
  /** Tracks work in progress so stop() can wait for it. */
  track: (work: Promise<void>) => void;
  /** discord.js options merged over the defaults (tests: `rest: { retries: 0 }`). */
  clientOptions?: Partial<ClientOptions>;
  readyTimeoutMs?: number;
}

/** Repeats the typing indicator until stopped (Discord shows it for about 10 s per call). */
function keepTyping(channel: SendableChannels, everyMs: number, log: Logger): () => void {
  const type = (): void => {
    channel
      .sendTyping()
      .catch((error: unknown) => log.debug({ err: errorFields(error) }, "typing indicator failed"));
  };
  type();
  const timer = setInterval(type, everyMs);
  return () => clearInterval(timer);
}

/** Login failures that mean a setting is wrong are reported as such, naming the setting. */
function loginError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  if (code === "TokenInvalid" || /invalid token|authentication failed/i.test(message)) {
    return new BotError("bad-config", "DISCORD_TOKEN: Discord refused the bot token (Bot → Reset Token)", {
      cause: error,
    });
  }
  if (/disallowed intents/i.test(message)) {
    return new BotError(
      "bad-config",
      "DISCORD_MESSAGE_CONTENT: the Message Content intent is not enabled for this application (Bot → Privileged Gateway Intents), or set DISCORD_MESSAGE_CONTENT=false",
      { cause: error },
    );
  }
  return new BotError("internal", `Discord gateway login failed: ${message}`, { cause: error });
}

/**
 * The gateway side: slash commands, autocomplete and buttons through discord.js interactions, and
 * mentions answered in threads (guild text channels) or as replies (DMs, existing threads).
 */
export class DiscordGateway {
  readonly client: Client;
  private readonly ownThreads = new Set<string>();
  private readonly log: Logger;
  private accepting = true;

  constructor(
    private readonly config: DiscordConfig,
    private readonly deps: GatewayDeps,
  ) {
    this.log = deps.logger;
    const intents = [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.DirectMessages,
    ];
    // Privileged: without it guild messages arrive blank unless they mention the bot, which is enough
    // for mentions; with it, follow-ups in the bot's threads need no mention.
    if (config.messageContent) intents.push(GatewayIntentBits.MessageContent);
    const overrides = deps.clientOptions ?? {};
    this.client = new Client({
      intents,
      // DM channels are not cached before their first message; without this DMs never arrive.
      partials: [Partials.Channel],
      allowedMentions: NO_MENTIONS,
      ...overrides,
      rest: { ...(config.apiUrl ? { api: config.apiUrl } : {}), ...overrides.rest },
    });
    this.client.on(Events.InteractionCreate, (interaction) => {
      if (!this.accepting || (!interaction.isRepliable() && !interaction.isAutocomplete())) return;
      deps.track(deps.interactions.handle(fromDiscordJs(interaction), new GatewayResponder(interaction)));
    });
    this.client.on(Events.MessageCreate, (message) => {
      const work = this.onMessage(message);
      if (work) deps.track(work);
    });
    this.client.on(Events.Error, (error) =>
      this.log.error({ err: errorFields(error) }, "discord client error"),
    );
    this.client.on(Events.ShardResume, (shard, replayed) =>
      this.log.info({ shard, replayed }, "discord gateway resumed"),
    );
    this.client.on(Events.ShardDisconnect, (event, shard) =>
      this.log.warn({ shard, code: event.code }, "discord gateway disconnected"),
    );
  }

  /** Logs in and resolves once the guilds are cached (clientReady). */
  async start(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new BotError("internal", "Discord gateway: no READY within the timeout")),
        this.deps.readyTimeoutMs ?? 60_000,
      );
      this.client.once(Events.ClientReady, () => resolve());
    });
    // A failed login never awaits `ready`; its rejection must not surface as unhandled.
    ready.catch(() => undefined);
    try {
      await this.client.login(this.config.token);
      await ready;
    } catch (error) {
      await this.client.destroy();
      throw loginError(error);
    } finally {
      clearTimeout(timer);
    }
    this.log.info(
      { user: this.client.user?.id, guilds: this.client.guilds.cache.size },
      "discord gateway ready",
    );
  }

  get ready(): boolean {
    return this.client.isReady();
  }

  /** Stops taking new events, so stopping only waits for answers already in progress. */
  pause(): void {
    this.accepting = false;
  }

  async stop(): Promise<void> {
    this.accepting = false;
    await this.client.destroy();
  }

  /** Decides synchronously whether to answer, so ignored messages cost nothing. */
  private onMessage(message: Message): Promise<void> | undefined {
    const botId = this.client.user?.id;
    const { stats } = this.deps;
    // Never itself (Discord echoes the bot's own messages), other bots, webhooks or system messages.
    if (
      !this.accepting ||
      !botId ||
      message.author.id === botId ||
      message.author.bot ||
      message.webhookId ||
      message.system
    ) {
      stats.ignoredMessages++;
      return undefined;
    }
    const channel = message.channel;
    const mentioned = message.mentions.users.has(botId);
    const inOwnThread = channel.isThread() && (this.ownThreads.has(channel.id) || channel.ownerId === botId);
    const question = stripBotMention(message.content, botId);
    // Unaddressed messages, and follow-ups that arrive blank (no Message Content intent), are not for us.
    if ((!mentioned && message.guildId !== null && !inOwnThread) || (!mentioned && !question)) {
      stats.ignoredMessages++;
      return undefined;
    }
    return this.answerMessage(message, question);
  }

  private async answerMessage(message: Message, question: string): Promise<void> {
    const { bot, dedupe, stats, timing, signal } = this.deps;
    const log = this.log.child({ messageId: message.id });
    if (!(await dedupe.claim(dedupeKey.message(message.id), DEDUPE_TTL_MS).catch(() => true))) {
      stats.duplicates++;
      bot.metrics.dedupeHit("discord");
      log.debug({}, "duplicate message ignored");
      return;
    }
    let target: SendableChannels | undefined;
    let replyTo: Message | undefined = message;
    let language: Reply["language"] = "en";
    try {
      const where = await this.placeFor(message, question);
      target = where.target;
      replyTo = where.replyTo;
      const stopTyping = keepTyping(target, timing.typingIntervalMs, log);
      let reply: Reply;
      try {
        reply = await bot.handle(
          {
            kind: "question",
            platform: "discord",
            conversationId: where.conversationId,
            userId: message.author.id,
            text: question,
            requestId: message.id,
          },
          { signal },
        );
      } finally {
        stopTyping();
      }
      language = reply.language ?? "en";
      const messages = renderReply(reply, isAnswer(reply) ? { feedbackFor: where.conversationId } : {});
      await this.send(target, replyTo, messages);
      stats.messagesAnswered++;
    } catch (error) {
      stats.failures++;
      log.error({ err: errorFields(error) }, "answering a mention failed");
      const channel = target ?? (message.channel.isSendable() ? message.channel : undefined);
      if (channel) {
        await this.send(channel, replyTo, [renderApology(language)]).catch((e: unknown) =>
          log.warn({ err: errorFields(e) }, "could not send the apology"),
        );
      }
    }
  }

  /** Guild text channels: a new thread from the message. DMs and threads: a reply in place. */
  private async placeFor(
    message: Message,
    question: string,
  ): Promise<{ target: SendableChannels; replyTo: Message | undefined; conversationId: string }> {
    const channel = message.channel;
    if (!channel.isSendable()) throw new Error(`channel ${channel.id} is not sendable`);
    const place: DiscordPlace = {
      guildId: message.guildId,
      channelId: channel.id,
      threadParentId: channel.isThread() ? channel.parentId : null,
    };
    const threadable =
      channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement;
    if (message.guildId !== null && threadable && !message.hasThread) {
      try {
        const thread = await message.startThread({
          name: threadName(question),
          autoArchiveDuration: ThreadAutoArchiveDuration.OneDay,
        });
        this.rememberThread(thread.id);
        const inThread: DiscordPlace = {
          guildId: message.guildId,
          channelId: thread.id,
          threadParentId: channel.id,
        };
        return { target: thread, replyTo: undefined, conversationId: conversationId(inThread, message.id) };
      } catch (error) {
        // Missing "Create Public Threads" permission and the like: answer in the channel instead.
        this.log.warn(
          { err: errorFields(error), channelId: channel.id },
          "could not start a thread; replying in the channel",
        );
      }
    }
    return { target: channel, replyTo: message, conversationId: conversationId(place, message.id) };
  }

  private rememberThread(id: string): void {
    this.ownThreads.add(id);
    if (this.ownThreads.size > MAX_REMEMBERED_THREADS) {
      const oldest = this.ownThreads.values().next().value;
      if (oldest !== undefined) this.ownThreads.delete(oldest);
    }
  }

  private async send(
    target: SendableChannels,
    replyTo: Message | undefined,
    messages: DiscordMessage[],
  ): Promise<void> {
    for (const [i, message] of messages.entries()) {
      const options = createOptions(message);
      if (i === 0 && replyTo) await replyTo.reply({ ...options, failIfNotExists: false });
      else await target.send(options);
    }
  }
}
