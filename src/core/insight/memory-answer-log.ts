import {
  type AnswerLog,
  type AnswerRecord,
  DEFAULT_ANSWER_LOG_LIMITS,
  type FeedbackEvent,
  foldFeedback,
  type TimeRange,
  withinLimits,
} from "./answer-record.js";

/** Answer records in this process only (tests, and a terminal session that keeps nothing on disk). */
export class MemoryAnswerLog implements AnswerLog {
  private records: AnswerRecord[] = [];
  private events: FeedbackEvent[] = [];

  constructor(
    private readonly limits: { maxRecords: number; retentionMs: number } = DEFAULT_ANSWER_LOG_LIMITS,
    private readonly now: () => number = Date.now,
    private readonly saltValue = "in-memory-salt",
  ) {}

  async append(record: AnswerRecord): Promise<void> {
    this.records.push({ ...record, feedback: [] });
    this.records = withinLimits(this.records, {}, this.limits, this.now());
  }

  async appendFeedback(event: FeedbackEvent): Promise<void> {
    this.events.push(event);
  }

  async list(range: TimeRange = {}): Promise<AnswerRecord[]> {
    return withinLimits(foldFeedback(this.records, this.events), range, this.limits, this.now());
  }

  async salt(): Promise<string> {
    return this.saltValue;
  }
}
