// The command line: one file per subcommand in cli/; bin/spotlight.js runs the compiled form.
import { runChat } from "../adapters/console/chat.js";
import { BotError, exitCodeFor } from "../core/errors.js";
import { ask } from "./cli/ask.js";
import { command } from "./cli/command.js";
import { discordRegister } from "./cli/discord-register.js";
import { evalCommand } from "./cli/eval.js";
import { type CliIo, UsageError, withRuntime } from "./cli/io.js";
import { report } from "./cli/report.js";
import { slackManifest } from "./cli/slack-manifest.js";
import { start } from "./cli/start.js";
import { loadConfig } from "./config.js";

export type { CliIo } from "./cli/io.js";

const USAGE = `Usage: spotlight <command> [options]

Commands:
  start                         Run the bot (what \`npm start\` runs): Slack and/or Discord when
                                configured, with /healthz, /readyz and /metrics on PORT; with no
                                platform, the web playground (its URL is printed) and, on a
                                terminal, the terminal chat beside it.
  ask "<question>" [--json] [--project ID]
                                Answer one question (extractive without a model).
  command "/project capi" [--json]
                                Run one slash command.
  chat                          Interactive terminal chat: slash commands and free questions.
  eval [--file PATH] [--k N] [--json] [--llm]
                                Retrieval recall@k and answer accuracy on an evaluation set;
                                --llm answers through the configured model (OPENAI_BASE_URL) and
                                adds citation support; without it answers are extractive.
  slack-manifest [--mode socket|http] [--url URL] [--prefix P]
                                Print the Slack app manifest (commands, scopes, events) to create
                                the app from; --url is the bot's public https URL in HTTP mode.
  discord-register [--dry-run]  Register the Discord slash commands (a shortcut per catalog project
                                included): in DISCORD_GUILD_ID when set (instant), else globally.
                                Idempotent; --dry-run prints the payload without calling Discord.
  report [--since WHEN] [--until WHEN] [--json] [--limit N]
                                What people asked and how it went, from the answer log: top
                                questions, declined and hedged ones grouped by similarity, answers
                                rated 👎 with their sources, fallbacks by reason. WHEN is a date
                                (2026-01-31), a time, or a duration back from now (12h, 7d).
  help                          This text.

Configuration is read from the environment; see README.md.`;

/** Runs the CLI; returns the process exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [sub = "start", ...rest] = argv;
  try {
    if (sub === "help" || sub === "--help" || sub === "-h") {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const config = loadConfig(
      sub === "start" || "LOG_LEVEL" in io.env ? io.env : { ...io.env, LOG_LEVEL: "warn" },
    );
    switch (sub) {
      case "start":
        return await start(config, io);
      case "ask":
        return await ask(rest, config, io);
      case "command":
        return await command(rest, config, io);
      case "chat":
        return await withRuntime(config, io, async (rt) => {
          await runChat(rt.bot, {
            input: io.stdin,
            output: io.stdout,
            color: Boolean(io.stdout.isTTY),
            stream: Boolean(io.stdin.isTTY),
          });
          return 0;
        });
      case "eval":
        return await evalCommand(rest, config, io);
      case "slack-manifest":
        return await slackManifest(rest, config, io);
      case "report":
        return await report(rest, config, io);
      case "discord-register":
        return await discordRegister(rest, config, io);
      default:
        throw new UsageError(`Unknown command "${sub}".`);
    }
  } catch (error) {
    // node:util's parseArgs reports a bad option as a TypeError with an ERR_PARSE_ARGS_* code.
    const badArgs =
      error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS");
    if (error instanceof UsageError || badArgs) {
      io.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
      return exitCodeFor("usage");
    }
    if (error instanceof BotError) {
      io.stderr.write(`spotlight: ${error.message}\n`);
      return exitCodeFor(error.code);
    }
    io.stderr.write(
      `spotlight: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return exitCodeFor("internal");
  }
}
