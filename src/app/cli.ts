// The command line: one file per subcommand in cli/; bin/spotlight.js runs the compiled form.
// Each subcommand is imported when it runs, so `ask`, `eval` and `command` never load the Slack
// and Discord SDKs (three quarters of a second of CPU before this was lazy).
import { BotError, exitCodeFor } from "../core/errors.js";
import { type CliIo, UsageError, withRuntime } from "./cli/io.js";
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
  slack-manifest [--mode socket|http] [--url URL] [--prefix P] [--umbrella [--shortcuts]] [--minimal]
                                Print the Slack app manifest (commands, scopes, events) to create
                                the app from; --url is the bot's public https URL in HTTP mode.
                                --umbrella: one /spotlight command instead of one per command
                                (--shortcuts adds one per project); --minimal: mention-only, no
                                channel message events (thread follow-ups then need a mention).
  discord-register [--dry-run]  Register the Discord slash commands (a shortcut per catalog project
                                included): in DISCORD_GUILD_ID when set (instant), else globally.
                                Idempotent; --dry-run prints the payload without calling Discord.
  reload [--url URL]            Reload the knowledge base of a running server (data/ re-read, no
                                restart); needs ADMIN_TOKEN as the server has it. Sending the
                                server's process SIGHUP does the same.
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
    // The terminal chat shares the terminal with the logs: it says itself when the model is down.
    const quiet = sub === "chat" ? "error" : "warn";
    const config = loadConfig(
      sub === "start" || "LOG_LEVEL" in io.env ? io.env : { ...io.env, LOG_LEVEL: quiet },
    );
    switch (sub) {
      case "start":
        return await (await import("./cli/start.js")).start(config, io);
      case "ask":
        return await (await import("./cli/ask.js")).ask(rest, config, io);
      case "command":
        return await (await import("./cli/command.js")).command(rest, config, io);
      case "chat": {
        const { runChat } = await import("../adapters/console/chat.js");
        return await withRuntime(config, io, async (rt) => {
          await runChat(rt.bot, {
            input: io.stdin,
            output: io.stdout,
            color: Boolean(io.stdout.isTTY),
            stream: Boolean(io.stdin.isTTY),
          });
          return 0;
        });
      }
      case "eval":
        return await (await import("./cli/eval.js")).evalCommand(rest, config, io);
      case "reload":
        return await (await import("./cli/reload.js")).reloadCommand(rest, config, io);
      case "slack-manifest":
        return await (await import("./cli/slack-manifest.js")).slackManifest(rest, config, io);
      case "report":
        return await (await import("./cli/report.js")).report(rest, config, io);
      case "discord-register":
        return await (await import("./cli/discord-register.js")).discordRegister(rest, config, io);
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
