import { parseArgs } from "node:util";
import { runChat } from "./adapters/console/chat.js";
import { renderFooter, renderReply } from "./adapters/console/render.js";
import { buildCommandPayload, registerCommands } from "./adapters/discord/registration.js";
import { discordRest } from "./adapters/discord/start-discord.js";
import { buildManifest } from "./adapters/slack/manifest.js";
import { type Config, ConfigError, hasPlatform, loadConfig } from "./config.js";
import { Bot, parseCommandLine } from "./core/bot.js";
import { BotError } from "./core/errors.js";
import { evaluate, loadEvalSet } from "./core/eval/evaluate.js";
import { loadKnowledgeBase } from "./core/knowledge/load.js";
import { TerminalStream, terminalText } from "./core/terminal-text.js";
import type { Reply } from "./core/types.js";
import { createLogger } from "./logging.js";
import { createRuntime, type Runtime } from "./main.js";
import { serve } from "./server.js";

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  /** Resolves when `start` should stop; SIGTERM/SIGINT when not given. */
  stopSignal?: Promise<string>;
}

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
  help                          This text.

Configuration is read from the environment; see README.md.`;

class UsageError extends Error {}

function sourcesJson(reply: Reply) {
  return reply.sources.map((s) => ({
    n: s.n,
    articleId: s.articleId,
    title: s.title,
    section: s.section,
    url: s.url,
    text: s.text,
  }));
}

async function withRuntime<T>(config: Config, io: CliIo, run: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await createRuntime(config, createLogger(config.logLevel, io.stderr));
  try {
    return await run(rt);
  } finally {
    await rt.close();
  }
}

async function ask(args: string[], config: Config, io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: "boolean" }, project: { type: "string" } },
  });
  const question = positionals.join(" ");
  return withRuntime(config, io, async (rt) => {
    const live = !values.json;
    let streamed = "";
    const terminal = new TerminalStream();
    const reply = await rt.bot.handle(
      {
        kind: "question",
        platform: "cli",
        conversationId: "cli:ask",
        userId: "cli",
        text: question,
        ...(values.project ? { projectId: values.project } : {}),
      },
      live
        ? {
            onProgress: ({ text }) => {
              io.stdout.write(terminal.next(text));
              streamed = text;
            },
          }
        : {},
    );
    if (values.json) {
      const out = {
        question,
        mode: reply.mode ?? "declined",
        answer: reply.text,
        language: reply.language ?? "en",
        ...(reply.fallback ? { fallback: reply.fallback } : {}),
        ...(reply.notice ? { notice: reply.notice } : {}),
        sources: sourcesJson(reply),
      };
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else if (streamed && streamed === reply.text) {
      io.stdout.write(`\n\n${renderFooter(reply, { color: Boolean(io.stdout.isTTY) })}\n`);
    } else {
      if (streamed) io.stdout.write("\n\n");
      io.stdout.write(`${renderReply(reply, { color: Boolean(io.stdout.isTTY) })}\n`);
    }
    return reply.mode === undefined && reply.ephemeral ? 1 : 0;
  });
}

async function command(args: string[], config: Config, io: CliIo): Promise<number> {
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
    if (values.json) io.stdout.write(`${JSON.stringify({ command: parsed.name, ...reply }, null, 2)}\n`);
    else io.stdout.write(`${renderReply(reply, { color: Boolean(io.stdout.isTTY) })}\n`);
    return reply.ephemeral &&
      reply.sources.length === 0 &&
      !reply.cards &&
      /^(Unknown|Usage|I don't know)/.test(reply.text)
      ? 1
      : 0;
  });
}

async function evalCommand(args: string[], config: Config, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      file: { type: "string" },
      k: { type: "string" },
      json: { type: "boolean" },
      llm: { type: "boolean" },
    },
  });
  if (values.llm && !config.llm)
    throw new UsageError("eval --llm needs a model: set OPENAI_BASE_URL (and OPENAI_MODEL).");
  // Without --llm the set measures the deterministic extractive path, even where a model is configured.
  const evalConfig: Config = values.llm ? config : { ...config, llm: undefined };
  const file = values.file ?? `${config.dataDir}/eval/questions.yaml`;
  const k = values.k === undefined ? config.retrievalK : Number(values.k);
  if (!Number.isInteger(k) || k < 1 || k > 50)
    throw new UsageError("--k must be a whole number from 1 to 50");
  const cases = await loadEvalSet(file);
  return withRuntime(evalConfig, io, async (rt) => {
    const report = await evaluate(rt.bot, cases, k);
    if (values.json) {
      const out = {
        summary: report.summary,
        cases: report.cases.map(
          ({
            id,
            kind,
            retrieved,
            answered,
            declined,
            firstSentence,
            hedged,
            pass,
            mode,
            fallback,
            citations,
          }) => ({
            id,
            kind,
            retrieved,
            answered,
            declined,
            firstSentence,
            hedged,
            pass,
            ...(values.llm ? { mode, ...(fallback ? { fallback } : {}), citations } : {}),
          }),
        ),
      };
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      for (const c of report.cases) {
        let flags =
          c.kind === "decline"
            ? `declined=${c.declined}`
            : c.kind === "hedge"
              ? `hedged=${c.hedged}`
              : `retrieved=${c.retrieved} answered=${c.answered} first=${c.firstSentence}`;
        if (values.llm) {
          const unbacked = c.citations.filter((x) => x.status !== "supported");
          flags += ` mode=${c.fallback ? `fallback(${c.fallback})` : c.mode}`;
          if (unbacked.length)
            flags += ` citation: ${unbacked.map((x) => `${x.fact} ${x.status}`).join("; ")}`;
        }
        io.stdout.write(
          `${terminalText(`${c.pass ? "PASS" : "FAIL"}  ${c.id.padEnd(22)} ${flags}${c.missing.length ? `  missing: ${c.missing.join("; ")}` : ""}`)}\n`,
        );
      }
      const s = report.summary;
      const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
      io.stdout.write(
        `\n${s.total} cases, k=${s.k}: recall@${s.k} ${pct(s.recallAtK)}, answer accuracy ${pct(s.answerAccuracy)}, first-sentence accuracy ${pct(s.firstSentenceAccuracy)}, decline accuracy ${pct(s.declineAccuracy)}, hedge accuracy ${pct(s.hedgeAccuracy)}\n`,
      );
      if (values.llm) {
        const fallbacks = Object.entries(s.fallbacks).map(([reason, n]) => `${reason} ${n}`);
        io.stdout.write(
          `answers from the model: ${s.modelAnswers} of ${s.total}; fallbacks: ${fallbacks.length ? fallbacks.join(", ") : "none"}\n${s.citationSupport === null ? "citation support: no stated fact to check" : `citation support ${pct(s.citationSupport)} over ${s.citationChecks} stated facts`}\n`,
        );
      }
    }
    return 0;
  });
}

async function start(config: Config, io: CliIo): Promise<number> {
  if (!hasPlatform(config) && !config.playground.enabled) {
    if (io.stdin.isTTY) {
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
  // The terminal chat shares the terminal with the logs: keep them to warnings unless asked.
  const chatOnTerminal = !hasPlatform(config) && io.stdin.isTTY && !("LOG_LEVEL" in io.env);
  return serve(chatOnTerminal ? { ...config, logLevel: "warn" } : config, {
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
    ...(io.stopSignal ? { stopSignal: io.stopSignal } : {}),
  });
}

async function slackManifest(args: string[], config: Config, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { mode: { type: "string" }, url: { type: "string" }, prefix: { type: "string" } },
  });
  const mode = values.mode ?? config.slack?.mode ?? "socket";
  if (mode !== "socket" && mode !== "http") throw new UsageError("--mode must be socket or http");
  if (values.url !== undefined && !/^https:\/\/[^\s/]+/.test(values.url))
    throw new UsageError("--url must be the bot's public https URL, e.g. https://spotlight.example.com");
  const prefix = values.prefix ?? config.slack?.commandPrefix ?? "";
  if (!/^[a-z0-9-]{0,10}$/.test(prefix))
    throw new UsageError("--prefix must be up to 10 lower-case letters, digits or dashes");
  if (mode === "http" && values.url === undefined)
    io.stderr.write(
      "note: no --url given; replace https://spotlight.example.com with the bot's public URL\n",
    );
  const bot = new Bot({ kb: await loadKnowledgeBase(config.dataDir) });
  const manifest = buildManifest(bot.commands(), {
    mode,
    prefix,
    ...(values.url !== undefined ? { url: values.url } : {}),
  });
  io.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
  return 0;
}

async function discordRegister(args: string[], config: Config, io: CliIo): Promise<number> {
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
      case "discord-register":
        return await discordRegister(rest, config, io);
      default:
        throw new UsageError(`Unknown command "${sub}".`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
    ) {
      io.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof BotError) {
      io.stderr.write(`spotlight: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(
      `spotlight: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}
