import type { CommandSpec } from "../../core/index.js";

/** How the app talks to Slack: Socket Mode (no public URL) or the HTTP Events API. */
export type SlackMode = "socket" | "http";

/** The path HTTP mode serves events, slash commands and interactivity on. */
export const SLACK_EVENTS_PATH = "/slack/events";

/** What the bot needs: read mentions and messages where it answers, write messages, own commands. */
export const BOT_SCOPES = [
  "app_mentions:read",
  "channels:history",
  "groups:history",
  "im:history",
  "mpim:history",
  "chat:write",
  // Slash commands answer in public channels the bot has not been invited to.
  "chat:write.public",
  "commands",
] as const;

/** Scopes a mention-only app (`--minimal`) does without: it reads no channel messages. */
const CHANNEL_HISTORY_SCOPES = new Set(["channels:history", "groups:history", "mpim:history"]);
/** Events a mention-only app does without: un-mentioned thread replies in channels and group DMs. */
const CHANNEL_MESSAGE_EVENTS = new Set(["message.channels", "message.groups", "message.mpim"]);

/**
 * The one command of the umbrella style: `/spotlight project kubevirt`, `/spotlight ask …`.
 * The bot always listens for it, so either manifest style works with the same deployment.
 */
export const UMBRELLA_COMMAND = "spotlight";

/** Mentions, plus messages for follow-ups in threads and direct messages. */
export const BOT_EVENTS = [
  "app_mention",
  "message.channels",
  "message.groups",
  "message.im",
  "message.mpim",
] as const;

const MAX_COMMANDS = 50;
const MAX_COMMAND_CHARS = 32;

/** The Slack name of a core command: `kubevirt`, or `sl-kubevirt` with prefix `sl`. */
export function slackCommandName(name: string, prefix: string): string {
  return prefix ? `${prefix}-${name}` : name;
}

/** Problems Slack would refuse the command list for (too many, names too long), naming each. */
export function commandProblems(commands: CommandSpec[], prefix: string): string[] {
  const problems: string[] = [];
  if (commands.length > MAX_COMMANDS) {
    problems.push(`${commands.length} commands, but a Slack app may have at most ${MAX_COMMANDS}`);
  }
  for (const c of commands) {
    const command = `/${slackCommandName(c.name, prefix)}`;
    if (command.length > MAX_COMMAND_CHARS) {
      problems.push(
        `${command} is longer than Slack's ${MAX_COMMAND_CHARS} characters (shorten SLACK_COMMAND_PREFIX)`,
      );
    }
  }
  return problems;
}

export interface SlackManifestCommand {
  command: string;
  description: string;
  usage_hint?: string;
  should_escape: boolean;
  url?: string;
}

/** The parts of Slack's app manifest Spotlight fills in. */
export interface SlackManifest {
  display_information: { name: string; description: string; background_color: string };
  features: {
    app_home: {
      home_tab_enabled: boolean;
      messages_tab_enabled: boolean;
      messages_tab_read_only_enabled: boolean;
    };
    bot_user: { display_name: string; always_online: boolean };
    slash_commands: SlackManifestCommand[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url?: string };
    org_deploy_enabled: boolean;
    socket_mode_enabled: boolean;
    token_rotation_enabled: boolean;
  };
}

/**
 * Which slash commands the app declares. `commands`: every command at the top level (`/project`,
 * `/ask`, one per project). `umbrella`: one `/spotlight` command taking the others as its first
 * word, plus the per-project shortcuts only when `shortcuts` is set.
 */
export type CommandStyle = "commands" | "umbrella";

export interface ManifestOptions {
  mode: SlackMode;
  /** `commands` (default) or `umbrella`. */
  style?: CommandStyle;
  /** Umbrella style: also declare one top-level shortcut per catalog project. */
  shortcuts?: boolean;
  /** The names of the per-project shortcut commands (the catalog's project ids). */
  shortcutNames?: ReadonlySet<string>;
  /**
   * Mention-only: no channel, private-channel or group-DM message events (nor their history
   * scopes). Follow-ups in a thread then need a mention too; direct messages still work.
   */
  minimal?: boolean;
  /** HTTP mode: the public base URL (https://bot.example.com) or the full events URL. */
  url?: string;
  prefix: string;
  name?: string;
}

/** The umbrella command's spec: what Slack shows for `/spotlight`. */
function umbrellaSpec(all: CommandSpec[]): CommandSpec {
  const names = all.filter((c) => c.name !== UMBRELLA_COMMAND).map((c) => c.name);
  const builtins = names.slice(0, 6).join(", ");
  return {
    name: UMBRELLA_COMMAND,
    description: `Ask Spotlight: ${builtins}, or a question`,
    options: [],
    usage: `/${UMBRELLA_COMMAND} [command] [text]`,
    examples: [],
    slow: true,
  };
}

/** The commands a manifest declares for its style. */
export function declaredCommands(all: CommandSpec[], options: ManifestOptions): CommandSpec[] {
  if ((options.style ?? "commands") === "commands") return all;
  const shortcuts = options.shortcuts ? all.filter((c) => options.shortcutNames?.has(c.name) === true) : [];
  return [umbrellaSpec(all), ...shortcuts];
}

/** The events URL for a public base URL; a URL already ending in the path is kept. */
export function eventsUrl(url: string): string {
  const base = url.trim().replace(/\/+$/, "");
  return base.endsWith(SLACK_EVENTS_PATH) ? base : `${base}${SLACK_EVENTS_PATH}`;
}

function usageHint(spec: CommandSpec): string | undefined {
  const hint = spec.usage.replace(new RegExp(`^/${spec.name}\\s*`), "").trim();
  return hint ? hint.slice(0, 1000) : undefined;
}

/**
 * A Slack app manifest generated from the core's command list: every command (per-project
 * shortcuts included) as a slash command, with the scopes and events the adapter needs. Set-up is
 * "create the app from the manifest, paste two tokens".
 */
export function buildManifest(all: CommandSpec[], options: ManifestOptions): SlackManifest {
  const commands = declaredCommands(all, options);
  const problems = commandProblems(commands, options.prefix);
  if (problems.length > 0)
    throw new Error(`Cannot build the Slack manifest:\n  - ${problems.join("\n  - ")}`);
  const http = options.mode === "http";
  const requestUrl = http ? eventsUrl(options.url ?? "https://spotlight.example.com") : undefined;
  const name = options.name ?? "Spotlight";
  return {
    display_information: {
      name,
      description: "Answers questions about cloud-native projects, citing its sources.",
      background_color: "#1d3557",
    },
    features: {
      app_home: {
        home_tab_enabled: false,
        messages_tab_enabled: true,
        messages_tab_read_only_enabled: false,
      },
      bot_user: { display_name: name, always_online: true },
      slash_commands: commands.map((c) => {
        const command: SlackManifestCommand = {
          command: `/${slackCommandName(c.name, options.prefix)}`,
          description: c.description.slice(0, 2000),
          should_escape: false,
        };
        const hint = usageHint(c);
        if (hint) command.usage_hint = hint;
        if (requestUrl) command.url = requestUrl;
        return command;
      }),
    },
    oauth_config: {
      scopes: {
        bot: BOT_SCOPES.filter((scope) => !options.minimal || !CHANNEL_HISTORY_SCOPES.has(scope)),
      },
    },
    settings: {
      event_subscriptions: {
        ...(requestUrl ? { request_url: requestUrl } : {}),
        bot_events: BOT_EVENTS.filter((event) => !options.minimal || !CHANNEL_MESSAGE_EVENTS.has(event)),
      },
      interactivity: { is_enabled: true, ...(requestUrl ? { request_url: requestUrl } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: !http,
      token_rotation_enabled: false,
    },
  };
}
