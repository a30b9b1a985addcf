import { type ClientOptions, REST, type RESTOptions } from "discord.js";
import { BotError, InMemoryDeduplicator, type Logger } from "../../core/index.js";
import type { Adapter, AdapterContext } from "../adapter.js";
import { WorkTracker } from "../shared/work-tracker.js";
import { DiscordGateway } from "./gateway.js";
import { mountInteractionsEndpoint } from "./http-interactions.js";
import {
  DEFAULT_TIMING,
  type DiscordStats,
  type DiscordTiming,
  emptyStats,
  InteractionHandler,
} from "./interaction-flow.js";
import { registerCommands } from "./registration.js";
import type { DiscordInteractionsSettings, DiscordSettings } from "./settings.js";

export type { DiscordInteractionsSettings, DiscordSettings } from "./settings.js";

/** What to run: the gateway (a bot token) and/or the HTTP interactions endpoint (a public key). */
export interface DiscordAdapterSettings {
  gateway?: DiscordSettings;
  interactions?: DiscordInteractionsSettings;
}

export interface DiscordStartOptions {
  timing?: Partial<DiscordTiming>;
  /** discord.js client options merged over the defaults (tests: `{ rest: { retries: 0 } }`). */
  clientOptions?: Partial<ClientOptions>;
  /** REST options for the HTTP endpoint's edits and follow-ups. */
  restOptions?: Partial<RESTOptions>;
  /** How long stop() lets answers in progress finish before aborting them, when it is not told. */
  shutdownGraceMs?: number;
  now?: () => number;
}

/** A REST client for registration and other calls outside the gateway. */
export function discordRest(
  config: Pick<DiscordSettings, "token" | "apiUrl">,
  options: Partial<RESTOptions> = {},
): REST {
  return new REST({ ...(config.apiUrl ? { api: config.apiUrl } : {}), ...options }).setToken(config.token);
}

/**
 * Discord: the gateway (DISCORD_TOKEN + DISCORD_APPLICATION_ID) and/or the HTTP interactions
 * endpoint on the shared server (DISCORD_PUBLIC_KEY). `start` registers the commands first when
 * DISCORD_REGISTER_ON_START is set, and resolves once everything is ready.
 */
export class DiscordAdapter implements Adapter {
  readonly name = "discord";
  readonly stats: DiscordStats = emptyStats();
  private readonly work = new WorkTracker();
  private gatewayClient: DiscordGateway | undefined;
  private closeEndpoint: (() => void) | undefined;
  private log: Logger | undefined;
  private stopped = false;

  constructor(
    private readonly settings: DiscordAdapterSettings,
    private readonly options: DiscordStartOptions = {},
  ) {}

  /** The gateway client, when DISCORD_TOKEN is set. */
  get gateway(): DiscordGateway | undefined {
    return this.gatewayClient;
  }

  async start(context: AdapterContext): Promise<void> {
    const { bot, http } = context;
    const { options } = this;
    const logger = context.logger.child({ adapter: "discord" });
    this.log = logger;
    const timing = { ...DEFAULT_TIMING, ...options.timing };
    const dedupe = context.dedupe ?? new InMemoryDeduplicator();
    const stats = this.stats;
    // Each answer gets an abort signal of its own: hundreds waiting on a model, each listening on
    // one shared signal, would make every new request pay for all the others.
    const taskSignal = () => this.work.taskSignal();
    const track = (work: Promise<void>): void => this.work.add(work);
    const interactions = new InteractionHandler({ bot, dedupe, logger, timing, stats, taskSignal });

    const c = this.settings.interactions;
    if (c) {
      if (!http) {
        throw new BotError(
          "bad-config",
          "DISCORD_PUBLIC_KEY: HTTP interactions need the HTTP server on PORT",
        );
      }
      this.closeEndpoint = mountInteractionsEndpoint(http, {
        publicKey: c.publicKey,
        applicationId: c.applicationId,
        ...(c.apiUrl ? { apiUrl: c.apiUrl } : {}),
        interactions,
        logger,
        track,
        ...(options.restOptions ? { rest: options.restOptions } : {}),
        ...(options.now ? { now: options.now } : {}),
      });
      logger.info({ path: "/discord/interactions" }, "discord HTTP interactions endpoint mounted");
    }

    const discord = this.settings.gateway;
    if (discord) {
      if (discord.registerOnStart) {
        const scope = {
          applicationId: discord.applicationId,
          ...(discord.guildId ? { guildId: discord.guildId } : {}),
        };
        const registered = await registerCommands(
          discordRest(discord, options.clientOptions?.rest),
          scope,
          bot.commands(),
        );
        logger.info(
          { commands: registered.length, guildId: discord.guildId ?? "global" },
          "discord commands registered",
        );
      }
      const gateway = new DiscordGateway(discord, {
        bot,
        interactions,
        dedupe,
        logger,
        timing,
        stats,
        taskSignal,
        track,
        ...(options.clientOptions ? { clientOptions: options.clientOptions } : {}),
      });
      this.gatewayClient = gateway;
      await gateway.start();
      http?.readiness("discord", async () => (gateway.ready ? undefined : "discord gateway not connected"));
    }
  }

  /** Stops receiving, lets answers in progress finish for a while, then aborts them (they end in an apology). */
  async stop(graceMs = this.options.shutdownGraceMs ?? 10_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.closeEndpoint?.();
    this.gatewayClient?.pause();
    await this.work.drain(graceMs, 2_000);
    await this.gatewayClient?.stop();
    this.log?.info({ ...this.stats }, "discord adapter stopped");
  }
}
