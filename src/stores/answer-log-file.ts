import { randomBytes } from "node:crypto";
import { appendFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  type AnswerLog,
  type AnswerRecord,
  type FeedbackEvent,
  foldFeedback,
  type TimeRange,
  withinLimits,
} from "../core/insight/answer-record.js";

type Line = ({ type: "answer" } & AnswerRecord) | ({ type: "feedback" } & FeedbackEvent);

export const ANSWER_LOG_FILE = "answers.jsonl";
export const SALT_FILE = "salt";

/** How every answer line this log writes begins (JSON.stringify keeps `type` first). */
const ANSWER_LINE = Buffer.from('{"type":"answer"');
const FEEDBACK_LINE = Buffer.from('{"type":"feedback"');
const NEWLINE = 0x0a;
const CLOSING_BRACE = 0x7d;

function startsWith(bytes: Buffer, start: number, end: number, prefix: Buffer): boolean {
  return (
    end - start >= prefix.length &&
    bytes.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0
  );
}

/**
 * The answer lines of a JSON Lines log, counted without parsing the lines this log wrote: a full
 * log holds thousands, and parsing them all cost tens of megabytes of garbage on the first answer
 * after a start. A line written otherwise (edited by hand) is parsed; a cut or broken one is not
 * counted, as when the log is read.
 */
export function countAnswerLines(bytes: Buffer): number {
  let count = 0;
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline === -1 ? bytes.length : newline;
    if (startsWith(bytes, start, end, ANSWER_LINE)) {
      if (bytes[end - 1] === CLOSING_BRACE) count++;
    } else if (!startsWith(bytes, start, end, FEEDBACK_LINE) && end > start) {
      try {
        if ((JSON.parse(bytes.toString("utf8", start, end)) as { type?: unknown }).type === "answer") count++;
      } catch {
        // Not a record: skipped, as readLines skips it.
      }
    }
    start = end + 1;
  }
  return count;
}

/**
 * Answer records in a JSON Lines file (`answers.jsonl` under the log folder), one process writing.
 * Bounded: once the file holds a quarter more records than allowed, it is rewritten with the newest
 * ones inside the retention window (and their feedback).
 */
export class FileAnswerLog implements AnswerLog {
  private readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();
  private answers: number | undefined;

  constructor(
    private readonly dir: string,
    private readonly limits: { maxRecords: number; retentionMs: number; salt?: string },
    private readonly now: () => number = Date.now,
  ) {
    this.file = path.join(dir, ANSWER_LOG_FILE);
  }

  append(record: AnswerRecord): Promise<void> {
    const { feedback: _feedback, ...kept } = record;
    return this.serial(async () => {
      await this.write({ type: "answer", ...kept, feedback: [] });
      this.answers = (this.answers ?? (await this.countAnswers())) + 1;
      if (this.answers > Math.ceil(this.limits.maxRecords * 1.25)) await this.compact();
    });
  }

  appendFeedback(event: FeedbackEvent): Promise<void> {
    return this.serial(() => this.write({ type: "feedback", ...event }));
  }

  list(range: TimeRange = {}): Promise<AnswerRecord[]> {
    return this.serial(async () => withinLimits(await this.folded(), range, this.limits, this.now()));
  }

  salt(): Promise<string> {
    const configured = this.limits.salt;
    if (configured) return Promise.resolve(configured);
    return this.serial(async () => {
      const file = path.join(this.dir, SALT_FILE);
      const existing = await readFile(file, "utf8").catch(() => "");
      if (existing.trim()) return existing.trim();
      const salt = randomBytes(24).toString("base64url");
      await mkdir(this.dir, { recursive: true });
      await writeFile(file, `${salt}\n`, { mode: 0o600 });
      return salt;
    });
  }

  private async folded(): Promise<AnswerRecord[]> {
    const lines = await this.readLines();
    const records: AnswerRecord[] = [];
    const events: FeedbackEvent[] = [];
    for (const line of lines) {
      if (line.type === "answer") {
        const { type: _type, ...record } = line;
        records.push(record);
      } else {
        const { type: _type, ...event } = line;
        events.push(event);
      }
    }
    return foldFeedback(records, events);
  }

  /** Rewrites the file with what the limits keep; a crash midway leaves the old file whole. */
  private async compact(): Promise<void> {
    const kept = withinLimits(await this.folded(), {}, this.limits, this.now());
    const lines: Line[] = [];
    for (const { feedback, ...record } of kept) {
      lines.push({ type: "answer", ...record, feedback: [] });
      for (const f of feedback) lines.push({ type: "feedback", answerId: record.id, ...f });
    }
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, lines.map((l) => `${JSON.stringify(l)}\n`).join(""), { mode: 0o600 });
    await rename(temporary, this.file);
    this.answers = kept.length;
  }

  private async write(line: Line): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await appendFile(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }

  private async countAnswers(): Promise<number> {
    const bytes = await readFile(this.file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return Buffer.alloc(0);
      throw error;
    });
    return countAnswerLines(bytes);
  }

  private async readLines(): Promise<Line[]> {
    const text = await readFile(this.file, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return "";
      throw error;
    });
    const lines: Line[] = [];
    for (const raw of text.split("\n")) {
      if (!raw.trim()) continue;
      try {
        const line = JSON.parse(raw) as Line;
        if (line.type === "answer" || line.type === "feedback") lines.push(line);
      } catch {
        // A line cut short by a crash is skipped; the rest of the log still reads.
      }
    }
    return lines;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
