import { tokenize } from "../knowledge/tokenize.js";
import type { FallbackReason, Platform } from "../types.js";
import type {
  AnswerOutcome,
  AnswerRecord,
  RecordedFeedback,
  RecordedSource,
  TimeRange,
} from "./answer-record.js";

/** Questions alike enough to count as one (share of their terms in common). */
export const SIMILARITY = 0.5;

/** A question as the report lists it, with every record asking it. */
export interface QuestionGroup {
  /** The most asked wording. */
  question: string;
  /** Every distinct wording in the group. */
  variants: string[];
  count: number;
  ids: string[];
  platforms: Platform[];
  feedback: { up: number; down: number };
}

/** An answer rated 👎, with what a maintainer needs to fix it. */
export interface DislikedAnswer {
  id: string;
  at: string;
  platform: Platform;
  question?: string;
  outcome: AnswerOutcome;
  sources: RecordedSource[];
  reasons: string[];
  feedback: { up: number; down: number };
}

export interface InsightReport {
  period: { since?: string; until?: string };
  totals: {
    questions: number;
    byOutcome: Record<AnswerOutcome, number>;
    feedback: { up: number; down: number };
    /** Share of questions declined or hedged: what the knowledge base could not answer. */
    gapRate: number;
  };
  topQuestions: QuestionGroup[];
  declined: QuestionGroup[];
  hedged: QuestionGroup[];
  disliked: DislikedAnswer[];
  /** Extractive answers given in place of the model's, by reason, as counts and shares of all questions. */
  fallbacks: { reason: FallbackReason; count: number; rate: number }[];
}

function votes(feedback: RecordedFeedback[]): { up: number; down: number } {
  return {
    up: feedback.filter((f) => f.value === "up").length,
    down: feedback.filter((f) => f.value === "down").length,
  };
}

function terms(question: string): Set<string> {
  return new Set(tokenize(question));
}

function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * Groups records by question: identical wordings first, then wordings sharing at least
 * SIMILARITY of their terms with a group's first one. Largest groups first; redacted questions are
 * one group.
 */
export function groupQuestions(records: AnswerRecord[], limit = 20): QuestionGroup[] {
  const byText = new Map<string, AnswerRecord[]>();
  for (const r of records) {
    const key = r.question === undefined ? "" : r.question.trim().replace(/\s+/g, " ");
    byText.set(key, [...(byText.get(key) ?? []), r]);
  }
  // Most asked first; among equals, the wording asked first.
  const firstAt = (rs: AnswerRecord[]): number => Math.min(...rs.map((r) => r.at));
  const wordings = [...byText.entries()].sort(
    (a, b) => b[1].length - a[1].length || firstAt(a[1]) - firstAt(b[1]),
  );
  const groups: { terms: Set<string>; wordings: [string, AnswerRecord[]][] }[] = [];
  for (const wording of wordings) {
    const t = terms(wording[0]);
    const home =
      wording[0] === ""
        ? undefined
        : groups.find((g) => g.wordings[0]?.[0] !== "" && similarity(g.terms, t) >= SIMILARITY);
    if (home) home.wordings.push(wording);
    else groups.push({ terms: t, wordings: [wording] });
  }
  return groups
    .map((g) => {
      const all = g.wordings.flatMap(([, rs]) => rs).sort((a, b) => a.at - b.at);
      const feedback = votes(all.flatMap((r) => r.feedback));
      return {
        question: g.wordings[0]?.[0] || "(redacted)",
        variants: g.wordings.map(([w]) => w || "(redacted)"),
        count: all.length,
        ids: all.map((r) => r.id),
        platforms: [...new Set(all.map((r) => r.platform))].sort(),
        feedback,
      };
    })
    .sort((a, b) => b.count - a.count || a.question.localeCompare(b.question))
    .slice(0, limit);
}

/** What people asked over a period and how it went: the maintainer's view of the answer log. */
export function buildReport(records: AnswerRecord[], range: TimeRange = {}, limit = 20): InsightReport {
  const inRange = records.filter(
    (r) =>
      (range.since === undefined || r.at >= range.since) && (range.until === undefined || r.at < range.until),
  );
  const byOutcome: Record<AnswerOutcome, number> = {
    model: 0,
    extractive: 0,
    hedged: 0,
    declined: 0,
    clarify: 0,
    fallback: 0,
  };
  for (const r of inRange) byOutcome[r.outcome]++;
  const total = inRange.length;
  const share = (n: number): number => (total === 0 ? 0 : Math.round((n / total) * 1000) / 1000);
  const fallbackCounts = new Map<FallbackReason, number>();
  for (const r of inRange)
    if (r.fallback) fallbackCounts.set(r.fallback, (fallbackCounts.get(r.fallback) ?? 0) + 1);
  return {
    period: {
      ...(range.since !== undefined ? { since: new Date(range.since).toISOString() } : {}),
      ...(range.until !== undefined ? { until: new Date(range.until).toISOString() } : {}),
    },
    totals: {
      questions: total,
      byOutcome,
      feedback: votes(inRange.flatMap((r) => r.feedback)),
      gapRate: share(byOutcome.declined + byOutcome.hedged),
    },
    topQuestions: groupQuestions(inRange, limit),
    declined: groupQuestions(
      inRange.filter((r) => r.outcome === "declined"),
      limit,
    ),
    hedged: groupQuestions(
      inRange.filter((r) => r.outcome === "hedged"),
      limit,
    ),
    disliked: inRange
      .filter((r) => r.feedback.some((f) => f.value === "down"))
      .map((r) => ({
        id: r.id,
        at: new Date(r.at).toISOString(),
        platform: r.platform,
        ...(r.question !== undefined ? { question: r.question } : {}),
        outcome: r.outcome,
        sources: r.sources,
        reasons: r.feedback.flatMap((f) => (f.value === "down" && f.reason ? [f.reason] : [])),
        feedback: votes(r.feedback),
      }))
      .reverse()
      .slice(0, limit),
    fallbacks: [...fallbackCounts.entries()]
      .map(([reason, count]) => ({ reason, count, rate: share(count) }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  };
}
