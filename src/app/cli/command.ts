import { parseArgs } from "node:util";
import { renderReply } from "../../adapters/console/render.js";
import { parseCommandLine } from "../../core/bot.js";
import { exitCodeFor } from "../../core/errors.js";
import { cardsOf } from "../../core/reply.js";
import type { Config } from "../config.js";
import { type CliIo, UsageError, withRuntime } from "./io.js";

/** `spotlight command "/project capi" [--json]`: one slash command. */
export async function command(args: string[], config: Config, io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: "boolean" } },
  });
  const line = positionals.join(" ");
  const parsed = parseCommandLine(line.startsWith("/") ? line : `/${line}`);
  if (!parsed)
    throw new UsageError(`Not a slash command: "${line}". Example: spotlight command "/project capi"`);
  return withRuntime(config, io, async (rt) => {
    const reply = await rt.bot.handle({
      kind: "command",
      platform: "cli",
      conversationId: "cli:command",
      userId: "cli",
      name: parsed.name,
      text: parsed.text,
    });
    // `cards` is kept for JSON consumers written before replies had parts.
    const cards = cardsOf(reply);
    const json = { command: parsed.name, ...reply, ...(cards.length > 0 ? { cards } : {}) };
    if (values.json) io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    else io.stdout.write(`${renderReply(reply, { color: Boolean(io.stdout.isTTY) })}\n`);
    // The exit code comes from the reply's error code, whatever language its text is in.
    return reply.error ? exitCodeFor(reply.error.code) : 0;
  });
}
