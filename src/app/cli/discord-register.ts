import { parseArgs } from "node:util";
import { discordRest } from "../../adapters/discord/discord-adapter.js";
import { buildCommandPayload, registerCommands } from "../../adapters/discord/registration.js";
import { Bot } from "../../core/bot.js";
import { ConfigError } from "../../core/errors.js";
import { loadKnowledgeBase } from "../../core/knowledge/load.js";
import type { Config } from "../config.js";
import type { CliIo } from "./io.js";

/** `spotlight discord-register [--dry-run]`: registers the slash commands with Discord. */
export async function discordRegister(args: string[], config: Config, io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { "dry-run": { type: "boolean" } } });
  const specs = new Bot({ kb: await loadKnowledgeBase(config.dataDir) }).commands();
  const guildId = config.discord?.guildId;
  if (values["dry-run"]) {
    io.stdout.write(`${JSON.stringify(buildCommandPayload(specs, { global: !guildId }), null, 2)}\n`);
    return 0;
  }
  if (!config.discord) {
    throw new ConfigError([
      "DISCORD_TOKEN: is required to register commands (Bot → Reset Token), with DISCORD_APPLICATION_ID",
    ]);
  }
  const scope = { applicationId: config.discord.applicationId, ...(guildId ? { guildId } : {}) };
  const registered = await registerCommands(discordRest(config.discord), scope, specs);
  io.stdout.write(
    `Registered ${registered.length} commands ${guildId ? `in guild ${guildId}` : "globally"}: ${registered.map((c) => `/${c.name}`).join(" ")}\n`,
  );
  return 0;
}
