import { createHmac, randomBytes } from "node:crypto";
import type { AskResult, QuestionService } from "../answer/question-service.js";
import type { Logger } from "../logger.js";
import type { QuestionRequest } from "../types.js";
import {
  type AnswerLog,
  type AnswerRecord,
  answerOutcome,
  type FeedbackEvent,
  type TimeRange,
} from "./answer-record.js";

/** A question the bot asked its question service while answering one request. */
export interface AskedQuestion {
  question: string;
  result: AskResult;
}

/** A 👍/👎 (or the reason given after a 👎) as adapters report it. */
export interface FeedbackInput {
  platform: QuestionRequest["platform"];
  userId: string;
  answerId: string;
  value?: "up" | "down";
  reason?: string;
}

/** Longest reason kept: one line. */
export const FEEDBACK_REASON_CHARS = 200;

/** A new record id: 12 URL-safe characters, short enough for a Discord custom id beside a conversation. */
export function newAnswerId(): string {
  return randomBytes(9).toString("base64url");
}

export const ANSWER_ID = /^[A-Za-z0-9_-]{12}$/;

/** A reason as one trimmed line of bounded length; undefined when empty. */
export function oneLine(reason: string | undefined): string | undefined {
  const line = (reason ?? "").replace(/\s+/g, " ").trim().slice(0, FEEDBACK_REASON_CHARS);
  return line === "" ? undefined : line;
}

/**
 * Turns answered questions and feedback into answer records. Never throws: a log that cannot be
 * written costs the record, never the answer.
 */
export class AnswerRecorder {
  private saltValue: Promise<string> | undefined;
  private failing = false;

  constructor(
    private readonly log: AnswerLog,
    private readonly options: { redactQuestions: boolean; logger: Logger; now?: () => number },
  ) {}

  /**
   * The question service as commands see it, noting each question asked through it, so `/ask` and
   * shortcut commands are recorded like mentions.
   */
  observe(questions: QuestionService): {
    questions: QuestionService;
    asked: () => AskedQuestion | undefined;
  } {
    let asked: AskedQuestion | undefined;
    const observed = Object.create(questions) as QuestionService;
    observed.ask = async (question, options) => {
      const result = await questions.ask(question, options);
      asked = { question, result };
      return result;
    };
    return { questions: observed, asked: () => asked };
  }

  /** Records an answered question; returns the record's id, or undefined when it was not kept. */
  async record(
    request: Pick<QuestionRequest, "platform" | "conversationId" | "userId">,
    asked: AskedQuestion,
    latencyMs: number,
  ): Promise<string | undefined> {
    const { reply, retrieval } = asked.result;
    if (!reply.mode) return undefined;
    const id = newAnswerId();
    try {
      await this.log.append({
        id,
        at: this.now(),
        platform: request.platform,
        conversationId: request.conversationId,
        userHash: await this.hash(request.platform, request.userId),
        ...(this.options.redactQuestions ? {} : { question: asked.question }),
        language: reply.language ?? "en",
        mode: reply.mode,
        outcome: answerOutcome({ ...reply, mode: reply.mode }),
        ...(reply.fallback ? { fallback: reply.fallback } : {}),
        sources: reply.sources.map(({ n, articleId, title, section, url }) => ({
          n,
          articleId,
          title,
          section,
          url,
        })),
        retrieval: {
          scores: (retrieval?.hits ?? []).map((h) => Math.round(h.score * 1000) / 1000),
          ...(retrieval ? { coverage: Math.round(retrieval.coverage * 1000) / 1000 } : {}),
        },
        latencyMs: Math.round(latencyMs),
        feedback: [],
      });
      this.failing = false;
      return id;
    } catch (error) {
      this.failed(error, "answer");
      return undefined;
    }
  }

  /** The records kept over a period, with their feedback. */
  list(range: TimeRange): Promise<AnswerRecord[]> {
    return this.log.list(range);
  }

  /** Ties a 👍/👎, or a 👎's reason, to its record. */
  async feedback(input: FeedbackInput): Promise<void> {
    if (!ANSWER_ID.test(input.answerId)) return;
    const reason = oneLine(input.reason);
    if (!input.value && !reason) return;
    try {
      const event: FeedbackEvent = {
        answerId: input.answerId,
        platform: input.platform,
        userHash: await this.hash(input.platform, input.userId),
        at: this.now(),
        ...(input.value ? { value: input.value } : {}),
        ...(reason ? { reason } : {}),
      };
      await this.log.appendFeedback(event);
    } catch (error) {
      this.failed(error, "feedback");
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async hash(platform: string, userId: string): Promise<string> {
    this.saltValue ??= this.log.salt();
    const salt = await this.saltValue.catch((error: unknown) => {
      this.saltValue = undefined;
      throw error;
    });
    return createHmac("sha256", salt).update(`${platform}:${userId}`).digest("base64url").slice(0, 16);
  }

  /** Logs the first failure of a run of them (never the record: it holds a question). */
  private failed(error: unknown, what: string): void {
    if (!this.failing) this.options.logger.warn({ err: error, what }, "answer log write failed");
    this.failing = true;
  }
}
