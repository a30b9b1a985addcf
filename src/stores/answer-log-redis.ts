import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import {
  type AnswerLog,
  type AnswerRecord,
  type FeedbackEvent,
  foldFeedback,
  type TimeRange,
  withinLimits,
} from "../core/insight/answer-record.js";

const RECORDS = "spotlight:answers";
const FEEDBACK = "spotlight:answer-feedback:";
const SALT = "spotlight:answer-log-salt";

/**
 * Answer records in the shared store, so every replica's answers land in one log: a sorted set by
 * time, trimmed to the newest `maxRecords` and to the retention window on every write; feedback
 * in a list per answer that expires with it.
 */
export class RedisAnswerLog implements AnswerLog {
  constructor(
    private readonly redis: Redis,
    private readonly limits: { maxRecords: number; retentionMs: number; salt?: string },
    private readonly now: () => number = Date.now,
  ) {}

  async append(record: AnswerRecord): Promise<void> {
    const { feedback: _feedback, ...kept } = record;
    await this.redis
      .multi()
      .zadd(RECORDS, record.at, JSON.stringify({ ...kept, feedback: [] }))
      .zremrangebyscore(RECORDS, "-inf", `(${this.now() - this.limits.retentionMs}`)
      .zremrangebyrank(RECORDS, 0, -(this.limits.maxRecords + 1))
      .exec();
  }

  async appendFeedback(event: FeedbackEvent): Promise<void> {
    const key = `${FEEDBACK}${event.answerId}`;
    await this.redis
      .multi()
      .rpush(key, JSON.stringify(event))
      .ltrim(key, -100, -1)
      .pexpire(key, this.limits.retentionMs)
      .exec();
  }

  async list(range: TimeRange = {}): Promise<AnswerRecord[]> {
    const oldest = Math.max(range.since ?? 0, this.now() - this.limits.retentionMs);
    const until = range.until === undefined ? "+inf" : `(${range.until}`;
    const raw = await this.redis.zrangebyscore(RECORDS, oldest, until);
    const records = raw.flatMap((json) => {
      try {
        return [JSON.parse(json) as AnswerRecord];
      } catch {
        return [];
      }
    });
    const pipeline = this.redis.pipeline();
    for (const record of records) pipeline.lrange(`${FEEDBACK}${record.id}`, 0, -1);
    const results = records.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    const events: FeedbackEvent[] = [];
    for (const [error, value] of results) {
      if (error || !Array.isArray(value)) continue;
      for (const json of value) {
        try {
          events.push(JSON.parse(String(json)) as FeedbackEvent);
        } catch {
          // A malformed entry costs that entry only.
        }
      }
    }
    return withinLimits(foldFeedback(records, events), range, this.limits, this.now());
  }

  async salt(): Promise<string> {
    if (this.limits.salt) return this.limits.salt;
    // Every replica must hash with the same salt: the first to start sets it, the others read it.
    await this.redis.set(SALT, randomBytes(24).toString("base64url"), "NX");
    const salt = await this.redis.get(SALT);
    if (!salt) throw new Error("the answer log's salt could not be read from Redis");
    return salt;
  }
}
