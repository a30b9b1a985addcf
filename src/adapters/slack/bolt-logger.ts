import { LogLevel, type Logger as SlackLogger } from "@slack/bolt";
import type { Logger } from "../../core/index.js";

const ORDER: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 0,
  [LogLevel.INFO]: 1,
  [LogLevel.WARN]: 2,
  [LogLevel.ERROR]: 3,
};

// Bolt and its clients log free text; a token must never reach our logs even if one slips into a
// message (an error echoing a request, a debug line).
const TOKEN = /\b(xox[abposr]|xapp)-[\w-]+/g;

function format(parts: unknown[]): string {
  return parts
    .map((p) => {
      if (typeof p === "string") return p;
      if (p instanceof Error) return p.message;
      try {
        return JSON.stringify(p);
      } catch {
        return String(p);
      }
    })
    .join(" ")
    .replace(TOKEN, "$1-[redacted]");
}

/** Maps our configured log level to Bolt's four. */
export function boltLevel(level: string): LogLevel {
  if (level === "trace" || level === "debug") return LogLevel.DEBUG;
  if (level === "info") return LogLevel.INFO;
  if (level === "warn") return LogLevel.WARN;
  return LogLevel.ERROR;
}

/** Bolt's logger interface over ours: structured, leveled, tokens redacted. */
export function boltLogger(logger: Logger, initial: LogLevel = LogLevel.INFO): SlackLogger {
  let level = initial;
  let log = logger.child({ component: "bolt" });
  const enabled = (l: LogLevel) => ORDER[l] >= ORDER[level];
  return {
    debug: (...msg: unknown[]) => {
      if (enabled(LogLevel.DEBUG)) log.debug({}, format(msg));
    },
    info: (...msg: unknown[]) => {
      if (enabled(LogLevel.INFO)) log.info({}, format(msg));
    },
    warn: (...msg: unknown[]) => {
      if (enabled(LogLevel.WARN)) log.warn({}, format(msg));
    },
    error: (...msg: unknown[]) => {
      if (enabled(LogLevel.ERROR)) log.error({}, format(msg));
    },
    setLevel(next: LogLevel) {
      level = next;
    },
    getLevel: () => level,
    setName(name: string) {
      log = logger.child({ component: name });
    },
  };
}
