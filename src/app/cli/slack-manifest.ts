import { parseArgs } from "node:util";
import { buildManifest } from "../../adapters/slack/manifest.js";
import { Bot } from "../../core/bot.js";
import { loadKnowledgeBase } from "../../core/knowledge/load.js";
import type { Config } from "../config.js";
import { type CliIo, UsageError } from "./io.js";

/** `spotlight slack-manifest`: the Slack app manifest to create the app from. */
export async function slackManifest(args: string[], config: Config, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      mode: { type: "string" },
      url: { type: "string" },
      prefix: { type: "string" },
      umbrella: { type: "boolean" },
      shortcuts: { type: "boolean" },
      minimal: { type: "boolean" },
    },
  });
  const mode = values.mode ?? config.slack?.mode ?? "socket";
  if (mode !== "socket" && mode !== "http") throw new UsageError("--mode must be socket or http");
  if (values.url !== undefined && !/^https:\/\/[^\s/]+/.test(values.url))
    throw new UsageError("--url must be the bot's public https URL, e.g. https://spotlight.example.com");
  // SLACK_COMMAND_PREFIX counts without tokens: the manifest comes before them.
  const prefix = values.prefix ?? config.slackManifest.prefix;
  if (!/^[a-z0-9-]{0,10}$/.test(prefix))
    throw new UsageError("--prefix must be up to 10 lower-case letters, digits or dashes");
  const style = values.umbrella ? "umbrella" : config.slackManifest.style;
  const shortcuts = values.shortcuts ?? config.slackManifest.shortcuts;
  if (shortcuts && style !== "umbrella")
    io.stderr.write(
      "note: --shortcuts only matters with --umbrella (every command is top-level otherwise)\n",
    );
  if (mode === "http" && values.url === undefined)
    io.stderr.write(
      "note: no --url given; replace https://spotlight.example.com with the bot's public URL\n",
    );
  const bot = new Bot({ kb: await loadKnowledgeBase(config.dataDir) });
  const manifest = buildManifest(bot.commands(), {
    mode,
    prefix,
    style,
    shortcuts,
    shortcutNames: new Set(bot.kb.projects.map((p) => p.id)),
    minimal: values.minimal ?? config.slackManifest.mentionOnly,
    ...(values.url !== undefined ? { url: values.url } : {}),
  });
  io.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
  return 0;
}
