import type { Answerer } from "./answer/answerer.js";
import { ExtractiveAnswerer } from "./answer/extractive.js";
import { type ConversationMemory, InMemoryConversationMemory } from "./answer/memory.js";
import { messages } from "./answer/messages.js";
import { QuestionService } from "./answer/question-service.js";
import { type Command, type CommandSpec, describeCommand, parsePositional } from "./commands/command.js";
import { buildCommandList } from "./commands/index.js";
import { commandLanguage } from "./commands/language.js";
import { describeUsageError } from "./commands/usage.js";
import { type ErrorCode, errorCode, UserError } from "./errors.js";
import { type AnswerRecord, answerOutcome, type TimeRange } from "./insight/answer-record.js";
import type { AnswerRecorder } from "./insight/answer-recorder.js";
import type { KnowledgeBase } from "./knowledge/knowledge-base.js";
import { SearchIndex } from "./knowledge/search-index.js";
import { detectLanguage } from "./knowledge/tokenize.js";
import { type Logger, silentLogger } from "./logger.js";
import { type BotMetrics, noopMetrics, type RequestOutcome } from "./metrics.js";
import { InMemoryRateLimiter, NO_RATE_LIMITS, type RateLimiter, type RateLimits } from "./rate-limit.js";
import {
  answerDraft,
  completeReply,
  markdownDraft,
  type Reply,
  type ReplyDraft,
  ReplyEventWriter,
  type StreamOptions,
} from "./reply.js";
import type { BotRequest, CommandRequest, HandleOptions, Language } from "./types.js";

export interface BotDeps {
  kb: KnowledgeBase;
  /** Defaults to a search index over `kb`. */
  index?: SearchIndex;
  /** Defaults to the extractive answerer. */
  answerer?: Answerer;
  memory?: ConversationMemory;
  logger?: Logger;
  metrics?: BotMetrics;
  rateLimiter?: RateLimiter;
  /** Per-user and per-channel request limits; none by default (the runtime sets them from config). */
  rateLimits?: RateLimits;
  /** Passages retrieved per free question (RETRIEVAL_K); 4 by default. */
  retrievalK?: number;
  /** Keeps a record of every free question and ties feedback to it; none when recording is off. */
  recorder?: AnswerRecorder;
}

/** A 👍/👎 on an answer. */
export interface Feedback {
  platform: BotRequest["platform"];
  conversationId: string;
  userId: string;
  /** The platform's id of the rated message. */
  messageRef: string;
  value: "up" | "down";
  /** The answer record the buttons carried, when answers are recorded. */
  answerId?: string;
  /** A one-line reason given with a 👎 where the platform asks for one. */
  reason?: string;
}

export type FeedbackListener = (feedback: Feedback) => void;

/**
 * The platform-independent bot: commands and free questions in, replies out.
 * Errors are caught here, once: a UserError is shown as is; anything else is logged and
 * the user gets a short apology.
 */
export class Bot {
  private knowledge: { kb: KnowledgeBase; index: SearchIndex; questions: QuestionService };
  private commandList: Command[];
  private byName: Map<string, Command>;
  private readonly memory: ConversationMemory;
  private readonly retrievalK: number | undefined;
  readonly logger: Logger;
  readonly metrics: BotMetrics;
  private readonly rateLimiter: RateLimiter;
  private readonly rateLimits: RateLimits;
  private readonly feedbackListeners: FeedbackListener[] = [];
  private readonly recorder: AnswerRecorder | undefined;
  private active = 0;
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  constructor(deps: BotDeps) {
    this.logger = deps.logger ?? silentLogger;
    this.metrics = deps.metrics ?? noopMetrics;
    this.rateLimiter = deps.rateLimiter ?? new InMemoryRateLimiter();
    this.rateLimits = deps.rateLimits ?? NO_RATE_LIMITS;
    this.recorder = deps.recorder;
    this.memory = deps.memory ?? new InMemoryConversationMemory();
    this.retrievalK = deps.retrievalK;
    const index = deps.index ?? new SearchIndex(deps.kb);
    this.knowledge = {
      kb: deps.kb,
      index,
      questions: this.questionService(index, deps.answerer ?? new ExtractiveAnswerer(index)),
    };
    this.commandList = buildCommandList(deps.kb.projects);
    this.byName = new Map(this.commandList.map((c) => [c.name, c]));
  }

  private questionService(index: SearchIndex, answerer: Answerer): QuestionService {
    return new QuestionService(index, answerer, this.memory, this.metrics, this.retrievalK);
  }

  get kb(): KnowledgeBase {
    return this.knowledge.kb;
  }

  get index(): SearchIndex {
    return this.knowledge.index;
  }

  get questions(): QuestionService {
    return this.knowledge.questions;
  }

  /**
   * Swaps in a reloaded knowledge base (with its index and answerer) at once: requests already
   * running finish on the one they started with, the next ones use the new one. The command list
   * follows the catalog; platforms learn new shortcut commands when they register them again.
   */
  replaceKnowledge(next: { kb: KnowledgeBase; index?: SearchIndex; answerer?: Answerer }): void {
    const index = next.index ?? new SearchIndex(next.kb);
    const questions = this.questionService(index, next.answerer ?? new ExtractiveAnswerer(index));
    const commandList = buildCommandList(next.kb.projects);
    this.knowledge = { kb: next.kb, index, questions };
    this.commandList = commandList;
    this.byName = new Map(commandList.map((c) => [c.name, c]));
  }

  /** Every command, per-project shortcuts included, for help, manifests and registration. */
  commands(): CommandSpec[] {
    return this.commandList.map(describeCommand);
  }

  /** Catalog projects for autocomplete: fast, no model involved. */
  suggestProjects(text: string, limit = 25): { id: string; name: string }[] {
    return this.index.matcher.suggest(text, limit).map((p) => ({ id: p.id, name: p.name }));
  }

  onFeedback(listener: FeedbackListener): void {
    this.feedbackListeners.push(listener);
  }

  /** Counts a 👍/👎 and ties it (and its reason) to the answer record; resolves once it is kept. */
  async recordFeedback(feedback: Feedback): Promise<void> {
    const { userId: _userId, reason: _reason, ...fields } = feedback;
    // Never the raw user id, nor the reason (free text) in logs.
    this.logger.info({ feedback: fields }, "answer feedback");
    this.metrics.feedback(feedback.platform, feedback.value);
    for (const listener of this.feedbackListeners) listener(feedback);
    if (feedback.answerId) await this.recorder?.feedback({ ...feedback, answerId: feedback.answerId });
  }

  /** Adds the one-line reason given after a 👎 to its answer record. */
  async explainFeedback(
    feedback: Pick<Feedback, "platform" | "userId" | "reason"> & { answerId: string },
  ): Promise<void> {
    await this.recorder?.feedback(feedback);
  }

  /** Answer records over a period (for the playground's report); undefined when recording is off. */
  async answerRecords(range: TimeRange): Promise<AnswerRecord[] | undefined> {
    return this.recorder?.list(range);
  }

  /** Requests being answered right now. */
  get inFlight(): number {
    return this.active;
  }

  /**
   * Stops taking new requests (they get a short "restarting" reply) and resolves once in-flight
   * ones finish or `timeoutMs` passes; true when everything finished.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    if (this.active === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const finished = await Promise.race([idle, timeout]);
    clearTimeout(timer);
    return finished;
  }

  /**
   * Answers a request. Never throws: failures become a reply carrying a coded error (ephemeral where
   * the platform allows). With `onEvent`, the reply streams as delta/replace events, then `final`.
   */
  async handle(request: BotRequest, options: StreamOptions = {}): Promise<Reply> {
    const language: Language = detectLanguage(
      request.kind === "question" ? request.text : (request.text ?? ""),
    );
    const events = new ReplyEventWriter(options.onEvent ?? (() => {}));
    const handleOptions: HandleOptions = {
      ...(options.signal ? { signal: options.signal } : {}),
      // Answerers stream only when someone listens.
      ...(options.onEvent ? { onProgress: ({ text }) => events.progress(text) } : {}),
    };
    const reply = completeReply(await this.answer(request, handleOptions, language), language);
    events.final(reply);
    return reply;
  }

  private async answer(request: BotRequest, options: HandleOptions, language: Language): Promise<ReplyDraft> {
    const log = this.logger.child({
      requestId: request.requestId,
      conversationId: request.conversationId,
      platform: request.platform,
    });
    const label = request.kind === "question" ? "question" : request.name.replace(/^\//, "").toLowerCase();
    const started = performance.now();
    let outcome: RequestOutcome = "ok";
    let reply: ReplyDraft;
    const refusal = (text: string, code: ErrorCode): ReplyDraft =>
      markdownDraft(text, { ephemeral: true, language, error: { code } });
    if (this.draining) {
      this.metrics.request(request.platform, label, "refused");
      return refusal(messages.restarting[language], "shutting-down");
    }
    this.active++;
    try {
      const wait = await this.checkRateLimits(request);
      if (wait > 0) {
        outcome = "rate-limited";
        return refusal(messages.rateLimited[language](Math.ceil(wait / 1000)), "rate-limited");
      }
      const observed = this.recorder?.observe(this.questions);
      const questions = observed?.questions ?? this.questions;
      if (request.kind === "question") {
        const ask = {
          ...options,
          conversationId: request.conversationId,
          ...(request.projectId ? { projectId: request.projectId } : {}),
        };
        reply = answerDraft((await questions.ask(request.text, ask)).reply);
      } else {
        reply = await this.runCommand(request, options, questions);
      }
      const asked = observed?.asked();
      if (asked && this.recorder) {
        const answerId = await this.recorder.record(request, asked, performance.now() - started);
        if (answerId) reply.answerId = answerId;
      }
      if (reply.mode === "declined") outcome = "declined";
      if (reply.mode) {
        const seconds = (performance.now() - started) / 1000;
        this.metrics.answerSeconds(reply.mode, seconds);
        this.metrics.answered?.(request.platform, answerOutcome({ ...reply, mode: reply.mode }), seconds);
      }
      if (reply.fallback) this.metrics.fallback(reply.fallback);
      return reply;
    } catch (error) {
      if (error instanceof UserError) {
        outcome = "refused";
        log.info({ code: error.code }, "request refused");
        return refusal(error.message, error.code);
      }
      outcome = "error";
      const code = errorCode(error);
      log.error({ err: error, code }, "request failed");
      return refusal(messages.apology[language], code);
    } finally {
      // Shortcut commands are one per project: count them under one label to bound cardinality.
      const command =
        this.byName.has(label) || label === "question"
          ? this.kb.projects.some((p) => p.id === label)
            ? "project-shortcut"
            : label
          : "unknown";
      this.metrics.request(request.platform, command, outcome);
      // One line per request, carrying its request and conversation ids (never the question text).
      log.info({ command, outcome, ms: Math.round(performance.now() - started) }, "request handled");
      this.active--;
      if (this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /** Milliseconds to wait when the user or the channel is over its limit; 0 when allowed. */
  private async checkRateLimits(request: BotRequest): Promise<number> {
    const { perUser, perChannel, windowMs } = this.rateLimits;
    const channel = request.channelId ?? request.conversationId.split(":").slice(0, -1).join(":");
    const checks: [string, number][] = [
      [`user:${request.platform}:${request.userId}`, perUser],
      [`channel:${channel || request.conversationId}`, perChannel],
    ];
    for (const [key, limit] of checks) {
      if (limit <= 0) continue;
      const decision = await this.rateLimiter.take(key, limit, windowMs);
      if (!decision.allowed) return Math.max(1, decision.retryAfterMs);
    }
    return 0;
  }

  private async runCommand(
    request: CommandRequest,
    options: HandleOptions,
    questions: QuestionService,
  ): Promise<ReplyDraft> {
    const name = request.name.replace(/^\//, "").toLowerCase();
    const command = this.byName.get(name);
    if (!command) {
      const near = this.commandList
        .map((c) => c.name)
        .filter((n) => n.startsWith(name.slice(0, 3)))
        .slice(0, 5);
      throw new UserError(
        "unknown-command",
        `Unknown command \`/${name}\`.${near.length ? ` Did you mean ${near.map((n) => `\`/${n}\``).join(", ")}?` : ""} Try \`/help\`.`,
      );
    }
    const raw =
      request.options ??
      (command.parseText
        ? command.parseText(request.text ?? "", { index: this.index })
        : parsePositional(command, request.text ?? ""));
    const parsed = command.options.safeParse(raw);
    if (!parsed.success)
      throw new UserError("bad-request", describeUsageError(parsed.error, command, commandLanguage(request)));
    return await command.run({
      options: parsed.data,
      request,
      kb: this.kb,
      index: this.index,
      questions,
      handle: options,
      specs: () => this.commands(),
    });
  }
}

export { describeUsageError, parseCommandLine } from "./commands/usage.js";
