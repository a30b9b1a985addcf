import { App, type Logger as SlackLogger, SocketModeReceiver, webApi } from "@slack/bolt";
import {
  BotError,
  ConfigError,
  InMemoryAnsweredThreads,
  InMemoryDeduplicator,
  type Logger,
} from "../../core/index.js";
import type { Adapter, AdapterContext } from "../adapter.js";
import type { HttpRoutes } from "../shared/http.js";
import { type KeepAliveFetch, keepAliveFetch } from "../shared/keep-alive-fetch.js";
import { WorkTracker } from "../shared/work-tracker.js";
import { boltLevel, boltLogger } from "./bolt-logger.js";
import { SlackEventHandler } from "./event-handler.js";
import { commandProblems, SLACK_EVENTS_PATH, type SlackMode } from "./manifest.js";
import { SlackResponder } from "./responder.js";
import {
  emptyCounters,
  HOUR,
  type Identity,
  type SlackAdapterOptions,
  type SlackSettings,
  type SlackStats,
} from "./settings.js";
import { SharedServerReceiver } from "./shared-server-receiver.js";
import { SlackApi, slackErrorCode } from "./slack-api.js";
import { retryDelays, SlackClient } from "./slack-client.js";

export { questionFromSlack } from "./event-handler.js";
export type { SlackAdapterOptions, SlackSettings, SlackStats } from "./settings.js";

function normaliseApiUrl(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

function credentialError(variable: string, what: string, code: string): ConfigError {
  return new ConfigError([`${variable}: Slack refused the ${what} (${code})`]);
}

function checkSettings(settings: SlackSettings, http: HttpRoutes | undefined): void {
  if (settings.mode === "socket" && !settings.appToken) {
    throw new ConfigError(["SLACK_APP_TOKEN: is required for Socket Mode"]);
  }
  if (settings.mode === "http" && !settings.signingSecret) {
    throw new ConfigError(["SLACK_SIGNING_SECRET: is required for the HTTP Events API"]);
  }
  if (settings.mode === "http" && !http) {
    throw new BotError("bad-config", "Slack HTTP mode needs the shared HTTP server");
  }
}

/**
 * Slack: every core command as a slash command, mentions, follow-ups, DMs and feedback, over
 * Socket Mode (SLACK_APP_TOKEN) or the Events API on the shared server at /slack/events.
 * `start` checks the bot token (auth.test, which also says who the bot is); a refused credential
 * fails there, naming the variable.
 */
export class SlackAdapter implements Adapter {
  readonly name = "slack";
  readonly mode: SlackMode;
  private readonly counters = emptyCounters();
  private readonly work = new WorkTracker();
  private app: App | undefined;
  private api: SlackApi | undefined;
  private responder: SlackResponder | undefined;
  private receiver: SharedServerReceiver | undefined;
  private log: Logger | undefined;
  private stopping = false;
  /** The Web API and response_url calls every answer makes, on keep-alive sockets. */
  private readonly transport: KeepAliveFetch = keepAliveFetch();

  constructor(
    private readonly settings: SlackSettings,
    private readonly options: SlackAdapterOptions = {},
  ) {
    this.mode = settings.mode;
  }

  stats(): SlackStats {
    return {
      ...this.counters,
      rateLimited: this.api?.counters.rateLimited ?? 0,
      skippedUpdates: this.api?.counters.skippedUpdates ?? 0,
      rejectedRequests: this.receiver?.rejected ?? 0,
    };
  }

  /** Resolves when no request is being handled (tests use it before asserting that nothing happened). */
  idle(): Promise<void> {
    return this.work.idle();
  }

  async start(context: AdapterContext): Promise<void> {
    const { settings, options } = this;
    checkSettings(settings, context.http);
    const commands = context.bot.commands();
    const problems = commandProblems(commands, settings.commandPrefix);
    if (problems.length > 0) throw new ConfigError(problems.map((p) => `SLACK_COMMAND_PREFIX: ${p}`));

    const logger = context.logger.child({ adapter: "slack", mode: settings.mode });
    this.log = logger;
    const level = boltLevel(options.logLevel ?? "info");
    const slackLogger: SlackLogger = boltLogger(logger, level);
    // 429s are handled by SlackApi (one retry after Retry-After); other failures retry briefly.
    const retryConfig = { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 5_000 };
    // Bolt mutates the options it is given (logger, Socket Mode's retry default): each client gets its own copy.
    const clientOptions = (): webApi.WebClientOptions => ({
      ...(settings.apiUrl ? { slackApiUrl: normaliseApiUrl(settings.apiUrl) } : {}),
      fetch: this.transport.fetch,
      rejectRateLimitedCalls: true,
      retryConfig: { ...retryConfig },
      ...options.clientOptions,
    });
    const identity = await this.authenticate(
      new webApi.WebClient(settings.botToken, { ...clientOptions(), logger: slackLogger }),
    );

    const common = {
      token: settings.botToken,
      botId: identity.botId,
      botUserId: identity.botUserId,
      // auth.test ran above; Bolt need not repeat it.
      tokenVerificationEnabled: false,
      logger: slackLogger,
      logLevel: level,
      convoStore: false as const,
      clientOptions: clientOptions(),
    };
    let app: App;
    if (settings.mode === "socket") {
      // A hand-built receiver does not inherit App's clientOptions (SLACK_API_URL, retries).
      const socketReceiver = new SocketModeReceiver({
        appToken: settings.appToken as string,
        logger: slackLogger,
        logLevel: level,
        installerOptions: { clientOptions: clientOptions() },
      });
      app = new App({ ...common, receiver: socketReceiver });
      context.http?.readiness("slack", async () =>
        socketReceiver.client.websocket?.isActive() ? undefined : "slack socket mode is not connected",
      );
    } else {
      this.receiver = new SharedServerReceiver({
        http: context.http as HttpRoutes,
        path: SLACK_EVENTS_PATH,
        signingSecret: settings.signingSecret as string,
        logger,
        boltLogger: slackLogger,
        ...(options.now ? { now: options.now } : {}),
      });
      app = new App({ ...common, receiver: this.receiver });
    }
    this.app = app;

    // The calls every answer makes skip the WebClient; they keep its URL, retries and timeout.
    const client = new SlackClient({
      token: settings.botToken,
      ...(settings.apiUrl ? { apiUrl: normaliseApiUrl(settings.apiUrl) } : {}),
      transport: this.transport,
      logger,
      retryDelaysMs: retryDelays({ ...retryConfig, ...options.clientOptions?.retryConfig }),
      timeoutMs: options.clientOptions?.timeout ?? 0,
    });
    const api = new SlackApi({ client, web: app.client, transport: this.transport }, logger, {
      ...(options.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: options.maxRetryAfterMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.api = api;
    const responder = new SlackResponder(api, logger, this.counters, {
      progressIntervalMs: options.progressIntervalMs ?? 1_000,
      placeholderDelayMs: options.placeholderDelayMs ?? 1_500,
    });
    this.responder = responder;
    new SlackEventHandler({
      bot: context.bot,
      api,
      responder,
      identity,
      commandPrefix: settings.commandPrefix,
      dedupe: context.dedupe ?? new InMemoryDeduplicator(),
      threads: context.threads ?? new InMemoryAnsweredThreads(),
      dedupeTtlMs: Math.max(options.dedupeTtlMs ?? 2 * HOUR, HOUR),
      threadTtlMs: options.threadTtlMs ?? 24 * HOUR,
      counters: this.counters,
      work: this.work,
      log: logger,
    }).register(app, commands);
    try {
      await app.start();
    } catch (error) {
      const code = slackErrorCode(error);
      if (settings.mode === "socket" && code)
        throw credentialError("SLACK_APP_TOKEN", "app-level token", code);
      throw error;
    }
    logger.info(
      {
        botUserId: identity.botUserId,
        commands: commands.length,
        prefix: settings.commandPrefix || undefined,
      },
      settings.mode === "socket"
        ? "Slack connected (Socket Mode)"
        : `Slack listening on ${SLACK_EVENTS_PATH}`,
    );
  }

  /** Stops receiving, lets answers in progress finish (up to the grace period), then aborts the rest. */
  async stop(graceMs = this.options.stopGraceMs ?? 10_000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.app?.stop();
    if (!(await this.work.drain(graceMs))) {
      // Answers that did not even end with the best one ready leave a restart note instead.
      const notes = await this.responder?.leaveRestartNotes();
      this.log?.warn({ restartNotes: notes }, "aborted Slack answers still in progress");
    }
    this.transport.close();
    this.log?.info({ stats: this.stats() }, "Slack adapter stopped");
  }

  private async authenticate(web: webApi.WebClient): Promise<Identity> {
    const { settings } = this;
    try {
      const auth = await web.auth.test();
      if (!auth.bot_id || !auth.user_id) {
        throw new ConfigError([
          "SLACK_BOT_TOKEN: is not a bot token (auth.test shows no bot); use the Bot User OAuth Token (xoxb-…)",
        ]);
      }
      return { botId: auth.bot_id, botUserId: auth.user_id };
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      const code = slackErrorCode(error);
      if (code) throw credentialError("SLACK_BOT_TOKEN", "bot token", code);
      const where = settings.apiUrl ? `SLACK_API_URL (${settings.apiUrl})` : "slack.com";
      throw new BotError(
        "platform-failed",
        `Could not reach Slack at ${where}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
}
