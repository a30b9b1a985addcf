/** Machine-readable error codes; adapters and logs key on these, never on messages. */
export type ErrorCode =
  | "bad-request"
  | "unknown-command"
  | "unknown-project"
  | "ambiguous-project"
  | "question-empty"
  | "question-too-long"
  | "rate-limited"
  | "bad-config"
  | "bad-data"
  | "llm-failed"
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
