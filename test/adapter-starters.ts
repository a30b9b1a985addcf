/**
 * Starts the real Slack and Discord adapters the way the app does (settings through the
 * constructor, shared pieces through `start`), from a test's configuration.
 */
import {
  DiscordAdapter,
  type DiscordInteractionsSettings,
  type DiscordSettings,
  type DiscordStartOptions,
} from "../src/adapters/discord/discord-adapter.js";
import type { HttpRoutes } from "../src/adapters/shared/http.js";
import {
  SlackAdapter,
  type SlackAdapterOptions,
  type SlackSettings,
} from "../src/adapters/slack/slack-adapter.js";
import type { AnsweredThreads } from "../src/core/answered-threads.js";
import type { Bot } from "../src/core/bot.js";
import type { Deduplicator } from "../src/core/dedupe.js";
import type { Logger } from "../src/core/logger.js";

export interface StarterRuntime {
  bot: Bot;
  logger: Logger;
}

export interface Shared {
  dedupe?: Deduplicator;
  threads?: AnsweredThreads;
}

export async function startSlack(
  runtime: StarterRuntime & { config: { slack: SlackSettings; logLevel: string } },
  http: HttpRoutes | undefined,
  options: SlackAdapterOptions & Shared = {},
): Promise<SlackAdapter> {
  const { dedupe, threads, ...knobs } = options;
  const adapter = new SlackAdapter(runtime.config.slack, { logLevel: runtime.config.logLevel, ...knobs });
  await adapter.start({
    bot: runtime.bot,
    logger: runtime.logger,
    ...(http ? { http } : {}),
    ...(dedupe ? { dedupe } : {}),
    ...(threads ? { threads } : {}),
  });
  return adapter;
}

export async function startDiscord(
  runtime: StarterRuntime & {
    config: { discord?: DiscordSettings; discordInteractions?: DiscordInteractionsSettings };
  },
  http: HttpRoutes | undefined,
  options: DiscordStartOptions & Shared = {},
): Promise<DiscordAdapter> {
  const { dedupe, threads: _threads, ...knobs } = options;
  const { discord, discordInteractions } = runtime.config;
  const adapter = new DiscordAdapter(
    {
      ...(discord ? { gateway: discord } : {}),
      ...(discordInteractions ? { interactions: discordInteractions } : {}),
    },
    knobs,
  );
  await adapter.start({
    bot: runtime.bot,
    logger: runtime.logger,
    ...(http ? { http } : {}),
    ...(dedupe ? { dedupe } : {}),
  });
  return adapter;
}
