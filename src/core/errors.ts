/**
 * One coded error family for the whole bot: core, model, queue, platforms and CLI. Callers key on
 * `code` (exit codes, replies, logs, metrics), never on messages, which are written per language.
 */
export type ErrorCode =
  | "bad-request"
  | "unknown-command"
  | "unknown-project"
  | "ambiguous-project"
  | "question-empty"
  | "question-too-long"
  | "rate-limited"
  | "shutting-down"
  | "usage"
  | "bad-config"
  | "bad-data"
  | "llm-failed"
  | "llm-busy"
  | "platform-failed"
  | "internal";

/** An error with a code and an optional cause. Its message may hold internal detail: never show it to users. */
export class BotError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BotError";
    this.code = code;
  }
}

/** An error whose message is written for the user and safe to show as is. */
export class UserError extends BotError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "UserError";
  }
}

/** A knowledge-base file that does not validate: names the file, the field and the reason. */
export class DataError extends BotError {
  readonly file: string;
  readonly field: string;
  readonly reason: string;
  constructor(file: string, field: string, reason: string) {
    super("bad-data", `${file}: ${field || "(file)"}: ${reason}`);
    this.name = "DataError";
    this.file = file;
    this.field = field;
    this.reason = reason;
  }
}

/** Bad configuration: the message names every offending variable and what it expects. */
export class ConfigError extends BotError {
  constructor(readonly problems: string[]) {
    super("bad-config", `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** The code of any error: a BotError's own, "internal" for everything else. */
export function errorCode(error: unknown): ErrorCode {
  return error instanceof BotError ? error.code : "internal";
}

/**
 * The process exit code for an error code, in one place: 2 for a command line that cannot be
 * understood (as most Unix tools do), 1 for every other failure. 0 is only for success.
 */
export function exitCodeFor(code: ErrorCode): number {
  return code === "usage" ? 2 : 1;
}
