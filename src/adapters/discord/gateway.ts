import { Client, type ClientOptions, Events, GatewayIntentBits, type Message, Partials } from "discord.js";
import { type Bot, BotError, type Deduplicator, type Logger } from "../../core/index.js";
import type { TaskSignal } from "../shared/work-tracker.js";
import { stripBotMention } from "./conversation.js";
import { fromDiscordJs, GatewayResponder } from "./gateway-responder.js";
import type { DiscordStats, DiscordTiming, InteractionHandler } from "./interaction-flow.js";
import { errorFields } from "./log-fields.js";
import { MentionFlow } from "./mention-flow.js";
import { NO_MENTIONS } from "./message-options.js";
import type { DiscordSettings } from "./settings.js";

export { fromDiscordJs } from "./gateway-responder.js";
export { NO_MENTIONS } from "./message-options.js";

export interface GatewayDeps {
  bot: Bot;
  interactions: InteractionHandler;
  dedupe: Deduplicator;
  logger: Logger;
  timing: DiscordTiming;
  stats: DiscordStats;
  /** An abort signal for one answer, aborted when the adapter stops: answers in progress end early. */
  taskSignal: () => TaskSignal;
  /** Tracks work in progress so stop() can wait for it. */
  track: (work: Promise<void>) => void;
  /** discord.js options merged over the defaults (tests: `rest: { retries: 0 }`). */
  clientOptions?: Partial<ClientOptions>;
  readyTimeoutMs?: number;
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
  private readonly mentions: MentionFlow;
  private readonly log: Logger;
  private accepting = true;

  constructor(
    private readonly config: DiscordSettings,
    private readonly deps: GatewayDeps,
  ) {
    this.log = deps.logger;
    this.mentions = new MentionFlow(deps);
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
    const inOwnThread =
      channel.isThread() && (this.mentions.startedThread(channel.id) || channel.ownerId === botId);
    const question = stripBotMention(message.content, botId);
    // Unaddressed messages, and follow-ups that arrive blank (no Message Content intent), are not for us.
    if ((!mentioned && message.guildId !== null && !inOwnThread) || (!mentioned && !question)) {
      stats.ignoredMessages++;
      return undefined;
    }
    return this.mentions.answer(message, question);
  }
}
