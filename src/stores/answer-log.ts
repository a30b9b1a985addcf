import type { Redis } from "ioredis";
import type { AnswerLog, AnswerLogSettings } from "../core/insight/answer-record.js";
import { FileAnswerLog } from "./answer-log-file.js";
import { RedisAnswerLog } from "./answer-log-redis.js";

/** The answer log the settings ask for: none when off, the shared store with Redis, else a local file. */
export function createAnswerLog(
  settings: AnswerLogSettings,
  redis: Redis | undefined,
  now: () => number = Date.now,
): AnswerLog | undefined {
  if (settings.mode === "off") return undefined;
  const limits = {
    maxRecords: settings.maxRecords,
    retentionMs: settings.retentionMs,
    ...(settings.salt ? { salt: settings.salt } : {}),
  };
  return redis ? new RedisAnswerLog(redis, limits, now) : new FileAnswerLog(settings.dir, limits, now);
}
