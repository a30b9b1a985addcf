import type { SearchIndex, SearchResult } from "../knowledge/search-index.js";
import { detectLanguage } from "../knowledge/tokenize.js";
import { type BotMetrics, noopMetrics } from "../metrics.js";
import type { AnswerReply, ConversationId, HandleOptions, Language } from "../types.js";
import type { Answerer } from "./answerer.js";
import type { ConversationMemory } from "./memory.js";
import { messages } from "./messages.js";
import { checkQuestion, looksLikeInjection } from "./question-guard.js";

/** Below this share of the question found in the top passages, the knowledge base does not cover it. */
export const MIN_COVERAGE = 0.5;
/** A question naming a catalog project is on topic by that alone; its other words may be phrased freely. */
export const MIN_COVERAGE_NAMED = 0.3;

export interface AskOptions extends HandleOptions {
  conversationId?: ConversationId;
  /** Focus on one catalog project (shortcut commands). */
  projectId?: string;
  k?: number;
}

export interface AskResult {
  reply: AnswerReply;
  retrieval?: SearchResult;
}

/** Free questions: guard, recall the conversation, retrieve, decline or answer, remember. */
export class QuestionService {
  constructor(
    private readonly index: SearchIndex,
    private readonly answerer: Answerer,
    private readonly memory: ConversationMemory,
    private readonly metrics: BotMetrics = noopMetrics,
  ) {}

  async ask(rawQuestion: string, options: AskOptions = {}): Promise<AskResult> {
    const language: Language = detectLanguage(rawQuestion);
    const question = checkQuestion(rawQuestion, language);
    if (looksLikeInjection(question)) {
      return {
        reply: { text: messages.declinedInjection[language], sources: [], mode: "declined", language },
      };
    }
    const history = options.conversationId ? await this.memory.get(options.conversationId) : [];
    const last = history.at(-1);
    // A follow-up ("and how many stars does it have?") often names nothing: the previous
    // question lends its terms and projects to retrieval, at a lower weight.
    const context = last ? last.question : undefined;
    const retrievalStarted = performance.now();
    const retrieval = this.index.search(question, {
      k: options.k ?? 4,
      // An explicit focus (a shortcut command) wins over what the conversation was about.
      projectIds: options.projectId
        ? [options.projectId]
        : last && this.namesNothing(question)
          ? last.projectIds
          : [],
      context,
    });
    this.metrics.retrievalSeconds((performance.now() - retrievalStarted) / 1000);
    const minCoverage = retrieval.projectIds.length > 0 ? MIN_COVERAGE_NAMED : MIN_COVERAGE;
    if (retrieval.hits.length === 0 || retrieval.coverage < minCoverage) {
      return {
        reply: { text: messages.declinedOffTopic[language], sources: [], mode: "declined", language },
        retrieval,
      };
    }
    const result = await this.answerer.answer({
      question,
      language,
      retrieval,
      history,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (options.conversationId && result.mode !== "declined") {
      await this.memory.append(options.conversationId, {
        question,
        answer: result.text,
        projectIds: retrieval.projectIds,
        at: Date.now(),
      });
    }
    const reply: AnswerReply = { text: result.text, sources: result.sources, mode: result.mode, language };
    if (result.fallback) reply.fallback = result.fallback;
    if (result.notice) reply.notice = result.notice;
    return { reply, retrieval };
  }

  private namesNothing(question: string): boolean {
    return this.index.matcher.mentionedIn(question).length === 0;
  }
}
