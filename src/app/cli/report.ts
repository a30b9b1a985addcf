import { parseArgs } from "node:util";
import type { AnswerLog } from "../../core/insight/answer-record.js";
import { parseWhen } from "../../core/insight/period.js";
import { buildReport } from "../../core/insight/report.js";
import { reportMarkdown } from "../../core/insight/report-markdown.js";
import { createAnswerLog } from "../../stores/answer-log.js";
import { connectRedis } from "../../stores/redis-stores.js";
import type { Config } from "../config.js";
import { type CliIo, UsageError } from "./io.js";

/** A --since/--until value, or a usage error naming it. */
function when(value: string, now: number): number {
  const at = parseWhen(value, now);
  if (at === undefined)
    throw new UsageError(`Not a date, time or duration: "${value}" (e.g. 2026-01-31, 7d, 12h).`);
  return at;
}

/** `spotlight report [--since WHEN] [--until WHEN] [--json] [--limit N]`: what people asked and how it went. */
export async function report(
  args: string[],
  config: Config,
  io: CliIo,
  now: number = Date.now(),
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      since: { type: "string" },
      until: { type: "string" },
      json: { type: "boolean" },
      limit: { type: "string" },
    },
  });
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError("--limit must be a positive whole number.");
  const range = {
    ...(values.since ? { since: when(values.since, now) } : {}),
    ...(values.until ? { until: when(values.until, now) } : {}),
  };
  if (config.answerLog.mode === "off") {
    io.stderr.write("spotlight: answers are not recorded (ANSWER_LOG=off); the report is empty.\n");
  }
  const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
  try {
    const log: AnswerLog | undefined = createAnswerLog({ ...config.answerLog, mode: "on" }, redis, () => now);
    const records = log ? await log.list(range) : [];
    const built = buildReport(config.answerLog.mode === "off" ? [] : records, range, limit);
    io.stdout.write(values.json ? `${JSON.stringify(built, null, 2)}\n` : reportMarkdown(built));
    return 0;
  } finally {
    await redis?.quit().catch(() => redis.disconnect());
  }
}
