import {
  type APIApplicationCommandBasicOption,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  DiscordAPIError,
  InteractionContextType,
  type REST,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
  type RESTPutAPIApplicationCommandsResult,
  Routes,
} from "discord.js";
import type { CommandSpec } from "../../core/index.js";
import { BotError } from "../../core/index.js";
import { commandLocalizations, type Localized, optionLocalizations } from "./localizations.js";
import { clip } from "./render.js";

/** Discord's rule for chat-input command and option names (lower case only). */
const NAME = /^[-_\p{Ll}\p{Lo}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const MAX_COMMANDS = 100;
const MAX_OPTIONS = 25;

export interface RegistrationScope {
  applicationId: string;
  /** Guild commands update instantly and suit a single server; without it commands are global. */
  guildId?: string;
}

/**
 * The bulk-overwrite body for the core's command list, per-project shortcuts included. Options are
 * typed strings; project options autocomplete. Required options come first, as Discord demands
 * (options are matched by name, so the order changes nothing else).
 */
export function buildCommandPayload(
  specs: CommandSpec[],
  scope: { global: boolean },
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  if (specs.length > MAX_COMMANDS) {
    throw new BotError(
      "bad-data",
      `Discord allows ${MAX_COMMANDS} commands; the catalog yields ${specs.length}`,
    );
  }
  return specs.map((spec) => {
    if (!NAME.test(spec.name)) {
      throw new BotError("bad-data", `command "${spec.name}" is not a valid Discord command name`);
    }
    if (spec.options.length > MAX_OPTIONS) {
      throw new BotError("bad-data", `command "${spec.name}" has more than ${MAX_OPTIONS} options`);
    }
    const options = [...spec.options]
      .sort((a, b) => Number(b.required) - Number(a.required))
      .map((option): APIApplicationCommandBasicOption => {
        if (!NAME.test(option.name)) {
          throw new BotError(
            "bad-data",
            `option "${option.name}" of /${spec.name} is not a valid Discord name`,
          );
        }
        return {
          type: ApplicationCommandOptionType.String,
          name: option.name,
          description: clip(option.description.trim() || option.name, 100),
          required: option.required,
          ...(option.autocomplete === "project" ? { autocomplete: true } : {}),
          ...checkedLocalizations(optionLocalizations(spec, option.name), `${spec.name} ${option.name}`),
        };
      });
    return {
      type: ApplicationCommandType.ChatInput,
      name: spec.name,
      description: clip(spec.description.trim() || spec.name, 100),
      ...checkedLocalizations(commandLocalizations(spec), spec.name),
      ...(options.length > 0 ? { options } : {}),
      // Where a global command may be used: servers and DMs with the bot (contexts are global-only).
      ...(scope.global
        ? {
            integration_types: [ApplicationIntegrationType.GuildInstall],
            contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
          }
        : {}),
    };
  });
}

/** Localizations within Discord's limits (names as command names, descriptions up to 100). */
function checkedLocalizations(localized: Localized, where: string): Localized {
  for (const name of Object.values(localized.name_localizations ?? {})) {
    if (!NAME.test(name)) throw new BotError("bad-data", `localized name "${name}" of ${where} is not valid`);
  }
  for (const text of Object.values(localized.description_localizations ?? {})) {
    if (text.length < 1 || text.length > 100)
      throw new BotError("bad-data", `a localized description of ${where} is not 1-100 characters`);
  }
  return localized;
}

/**
 * Registers the commands with one bulk overwrite (PUT): idempotent, and commands no longer in the
 * list are removed. Guild-scoped when a guild id is given, global otherwise.
 */
export async function registerCommands(
  rest: REST,
  scope: RegistrationScope,
  specs: CommandSpec[],
): Promise<RESTPutAPIApplicationCommandsResult> {
  const body = buildCommandPayload(specs, { global: !scope.guildId });
  const route = scope.guildId
    ? Routes.applicationGuildCommands(scope.applicationId, scope.guildId)
    : Routes.applicationCommands(scope.applicationId);
  try {
    return (await rest.put(route, { body })) as RESTPutAPIApplicationCommandsResult;
  } catch (error) {
    throw registrationError(error, scope);
  }
}

/** Discord's refusals, translated into the setting to check. */
function registrationError(error: unknown, scope: RegistrationScope): BotError {
  const detail = error instanceof Error ? error.message : String(error);
  const status = error instanceof DiscordAPIError ? error.status : undefined;
  if (status === 401) {
    return new BotError("bad-config", `DISCORD_TOKEN: Discord refused the bot token (${detail})`, {
      cause: error,
    });
  }
  if (status === 403 || status === 404) {
    const what = scope.guildId
      ? `DISCORD_APPLICATION_ID or DISCORD_GUILD_ID: is the bot invited to guild ${scope.guildId} with the applications.commands scope?`
      : "DISCORD_APPLICATION_ID: is it this bot's application id?";
    return new BotError("bad-config", `${what} (${detail})`, { cause: error });
  }
  return new BotError("internal", `Registering the Discord commands failed: ${detail}`, { cause: error });
}
