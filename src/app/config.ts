import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { ed25519KeyProblem } from "../adapters/discord/ed25519-key.js";
import type { DiscordInteractionsSettings, DiscordSettings } from "../adapters/discord/settings.js";
import type { SlackSettings } from "../adapters/slack/settings.js";
import { ConfigError } from "../core/errors.js";
import type { AnswerLogSettings } from "../core/insight/answer-record.js";
import type { LlmOptions } from "../llm/llm-setup.js";

export { ConfigError } from "../core/errors.js";

// The only module that reads process.env. Everything else receives a typed Config.

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** An unset or blank variable is "not configured", not an empty value. */
const optionalString = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
  z.string().trim().optional(),
);
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess((v) => (v === undefined || (typeof v === "string" && v.trim() === "") ? fallback : v), schema);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
const optionalUrl = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
  httpUrl.optional(),
);
const optionalMatching = (re: RegExp, expected: string) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v),
    z.string().regex(re, expected).optional(),
  );

const optionalInt = (min: number, max: number) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), int(min, max).optional());

const envSchema = z.object({
  DATA_DIR: withDefault(z.string(), path.join(packageRoot, "data")),
  PROMPTS_DIR: withDefault(z.string(), path.join(packageRoot, "prompts")),
  LOG_LEVEL: withDefault(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]), "info"),
  HOST: optionalString,
  PORT: withDefault(int(0, 65535), 3000),
  RETRIEVAL_K: withDefault(int(1, 20), 4),
  RATE_LIMIT_PER_USER: withDefault(int(0, 100_000), 20),
  RATE_LIMIT_PER_CHANNEL: withDefault(int(0, 100_000), 60),
  RATE_LIMIT_WINDOW_MS: withDefault(int(1000, 86_400_000), 60_000),
  REDIS_URL: optionalMatching(/^rediss?:\/\/\S+$/, "must be a redis:// or rediss:// URL"),
  SHUTDOWN_GRACE_MS: withDefault(int(0, 600_000), 10_000),
  PLAYGROUND: withDefault(z.enum(["auto", "on", "off"]), "auto"),
  PLAYGROUND_TOKEN: optionalMatching(/^\S{16,}$/, "must be at least 16 characters without spaces"),
  ADMIN_TOKEN: optionalMatching(/^\S{16,}$/, "must be at least 16 characters without spaces"),
  // What is kept of each free question (see README, "What Spotlight keeps").
  ANSWER_LOG: withDefault(z.enum(["on", "redacted", "off"]), "on"),
  ANSWER_LOG_DIR: withDefault(z.string(), ".spotlight"),
  ANSWER_LOG_MAX_RECORDS: withDefault(int(100, 10_000_000), 10_000),
  ANSWER_LOG_RETENTION_DAYS: withDefault(int(1, 3650), 30),
  ANSWER_LOG_SALT: optionalMatching(/^\S{16,}$/, "must be at least 16 characters without spaces"),

  OPENAI_BASE_URL: optionalUrl,
  OPENAI_API_KEY: optionalString,
  OPENAI_MODEL: withDefault(z.string().min(1), "gpt-4o-mini"),
  LLM_TIMEOUT_MS: withDefault(int(1000, 600_000), 60_000),
  LLM_FIRST_TOKEN_TIMEOUT_MS: withDefault(int(500, 600_000), 30_000),
  LLM_MAX_TOKENS: optionalInt(16, 32_768),
  LLM_TEMPERATURE: withDefault(z.coerce.number().min(0).max(2), 0.2),
  LLM_CONTEXT_TOKENS: optionalInt(256, 1_000_000),
  LLM_MAX_CONCURRENCY: optionalInt(1, 256),
  LLM_QUEUE_SIZE: withDefault(int(0, 10_000), 16),
  LLM_STREAM: withDefault(bool, "true"),
  // The model path against real servers: learned sizes, breaker, readiness, uncited answers.
  LLM_BREAKER_COOLDOWN_MS: withDefault(int(1000, 3_600_000), 30_000),
  LLM_PROBE_INTERVAL_MS: withDefault(int(250, 600_000), 2000),
  LLM_UNCITED: withDefault(z.enum(["notice", "fallback"]), "notice"),
  READINESS_REQUIRES_MODEL: withDefault(bool, "false"),

  SLACK_BOT_TOKEN: optionalMatching(/^xoxb-[\w-]+$/, "must be a bot token starting with xoxb-"),
  SLACK_APP_TOKEN: optionalMatching(
    /^xapp-[\w-]+$/,
    "must be an app-level token starting with xapp- (with connections:write)",
  ),
  SLACK_SIGNING_SECRET: optionalMatching(
    /^[0-9a-f]{16,128}$/i,
    "must be the app's signing secret (hex, from Basic Information)",
  ),
  SLACK_API_URL: optionalUrl,
  SLACK_COMMAND_PREFIX: withDefault(
    z.string().regex(/^[a-z0-9-]{0,10}$/, "must be up to 10 lower-case letters, digits or dashes"),
    "",
  ),
  SLACK_COMMAND_STYLE: withDefault(z.enum(["commands", "umbrella"]), "commands"),
  SLACK_PROJECT_SHORTCUTS: withDefault(bool, "false"),
  SLACK_MENTION_ONLY: withDefault(bool, "false"),

  DISCORD_TOKEN: optionalMatching(
    /^[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}$/,
    "must be a bot token (three dot-separated parts, from the Bot page)",
  ),
  DISCORD_APPLICATION_ID: optionalMatching(/^\d{15,21}$/, "must be the numeric application id (a snowflake)"),
  DISCORD_PUBLIC_KEY: optionalMatching(
    /^[0-9a-f]{64}$/i,
    "must be the application's public key (64 hex characters)",
  ),
  DISCORD_GUILD_ID: optionalMatching(/^\d{15,21}$/, "must be a numeric guild id (a snowflake)"),
  DISCORD_API_URL: optionalUrl,
  DISCORD_MESSAGE_CONTENT: withDefault(bool, "false"),
  DISCORD_REGISTER_ON_START: withDefault(bool, "false"),
});

export type LlmConfig = LlmOptions;
export type SlackConfig = SlackSettings;
export type DiscordConfig = DiscordSettings;
export type DiscordInteractionsConfig = DiscordInteractionsSettings;

export interface Config {
  dataDir: string;
  promptsDir: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  host: string;
  port: number;
  retrievalK: number;
  rateLimits: { perUser: number; perChannel: number; windowMs: number };
  /** Shared state for several replicas (de-duplication, memory, rate limits, answer cache). */
  redisUrl?: string;
  /** How long SIGTERM waits for in-flight answers. */
  shutdownGraceMs: number;
  /**
   * The web playground: on when enabled, or by default when no chat platform is configured.
   * A token, when set, is required to use it (Bearer header or basic-auth password).
   */
  playground: { enabled: boolean; token?: string };
  /** Guards admin actions (POST /admin/reload, `spotlight reload`); they are off without it. */
  adminToken?: string;
  /** The record kept of every free question, and where (Redis with REDIS_URL, else a local file). */
  answerLog: AnswerLogSettings;
  llm?: LlmConfig;
  slack?: SlackConfig;
  /**
   * How `slack-manifest` shapes the app. Read with or without Slack tokens: the manifest comes
   * first (it creates the app whose tokens are then set).
   */
  slackManifest: {
    prefix: string;
    style: "commands" | "umbrella";
    shortcuts: boolean;
    mentionOnly: boolean;
  };
  discord?: DiscordConfig;
  discordInteractions?: DiscordInteractionsConfig;
}

/** Reads and validates the environment once. Throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const config: Config = {
    dataDir: path.resolve(e.DATA_DIR),
    promptsDir: path.resolve(e.PROMPTS_DIR),
    logLevel: e.LOG_LEVEL,
    // Loopback unless configured: only a platform's HTTP endpoint needs to be reachable from outside.
    host: e.HOST ?? (e.SLACK_SIGNING_SECRET || e.DISCORD_PUBLIC_KEY ? "0.0.0.0" : "127.0.0.1"),
    port: e.PORT,
    retrievalK: e.RETRIEVAL_K,
    slackManifest: {
      prefix: e.SLACK_COMMAND_PREFIX,
      style: e.SLACK_COMMAND_STYLE,
      shortcuts: e.SLACK_PROJECT_SHORTCUTS,
      mentionOnly: e.SLACK_MENTION_ONLY,
    },
    rateLimits: {
      perUser: e.RATE_LIMIT_PER_USER,
      perChannel: e.RATE_LIMIT_PER_CHANNEL,
      windowMs: e.RATE_LIMIT_WINDOW_MS,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    playground: { enabled: false },
    answerLog: {
      mode: e.ANSWER_LOG,
      dir: path.resolve(e.ANSWER_LOG_DIR),
      maxRecords: e.ANSWER_LOG_MAX_RECORDS,
      retentionMs: e.ANSWER_LOG_RETENTION_DAYS * 86_400_000,
      ...(e.ANSWER_LOG_SALT ? { salt: e.ANSWER_LOG_SALT } : {}),
    },
  };
  if (e.REDIS_URL) config.redisUrl = e.REDIS_URL;

  if (e.OPENAI_BASE_URL) {
    config.llm = {
      baseURL: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL,
      timeoutMs: e.LLM_TIMEOUT_MS,
      firstTokenTimeoutMs: Math.min(e.LLM_FIRST_TOKEN_TIMEOUT_MS, e.LLM_TIMEOUT_MS),
      temperature: e.LLM_TEMPERATURE,
      queueSize: e.LLM_QUEUE_SIZE,
      stream: e.LLM_STREAM,
      breakerCooldownMs: e.LLM_BREAKER_COOLDOWN_MS,
      probeIntervalMs: e.LLM_PROBE_INTERVAL_MS,
      uncited: e.LLM_UNCITED,
      requiredForReadiness: e.READINESS_REQUIRES_MODEL,
    };
    if (e.OPENAI_API_KEY) config.llm.apiKey = e.OPENAI_API_KEY;
    if (e.LLM_MAX_TOKENS !== undefined) config.llm.maxTokens = e.LLM_MAX_TOKENS;
    if (e.LLM_CONTEXT_TOKENS !== undefined) config.llm.contextTokens = e.LLM_CONTEXT_TOKENS;
    if (e.LLM_MAX_CONCURRENCY !== undefined) config.llm.maxConcurrency = e.LLM_MAX_CONCURRENCY;
    if (
      e.LLM_MAX_TOKENS !== undefined &&
      e.LLM_CONTEXT_TOKENS !== undefined &&
      e.LLM_MAX_TOKENS >= e.LLM_CONTEXT_TOKENS
    )
      problems.push(
        `LLM_MAX_TOKENS: ${e.LLM_MAX_TOKENS} leaves no room for a prompt in LLM_CONTEXT_TOKENS=${e.LLM_CONTEXT_TOKENS} (the reply and the prompt share the context); set it well below, e.g. ${Math.floor(e.LLM_CONTEXT_TOKENS / 4)}`,
      );
  } else if (e.OPENAI_API_KEY) {
    problems.push(
      "OPENAI_API_KEY: is set but OPENAI_BASE_URL is not; set OPENAI_BASE_URL (e.g. http://localai:8080/v1) to use a model",
    );
  }

  const anySlack = e.SLACK_BOT_TOKEN || e.SLACK_APP_TOKEN || e.SLACK_SIGNING_SECRET;
  if (anySlack) {
    if (!e.SLACK_BOT_TOKEN) problems.push("SLACK_BOT_TOKEN: is required when Slack is configured (xoxb-…)");
    if (!e.SLACK_APP_TOKEN && !e.SLACK_SIGNING_SECRET) {
      problems.push(
        "SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: one is required (Socket Mode or the HTTP Events API)",
      );
    }
    if (e.SLACK_BOT_TOKEN && (e.SLACK_APP_TOKEN || e.SLACK_SIGNING_SECRET)) {
      config.slack = {
        mode: e.SLACK_APP_TOKEN ? "socket" : "http",
        botToken: e.SLACK_BOT_TOKEN,
        commandPrefix: e.SLACK_COMMAND_PREFIX,
      };
      if (e.SLACK_APP_TOKEN) config.slack.appToken = e.SLACK_APP_TOKEN;
      if (e.SLACK_SIGNING_SECRET) config.slack.signingSecret = e.SLACK_SIGNING_SECRET;
      if (e.SLACK_API_URL) config.slack.apiUrl = e.SLACK_API_URL;
    }
  }

  if (e.DISCORD_TOKEN) {
    if (!e.DISCORD_APPLICATION_ID)
      problems.push(
        "DISCORD_APPLICATION_ID: is required with DISCORD_TOKEN (General Information → Application ID)",
      );
    else {
      config.discord = {
        token: e.DISCORD_TOKEN,
        applicationId: e.DISCORD_APPLICATION_ID,
        messageContent: e.DISCORD_MESSAGE_CONTENT,
        registerOnStart: e.DISCORD_REGISTER_ON_START,
      };
      if (e.DISCORD_PUBLIC_KEY) config.discord.publicKey = e.DISCORD_PUBLIC_KEY;
      if (e.DISCORD_GUILD_ID) config.discord.guildId = e.DISCORD_GUILD_ID;
      if (e.DISCORD_API_URL) config.discord.apiUrl = e.DISCORD_API_URL;
    }
  }
  if (e.DISCORD_PUBLIC_KEY) {
    const keyProblem = ed25519KeyProblem(e.DISCORD_PUBLIC_KEY);
    if (keyProblem)
      problems.push(`DISCORD_PUBLIC_KEY: ${keyProblem}; copy the application's public key again`);
    if (!e.DISCORD_APPLICATION_ID)
      problems.push("DISCORD_APPLICATION_ID: is required with DISCORD_PUBLIC_KEY");
    else {
      config.discordInteractions = {
        publicKey: e.DISCORD_PUBLIC_KEY,
        applicationId: e.DISCORD_APPLICATION_ID,
      };
      if (e.DISCORD_TOKEN) config.discordInteractions.token = e.DISCORD_TOKEN;
      if (e.DISCORD_API_URL) config.discordInteractions.apiUrl = e.DISCORD_API_URL;
    }
  }
  config.playground.enabled = e.PLAYGROUND === "on" || (e.PLAYGROUND === "auto" && !hasPlatform(config));
  if (e.PLAYGROUND_TOKEN) config.playground.token = e.PLAYGROUND_TOKEN;
  if (e.ADMIN_TOKEN) config.adminToken = e.ADMIN_TOKEN;
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** True when any chat platform is configured. */
export function hasPlatform(config: Config): boolean {
  return Boolean(config.slack || config.discord || config.discordInteractions);
}
