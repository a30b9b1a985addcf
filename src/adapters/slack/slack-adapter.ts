import { App, type Logger as SlackLogger, SocketModeReceiver, webApi } from "@slack/bolt";
import { ConfigError, type SlackConfig } from "../../config.js";
import type { Bot } from "../../core/bot.js";
import type { CommandSpec } from "../../core/commands/command.js";
import { type Deduplicator, InMemoryDeduplicator } from "../../core/dedupe.js";
import { BotError } from "../../core/errors.js";
import { detectLanguage } from "../../core/knowledge/tokenize.js";
import type { Logger } from "../../core/logger.js";
import type { Language, Reply } from "../../core/types.js";
import type { HttpServer } from "../../http/server.js";
import { type AnsweredThreads, InMemoryAnsweredThreads } from "./answered-threads.js";
import { boltLevel, boltLogger } from "./bolt-logger.js";
import { commandProblems, SLACK_EVENTS_PATH, type SlackMode, slackCommandName } from "./manifest.js";
import { ThrottledUpdater } from "./progress.js";
import { FEEDBACK_ACTIONS, renderProgress, renderReply, type SlackMessage } from "./render.js";
import { SharedServerReceiver } from "./shared-server-receiver.js";
import { type Place, SlackApi, slackErrorCode } from "./slack-api.js";

/** What the adapter needs from the runtime (a `Runtime` from main.ts fits). */
export interface SlackRuntime {
  bot: Bot;
  logger: Logger;
  config: { slack?: SlackConfig; logLevel: string };
}

/** Knobs for tests and benchmarks; production uses the defaults. */
export interface SlackAdapterOptions {
  dedupe?: Deduplicator;
  threads?: AnsweredThreads;
  /** Merged over the WebClient defaults (e.g. `retryConfig: { retries: 0 }` in tests). */
  clientOptions?: webApi.WebClientOptions;
  /** At most one progress update per this many ms per message. */
  progressIntervalMs?: number;
  /** A mention's answer shows a placeholder if it is not ready after this long (or starts streaming). */
  placeholderDelayMs?: number;
  /** How long a message or event id is remembered against redelivery. */
  dedupeTtlMs?: number;
  /** How long a thread the bot answered in takes follow-ups without a mention. */
  threadTtlMs?: number;
  maxRetryAfterMs?: number;
  /** How long stop() lets answers in progress finish before aborting them. */
  stopGraceMs?: number;
  now?: () => number;
}

/** Counters: logged at stop, and a metrics endpoint can read them. */
export interface SlackStats {
  commands: number;
  questions: number;
  answers: number;
  duplicates: number;
  ignored: number;
  feedbackUp: number;
  feedbackDown: number;
  rateLimited: number;
  skippedUpdates: number;
  rejectedRequests: number;
  failures: number;
}

/** A running Slack adapter. */
export interface SlackAdapter {
  readonly mode: SlackMode;
  /** Resolves when no request is being handled (tests use it before asserting that nothing happened). */
  idle(): Promise<void>;
  stats(): SlackStats;
  /** Stops receiving, lets answers in progress finish (up to the grace period), then aborts the rest. */
  stop(): Promise<void>;
}

const HOUR = 60 * 60 * 1000;
/** A response_url takes five POSTs; one is kept in reserve. */
const RESPONSE_URL_POSTS = 4;

interface Identity {
  botUserId: string;
  botId: string;
}

interface IncomingMessage {
  team: string;
  channel: string;
  user: string;
  ts: string;
  threadTs: string | undefined;
  text: string;
  eventId: string;
  /** Reply in the message's thread (channels) or inline (a DM outside a thread). */
  replyInThread: boolean;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * Slack message text as a question: the bot's mention removed, other mentions and links as
 * readable text, entities decoded (Slack escapes &, < and > in what it sends).
 */
export function questionFromSlack(text: string, botUserId: string): string {
  return text
    .replace(new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, "g"), " ")
    .replace(/<@([UW][A-Z0-9_]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `@${name ?? id}`)
    .replace(/<#C[A-Z0-9]+\|([^>]*)>/g, "#$1")
    .replace(/<!(\w+)(?:\|[^>]*)?>/g, "@$1")
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]*)>/g, "$2 ($1)")
    .replace(/<((?:https?|mailto):[^>]+)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

function isAnswer(reply: Reply): boolean {
  return reply.mode === "llm" || reply.mode === "extractive";
}

function threadKey(team: string, channel: string, threadTs: string): string {
  return `${team}:${channel}:${threadTs}`;
}

function normaliseApiUrl(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

class SlackBotAdapter implements SlackAdapter {
  readonly mode: SlackMode;
  private readonly counters = {
    commands: 0,
    questions: 0,
    answers: 0,
    duplicates: 0,
    ignored: 0,
    feedbackUp: 0,
    feedbackDown: 0,
    failures: 0,
  };
  private readonly tasks = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private readonly dedupe: Deduplicator;
  private readonly threads: AnsweredThreads;
  private readonly dedupeTtlMs: number;
  private readonly threadTtlMs: number;
  private readonly progressIntervalMs: number;
  private readonly placeholderDelayMs: number;
  private readonly log: Logger;
  private stopping = false;

  constructor(
    private readonly app: App,
    private readonly bot: Bot,
    private readonly api: SlackApi,
    private readonly identity: Identity,
    private readonly config: SlackConfig,
    private readonly receiver: SharedServerReceiver | undefined,
    logger: Logger,
    private readonly options: SlackAdapterOptions,
  ) {
    this.mode = config.mode;
    this.log = logger.child({ adapter: "slack" });
    this.dedupe = options.dedupe ?? new InMemoryDeduplicator();
    this.threads = options.threads ?? new InMemoryAnsweredThreads();
    this.dedupeTtlMs = Math.max(options.dedupeTtlMs ?? 2 * HOUR, HOUR);
    this.threadTtlMs = options.threadTtlMs ?? 24 * HOUR;
    this.progressIntervalMs = options.progressIntervalMs ?? 1_000;
    this.placeholderDelayMs = options.placeholderDelayMs ?? 1_500;
  }

  stats(): SlackStats {
    return {
      ...this.counters,
      rateLimited: this.api.counters.rateLimited,
      skippedUpdates: this.api.counters.skippedUpdates,
      rejectedRequests: this.receiver?.rejected ?? 0,
    };
  }

  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.app.stop();
    if (!(await this.idleWithin(this.options.stopGraceMs ?? 10_000))) {
      this.log.warn({ inFlight: this.tasks.size }, "aborting Slack answers still in progress");
      for (const controller of this.controllers) controller.abort(new Error("Slack adapter stopping"));
      await this.idleWithin(1_000);
    }
    this.log.info({ stats: this.stats() }, "Slack adapter stopped");
  }

  private async idleWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      this.idle().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
    clearTimeout(timer);
    return finished;
  }

  /** Registers every listener: one slash command per core command, mentions, messages, feedback. */
  register(commands: CommandSpec[]): void {
    for (const spec of commands) {
      const slash = `/${slackCommandName(spec.name, this.config.commandPrefix)}`;
      this.app.command(slash, async ({ ack, command }) => {
        // Slack gives 3 seconds; everything else happens after the ack.
        await ack();
        this.track((signal) => this.runCommand(spec, slash, command, signal));
      });
    }

    this.app.event("app_mention", async ({ event, body }) => {
      const e = event as unknown as Record<string, unknown>;
      const user = str(e.user);
      if (str(e.bot_id) || !user || user === this.identity.botUserId) {
        this.counters.ignored++;
        return;
      }
      const ts = str(e.ts);
      const channel = str(e.channel);
      if (!ts || !channel) return;
      this.track((signal) =>
        this.answerMessage(
          {
            team: str(body.team_id) ?? "T",
            channel,
            user,
            ts,
            threadTs: str(e.thread_ts),
            text: str(e.text) ?? "",
            eventId: str(body.event_id) ?? `${channel}:${ts}`,
            replyInThread: true,
          },
          signal,
        ),
      );
    });

    this.app.event("message", async ({ event, body }) => {
      const e = event as unknown as Record<string, unknown>;
      const message = await this.followUp(e, str(body.team_id) ?? "T");
      if (!message) {
        this.counters.ignored++;
        return;
      }
      this.track((signal) =>
        this.answerMessage(
          { ...message, eventId: str(body.event_id) ?? `${message.channel}:${message.ts}` },
          signal,
        ),
      );
    });

    this.app.action(
      { action_id: new RegExp(`^(${FEEDBACK_ACTIONS.up}|${FEEDBACK_ACTIONS.down})$`) },
      async (args) => {
        await args.ack();
        const { action, body } = args;
        if (body.type !== "block_actions" || action.type !== "button" || !("action_id" in action)) return;
        const value = action.action_id === FEEDBACK_ACTIONS.up ? "up" : "down";
        const conversationId = action.value ?? "";
        if (!conversationId.startsWith("slack:")) return;
        const channel = body.channel?.id ?? body.container?.channel_id ?? "";
        const messageTs = body.container?.message_ts ?? body.message?.ts ?? "";
        this.bot.recordFeedback({
          platform: "slack",
          conversationId,
          userId: body.user.id,
          messageRef: `${channel}:${messageTs}`,
          value,
        });
        if (value === "up") this.counters.feedbackUp++;
        else this.counters.feedbackDown++;
        const responseUrl = body.response_url;
        if (responseUrl) {
          this.track(async () => {
            const language = detectLanguage(JSON.stringify(body.message?.text ?? ""));
            await this.api.respond(responseUrl, {
              response_type: "ephemeral",
              replace_original: false,
              text: language === "zh" ? "谢谢你的反馈！" : "Thanks for the feedback!",
            });
          });
        }
      },
    );

    this.app.error(async (error) => {
      this.counters.failures++;
      this.log.error({ err: error }, "Bolt listener failed");
    });
  }

  /** A message event worth answering: a DM, or a follow-up in a thread the bot answered in. */
  private async followUp(
    e: Record<string, unknown>,
    team: string,
  ): Promise<Omit<IncomingMessage, "eventId"> | undefined> {
    const subtype = str(e.subtype);
    // Edits, deletions, joins and bot posts are not questions; a reply also sent to the channel is.
    if (subtype && subtype !== "thread_broadcast") return undefined;
    const user = str(e.user);
    if (str(e.bot_id) || !user || user === this.identity.botUserId) return undefined;
    const channel = str(e.channel);
    const ts = str(e.ts);
    if (!channel || !ts) return undefined;
    const threadTs = str(e.thread_ts);
    const text = str(e.text) ?? "";
    if (str(e.channel_type) === "im") {
      return { team, channel, user, ts, threadTs, text, replyInThread: threadTs !== undefined };
    }
    if (!threadTs || !(await this.threads.has(threadKey(team, channel, threadTs)))) return undefined;
    // People talking to each other in the thread ("@bob what do you think?") are not asking the bot.
    const mentions = [...text.matchAll(/<@([UW][A-Z0-9_]+)/g)].map((m) => m[1]);
    if (mentions.length > 0 && !mentions.includes(this.identity.botUserId)) return undefined;
    return { team, channel, user, ts, threadTs, text, replyInThread: true };
  }

  private track(work: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    this.controllers.add(controller);
    // Work starts after the current round of I/O: a burst of requests gets all its acks out
    // before any of them starts retrieving and rendering.
    const task: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => work(controller.signal))
      .catch((error: unknown) => {
        this.counters.failures++;
        this.log.error({ err: error, slackError: slackErrorCode(error) }, "Slack request failed");
      })
      .finally(() => {
        this.tasks.delete(task);
        this.controllers.delete(controller);
      });
    this.tasks.add(task);
  }

  /** Atomically claims each key; any already claimed means this delivery is a repeat. */
  private async claimAll(keys: string[]): Promise<boolean> {
    for (const key of keys) {
      if (!(await this.dedupe.claim(key, this.dedupeTtlMs))) {
        this.counters.duplicates++;
        this.bot.metrics.dedupeHit("slack");
        this.log.debug({ key }, "duplicate Slack delivery ignored");
        return false;
      }
    }
    return true;
  }

  private async answerMessage(m: IncomingMessage, signal: AbortSignal): Promise<void> {
    // The event id catches redelivery of one event; the message key catches app_mention and
    // message arriving for the same ts.
    if (!(await this.claimAll([`slack:event:${m.eventId}`, `slack:msg:${m.channel}:${m.ts}`]))) return;
    this.counters.questions++;
    const root = m.threadTs ?? m.ts;
    const conversationId = `slack:${m.team}:${m.channel}:${root}`;
    const place: Place = m.replyInThread ? { channel: m.channel, threadTs: root } : { channel: m.channel };
    if (m.replyInThread) await this.threads.remember(threadKey(m.team, m.channel, root), this.threadTtlMs);
    const text = questionFromSlack(m.text, this.identity.botUserId);
    const language = detectLanguage(text);

    // A placeholder only for slow answers: when the answer starts streaming or takes a while.
    let placeholder: Promise<string | undefined> | undefined;
    const showPlaceholder = (partial: string): Promise<string | undefined> => {
      placeholder ??= this.api.post(place, renderProgress(partial, language)).catch((error: unknown) => {
        this.log.warn({ err: error, slackError: slackErrorCode(error) }, "could not post the placeholder");
        return undefined;
      });
      return placeholder;
    };
    const updater = new ThrottledUpdater(async (partial) => {
      if (!placeholder) {
        await showPlaceholder(partial);
        return;
      }
      const ts = await placeholder;
      if (ts) await this.api.update(m.channel, ts, renderProgress(partial, language), true);
    }, this.progressIntervalMs);
    const timer = setTimeout(() => void showPlaceholder(""), this.placeholderDelayMs);
    let reply: Reply;
    try {
      reply = await this.bot.handle(
        {
          kind: "question",
          platform: "slack",
          conversationId,
          channelId: `slack:${m.team}:${m.channel}`,
          userId: m.user,
          text,
          requestId: m.eventId,
        },
        { onProgress: ({ text: partial }) => updater.push(partial), signal },
      );
    } finally {
      clearTimeout(timer);
      await updater.close();
    }
    const placeholderTs = placeholder ? await placeholder : undefined;
    if (signal.aborted) return;

    if (reply.ephemeral) {
      if (placeholderTs) await this.api.delete(m.channel, placeholderTs);
      for (const message of renderReply(reply)) await this.api.postEphemeral(place, m.user, message);
      return;
    }
    const messages = renderReply(reply, isAnswer(reply) ? { feedbackFor: conversationId } : {});
    await this.publish(place, messages, placeholderTs);
    this.counters.answers++;
  }

  /** Posts messages in order, the first replacing the placeholder when there is one. */
  private async publish(
    target: Place,
    messages: SlackMessage[],
    placeholderTs?: string,
  ): Promise<string | undefined> {
    let place = target;
    let firstTs = placeholderTs;
    let rest = messages;
    if (placeholderTs && messages[0]) {
      try {
        await this.api.update(place.channel, placeholderTs, messages[0]);
        rest = messages.slice(1);
      } catch (error) {
        // Someone deleted the placeholder: post the whole answer instead.
        this.log.warn({ err: error, slackError: slackErrorCode(error) }, "could not replace the placeholder");
        firstTs = undefined;
      }
    }
    for (const message of rest) {
      const ts = await this.api.post(place, message);
      firstTs ??= ts;
      // A long answer's further messages follow in the first one's thread.
      if (!place.threadTs) place = { channel: place.channel, threadTs: firstTs };
    }
    return firstTs;
  }

  private async runCommand(
    spec: CommandSpec,
    slash: string,
    command: {
      text: string;
      trigger_id: string;
      team_id: string;
      channel_id: string;
      user_id: string;
      response_url: string;
    },
    signal: AbortSignal,
  ): Promise<void> {
    // Socket Mode redelivers an envelope whose ack was lost; the trigger id is unique per invocation.
    if (!(await this.claimAll([`slack:cmd:${command.trigger_id}`]))) return;
    this.counters.commands++;
    const language: Language = detectLanguage(command.text);
    const channel = command.channel_id;
    const preface = `${slash} ${command.text}`.trim();

    let placeholderTs: string | undefined;
    if (spec.slow) {
      // The placeholder shows progress, and its ts roots the answer's thread, so follow-ups there
      // are answered with this conversation's memory.
      try {
        placeholderTs = await this.api.post({ channel }, renderProgress("", language));
      } catch (error) {
        this.log.info(
          { slackError: slackErrorCode(error), command: spec.name },
          "cannot post in this channel; answering through the response_url",
        );
      }
    }
    const conversationId = `slack:${command.team_id}:${channel}:${placeholderTs ?? command.trigger_id}`;
    if (placeholderTs) {
      await this.threads.remember(threadKey(command.team_id, channel, placeholderTs), this.threadTtlMs);
    }
    const ts = placeholderTs;
    const updater = ts
      ? new ThrottledUpdater(async (partial) => {
          await this.api.update(channel, ts, renderProgress(partial, language), true);
        }, this.progressIntervalMs)
      : undefined;
    let reply: Reply;
    try {
      reply = await this.bot.handle(
        {
          kind: "command",
          platform: "slack",
          conversationId,
          channelId: `slack:${command.team_id}:${channel}`,
          userId: command.user_id,
          name: spec.name,
          text: command.text,
          requestId: command.trigger_id,
        },
        { ...(updater ? { onProgress: ({ text }) => updater.push(text) } : {}), signal },
      );
    } finally {
      await updater?.close();
    }
    if (signal.aborted) return;

    if (reply.ephemeral) {
      if (placeholderTs) await this.api.delete(channel, placeholderTs);
      const messages = renderReply(reply);
      if (messages.length > RESPONSE_URL_POSTS + 1) {
        this.log.warn({ messages: messages.length }, "ephemeral reply longer than a response_url takes");
      }
      for (const message of messages.slice(0, RESPONSE_URL_POSTS + 1)) {
        await this.api.respond(command.response_url, { response_type: "ephemeral", ...message });
      }
      return;
    }
    const messages = renderReply(reply, {
      preface,
      ...(isAnswer(reply) ? { feedbackFor: conversationId } : {}),
    });
    if (placeholderTs || messages.length > 1) {
      try {
        await this.publish({ channel }, messages, placeholderTs);
        this.counters.answers++;
        return;
      } catch (error) {
        if (placeholderTs) throw error;
        this.log.info(
          { slackError: slackErrorCode(error) },
          "cannot post in this channel; using the response_url",
        );
      }
    }
    // Without a placeholder the response_url answers: it works where the bot is not a member.
    for (const message of messages.slice(0, RESPONSE_URL_POSTS)) {
      await this.api.respond(command.response_url, { response_type: "in_channel", ...message });
    }
    if (messages.length > RESPONSE_URL_POSTS) {
      this.log.warn(
        { messages: messages.length },
        "answer longer than a response_url takes; the rest was not sent",
      );
    }
    this.counters.answers++;
  }
}

function credentialError(variable: string, what: string, code: string): ConfigError {
  return new ConfigError([`${variable}: Slack refused the ${what} (${code})`]);
}

/**
 * Starts the Slack adapter: checks the bot token (auth.test, which also says who the bot is),
 * registers every core command as a slash command plus mentions, follow-ups, DMs and feedback, and
 * connects: Socket Mode with SLACK_APP_TOKEN, or HTTP on the shared server at /slack/events.
 * A refused credential fails here, naming the variable.
 */
export async function startSlack(
  runtime: SlackRuntime,
  http: HttpServer | undefined,
  options: SlackAdapterOptions = {},
): Promise<SlackAdapter> {
  const config = runtime.config.slack;
  if (!config) {
    throw new ConfigError([
      "SLACK_BOT_TOKEN: is required to start Slack, with SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP)",
    ]);
  }
  if (config.mode === "socket" && !config.appToken) {
    throw new ConfigError(["SLACK_APP_TOKEN: is required for Socket Mode"]);
  }
  if (config.mode === "http" && !config.signingSecret) {
    throw new ConfigError(["SLACK_SIGNING_SECRET: is required for the HTTP Events API"]);
  }
  if (config.mode === "http" && !http) {
    throw new BotError("bad-config", "Slack HTTP mode needs the shared HTTP server");
  }
  const commands = runtime.bot.commands();
  const problems = commandProblems(commands, config.commandPrefix);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `SLACK_COMMAND_PREFIX: ${p}`));

  const logger = runtime.logger.child({ adapter: "slack", mode: config.mode });
  const level = boltLevel(runtime.config.logLevel);
  const slackLogger: SlackLogger = boltLogger(logger, level);
  // Bolt mutates the options it is given (logger, Socket Mode's retry default): each client gets its own copy.
  const clientOptions = (): webApi.WebClientOptions => ({
    ...(config.apiUrl ? { slackApiUrl: normaliseApiUrl(config.apiUrl) } : {}),
    // 429s are handled by SlackApi (one retry after Retry-After); other failures retry briefly here.
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
    ...options.clientOptions,
  });

  const web = new webApi.WebClient(config.botToken, { ...clientOptions(), logger: slackLogger });
  let identity: Identity;
  try {
    const auth = await web.auth.test();
    if (!auth.bot_id || !auth.user_id) {
      throw new ConfigError([
        "SLACK_BOT_TOKEN: is not a bot token (auth.test shows no bot); use the Bot User OAuth Token (xoxb-…)",
      ]);
    }
    identity = { botId: auth.bot_id, botUserId: auth.user_id };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = slackErrorCode(error);
    if (code) throw credentialError("SLACK_BOT_TOKEN", "bot token", code);
    const where = config.apiUrl ? `SLACK_API_URL (${config.apiUrl})` : "slack.com";
    throw new BotError(
      "internal",
      `Could not reach Slack at ${where}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }

  let receiver: SharedServerReceiver | undefined;
  let app: App;
  const common = {
    token: config.botToken,
    botId: identity.botId,
    botUserId: identity.botUserId,
    // auth.test ran above; Bolt need not repeat it.
    tokenVerificationEnabled: false,
    logger: slackLogger,
    logLevel: level,
    convoStore: false as const,
    clientOptions: clientOptions(),
  };
  if (config.mode === "socket") {
    const receiverClientOptions = clientOptions();
    // A hand-built receiver does not inherit App's clientOptions (SLACK_API_URL, retries).
    const socketReceiver = new SocketModeReceiver({
      appToken: config.appToken as string,
      logger: slackLogger,
      logLevel: level,
      installerOptions: { clientOptions: receiverClientOptions },
    });
    app = new App({ ...common, receiver: socketReceiver });
    http?.readiness("slack", async () =>
      socketReceiver.client.websocket?.isActive() ? undefined : "slack socket mode is not connected",
    );
  } else {
    receiver = new SharedServerReceiver({
      http: http as HttpServer,
      path: SLACK_EVENTS_PATH,
      signingSecret: config.signingSecret as string,
      logger,
      boltLogger: slackLogger,
      ...(options.now ? { now: options.now } : {}),
    });
    app = new App({ ...common, receiver });
  }

  const api = new SlackApi(app.client, logger, {
    ...(options.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: options.maxRetryAfterMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const adapter = new SlackBotAdapter(app, runtime.bot, api, identity, config, receiver, logger, options);
  adapter.register(commands);
  try {
    await app.start();
  } catch (error) {
    const code = slackErrorCode(error);
    if (config.mode === "socket" && code) throw credentialError("SLACK_APP_TOKEN", "app-level token", code);
    throw error;
  }
  logger.info(
    { botUserId: identity.botUserId, commands: commands.length, prefix: config.commandPrefix || undefined },
    config.mode === "socket" ? "Slack connected (Socket Mode)" : `Slack listening on ${SLACK_EVENTS_PATH}`,
  );
  return adapter;
}
