import { setMaxListeners } from "node:events";
import { type ClientOptions, REST, type RESTOptions } from "discord.js";
import type { DiscordConfig } from "../../config.js";
import { type Deduplicator, InMemoryDeduplicator } from "../../core/dedupe.js";
import { BotError } from "../../core/errors.js";
import type { HttpServer } from "../../http/server.js";
import type { Runtime } from "../../main.js";
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

export interface DiscordStartOptions {
  /** Share one with other replicas (Redis) so each event is answered once across them. */
  dedupe?: Deduplicator;
  timing?: Partial<DiscordTiming>;
  /** discord.js client options merged over the defaults (tests: `{ rest: { retries: 0 } }`). */
  clientOptions?: Partial<ClientOptions>;
  /** REST options for the HTTP endpoint's edits and follow-ups. */
  restOptions?: Partial<RESTOptions>;
  /** How long stop() lets answers in progress finish before aborting them. */
  shutdownGraceMs?: number;
  now?: () => number;
}

/** A running Discord adapter. */
export interface DiscordAdapter {
  readonly stats: DiscordStats;
  /** The gateway client, when DISCORD_TOKEN is set. */
  readonly gateway: DiscordGateway | undefined;
  stop(): Promise<void>;
}

/** Waits for the promises to settle, or for `ms`, whichever comes first. */
async function settleWithin(work: Promise<unknown>[], ms: number): Promise<void> {
  if (work.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.allSettled(work), timeout]);
  clearTimeout(timer);
}

/** A REST client for registration and other calls outside the gateway. */
export function discordRest(
  config: Pick<DiscordConfig, "token" | "apiUrl">,
  options: Partial<RESTOptions> = {},
): REST {
  return new REST({ ...(config.apiUrl ? { api: config.apiUrl } : {}), ...options }).setToken(config.token);
}

/**
 * Starts what the configuration asks for: the gateway (DISCORD_TOKEN + DISCORD_APPLICATION_ID) and/or
 * the HTTP interactions endpoint on the shared server (DISCORD_PUBLIC_KEY). Registers the commands
 * first when DISCORD_REGISTER_ON_START is set. Resolves once everything is ready.
 */
export async function startDiscord(
  runtime: Runtime,
  http: HttpServer | undefined,
  options: DiscordStartOptions = {},
): Promise<DiscordAdapter> {
  const { config, bot } = runtime;
  const logger = runtime.logger.child({ adapter: "discord" });
  const stats = emptyStats();
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const dedupe = options.dedupe ?? new InMemoryDeduplicator();
  const aborter = new AbortController();
  // Every answer in progress listens on this one signal; dozens at once are normal, not a leak.
  setMaxListeners(0, aborter.signal);
  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<void>): void => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };
  const interactions = new InteractionHandler({ bot, dedupe, logger, timing, stats, signal: aborter.signal });

  let closeEndpoint: (() => void) | undefined;
  if (config.discordInteractions) {
    if (!http) {
      throw new BotError("bad-config", "DISCORD_PUBLIC_KEY: HTTP interactions need the HTTP server on PORT");
    }
    const c = config.discordInteractions;
    closeEndpoint = mountInteractionsEndpoint(http, {
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

  let gateway: DiscordGateway | undefined;
  if (config.discord) {
    const discord = config.discord;
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
    gateway = new DiscordGateway(discord, {
      bot,
      interactions,
      dedupe,
      logger,
      timing,
      stats,
      signal: aborter.signal,
      track,
      ...(options.clientOptions ? { clientOptions: options.clientOptions } : {}),
    });
    await gateway.start();
    const g = gateway;
    http?.readiness("discord", async () => (g.ready ? undefined : "discord gateway not connected"));
  }

  let stopped = false;
  return {
    stats,
    gateway,
    async stop() {
      if (stopped) return;
      stopped = true;
      closeEndpoint?.();
      gateway?.pause();
      // Let answers in progress finish for a while, then abort them (they end in an apology).
      await settleWithin([...inFlight], options.shutdownGraceMs ?? 10_000);
      aborter.abort();
      await settleWithin([...inFlight], 2000);
      await gateway?.stop();
      logger.info({ ...stats }, "discord adapter stopped");
    },
  };
}
