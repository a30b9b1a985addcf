import { type Config, hasPlatform } from "../config.js";
import { type CliIo, withRuntime } from "./io.js";

/** `spotlight start`: the bot, the playground, or the terminal chat, as configured. */
export async function start(config: Config, io: CliIo): Promise<number> {
  if (!hasPlatform(config) && !config.playground.enabled) {
    if (io.stdin.isTTY) {
      const { runChat } = await import("../../adapters/console/chat.js");
      return withRuntime(config, io, async (rt) => {
        await runChat(rt.bot, {
          input: io.stdin,
          output: io.stdout,
          color: Boolean(io.stdout.isTTY),
          stream: true,
        });
        return 0;
      });
    }
    io.stderr.write(
      [
        "No chat platform is configured, the playground is off (PLAYGROUND=off) and standard input is not a terminal: nothing to run.",
        "  Slack:      set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP).",
        "  Discord:    set DISCORD_TOKEN and DISCORD_APPLICATION_ID (or DISCORD_PUBLIC_KEY for HTTP interactions).",
        "  Playground: unset PLAYGROUND (or set it to on).",
        '  Or run `npx spotlight chat` in a terminal, or `npx spotlight ask "Who uses KubeVirt?"`.',
        "",
      ].join("\n"),
    );
    return 2;
  }
  // The terminal chat shares the terminal with the logs: keep them to errors unless asked (the
  // chat prints one plain line when the model goes down or comes back).
  const chatOnTerminal = !hasPlatform(config) && io.stdin.isTTY && !("LOG_LEVEL" in io.env);
  const { serve } = await import("../server.js");
  return serve(chatOnTerminal ? { ...config, logLevel: "error" } : config, {
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    ...(io.stopSignal ? { stopSignal: io.stopSignal } : {}),
  });
}
