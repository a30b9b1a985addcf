import { pino } from "pino";
import type { Logger } from "../core/logger.js";

/** Keys whose values never reach a log line, at any depth. */
const SECRET_KEY = /token|secret|password|passwd|api[-_]?key|authorization|cookie|public[-_]?key|signature/i;
const CENSOR = "[redacted]";

/** A copy of a log record with secret-named fields censored, however deep (pino's paths are fixed-depth). */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (value instanceof Error) {
    // Errors keep their message and stack for debugging; their own fields are walked too.
    const fields = redactSecrets({ ...value }, depth + 1, seen) as Record<string, unknown>;
    return { type: value.name, message: value.message, stack: value.stack, ...fields };
  }
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      SECRET_KEY.test(key) && v !== undefined && v !== null ? CENSOR : redactSecrets(v, depth + 1, seen);
  }
  return out;
}

/** JSON logs to stderr (stdout stays free for CLI output such as --json); secrets censored at any depth. */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      base: { service: "spotlight" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (record) => redactSecrets(record) as Record<string, unknown> },
      // pino serializes `err` before formatters run; keep its standard shape, then censor.
      serializers: { err: (e: unknown) => redactSecrets(pino.stdSerializers.err(e as Error)) },
    },
    destination as pino.DestinationStream,
  ) as unknown as Logger;
}
