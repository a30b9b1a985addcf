import { pino } from "pino";
import type { Logger } from "./core/logger.js";

/** Paths pino removes from every log line: credentials never reach logs. */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "apiKey",
  "*.apiKey",
  "botToken",
  "*.botToken",
  "appToken",
  "*.appToken",
  "signingSecret",
  "*.signingSecret",
  "publicKey",
  "*.publicKey",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "req.headers.authorization",
  "config.slack",
  "config.discord",
  "config.llm.apiKey",
];

/** JSON logs to stderr (stdout stays free for CLI output such as --json). */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: { service: "spotlight" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream,
  ) as unknown as Logger;
}
