import type { AnswerMode, FallbackReason, Language, Platform } from "../types.js";

/**
 * How a free question ended, as a maintainer reads it: answered by the model or extractively, a
 * hedged answer (the detail asked is not in the knowledge base), a decline, a request for the
 * subject, or an extractive fallback while a model is configured (with its reason).
 */
export type AnswerOutcome = "model" | "extractive" | "hedged" | "declined" | "clarify" | "fallback";

export const ANSWER_OUTCOMES: readonly AnswerOutcome[] = [
  "model",
  "extractive",
  "hedged",
  "declined",
  "clarify",
  "fallback",
];

/** A passage an answer cited (its text is not kept: the knowledge base has it). */
export interface RecordedSource {
  n: number;
  articleId: string;
  title: string;
  section: string;
  url: string;
}

/** One 👍/👎 on a recorded answer; `reason` is the optional one line given with a 👎. */
export interface RecordedFeedback {
  value: "up" | "down";
  reason?: string;
  platform: Platform;
  /** Salted hash of the rater's platform user id. */
  userHash: string;
  at: number;
}

/** What is kept of one free question and its answer. User ids are kept only as salted hashes. */
export interface AnswerRecord {
  id: string;
  /** Milliseconds since the epoch. */
  at: number;
  platform: Platform;
  conversationId: string;
  userHash: string;
  /** Absent when question text is redacted (ANSWER_LOG=redacted). */
  question?: string;
  language: Language;
  mode: AnswerMode;
  outcome: AnswerOutcome;
  fallback?: FallbackReason;
  sources: RecordedSource[];
  /** Retrieval scores of the passages retrieved, best first, and the share of the question covered. */
  retrieval: { scores: number[]; coverage?: number };
  latencyMs: number;
  /** Filled when read back: the latest feedback of each rater. */
  feedback: RecordedFeedback[];
}

/** A feedback event as stored: appended, folded into its answer's record when read. */
export interface FeedbackEvent {
  answerId: string;
  platform: Platform;
  userHash: string;
  at: number;
  /** Absent when the event only adds a reason to the rater's earlier 👎. */
  value?: "up" | "down";
  reason?: string;
}

/** A period: records at or after `since` and before `until` (milliseconds since the epoch). */
export interface TimeRange {
  since?: number;
  until?: number;
}

/** Where answer records are kept: a local JSON Lines file, or the shared store. */
export interface AnswerLog {
  append(record: AnswerRecord): Promise<void>;
  appendFeedback(event: FeedbackEvent): Promise<void>;
  /** Records within the range and the retention, oldest first, each with its feedback. */
  list(range?: TimeRange): Promise<AnswerRecord[]>;
  /** The salt user ids are hashed with: configured, or generated once and kept with the log. */
  salt(): Promise<string>;
}

/** What to keep: everything, everything but question text, or nothing; and for how long. */
export interface AnswerLogSettings {
  mode: "on" | "redacted" | "off";
  /** Folder of the local log (used without REDIS_URL). */
  dir: string;
  /** Most records kept; the oldest go first. */
  maxRecords: number;
  retentionMs: number;
  salt?: string;
}

export const DEFAULT_ANSWER_LOG_LIMITS = { maxRecords: 10_000, retentionMs: 30 * 86_400_000 } as const;

/** The outcome of a reply to a free question. */
export function answerOutcome(reply: {
  mode: AnswerMode;
  hedged?: boolean;
  fallback?: FallbackReason;
}): AnswerOutcome {
  if (reply.mode === "declined") return "declined";
  if (reply.mode === "clarify") return "clarify";
  if (reply.hedged) return "hedged";
  if (reply.fallback && reply.fallback !== "no-llm") return "fallback";
  return reply.mode === "llm" ? "model" : "extractive";
}

/** Feedback events folded into their records: the latest value per rater wins, a reason attaches to it. */
export function foldFeedback(records: AnswerRecord[], events: FeedbackEvent[]): AnswerRecord[] {
  const byId = new Map(records.map((r) => [r.id, { ...r, feedback: [] as RecordedFeedback[] }]));
  const sorted = [...events].sort((a, b) => a.at - b.at);
  for (const event of sorted) {
    const record = byId.get(event.answerId);
    if (!record) continue;
    const earlier = record.feedback.find((f) => f.userHash === event.userHash);
    if (event.value) {
      if (!earlier) {
        record.feedback.push({
          value: event.value,
          platform: event.platform,
          userHash: event.userHash,
          at: event.at,
          ...(event.reason ? { reason: event.reason } : {}),
        });
        continue;
      }
      earlier.value = event.value;
      earlier.at = event.at;
      // A changed vote drops the reason given with the earlier one.
      if (event.reason) earlier.reason = event.reason;
      else delete earlier.reason;
    } else if (earlier && event.reason) {
      earlier.reason = event.reason;
    }
  }
  return [...byId.values()];
}

/** Records inside a range and the retention window, oldest first, at most `max` (the newest). */
export function withinLimits(
  records: AnswerRecord[],
  range: TimeRange,
  limits: { maxRecords: number; retentionMs: number },
  now: number,
): AnswerRecord[] {
  const oldest = now - limits.retentionMs;
  const kept = records
    .filter((r) => r.at >= oldest)
    .sort((a, b) => a.at - b.at)
    .slice(-limits.maxRecords);
  return kept.filter(
    (r) =>
      (range.since === undefined || r.at >= range.since) && (range.until === undefined || r.at < range.until),
  );
}
