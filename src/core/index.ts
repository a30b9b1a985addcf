/**
 * The core's one public face: adapters import from here and nowhere else in the core, so the
 * core's inside can change without touching a platform. Boundary tests hold them to it.
 */

export { messages } from "./answer/messages.js";
export { type AnsweredThreads, InMemoryAnsweredThreads } from "./answered-threads.js";
export { Bot, type BotDeps, type Feedback, type FeedbackListener, parseCommandLine } from "./bot.js";
export type { CommandOptionSpec, CommandSpec } from "./commands/command.js";
export { projectCard } from "./commands/project-card.js";
export { type Deduplicator, InMemoryDeduplicator } from "./dedupe.js";
export {
  BotError,
  ConfigError,
  DataError,
  type ErrorCode,
  errorCode,
  exitCodeFor,
  UserError,
} from "./errors.js";
export { parseWhen } from "./insight/period.js";
export { buildReport, type InsightReport } from "./insight/report.js";
export { reportMarkdown } from "./insight/report-markdown.js";
export type { KnowledgeBase } from "./knowledge/knowledge-base.js";
export { detectLanguage } from "./knowledge/tokenize.js";
export { type Logger, silentLogger } from "./logger.js";
export { type BotMetrics, noopMetrics } from "./metrics.js";
export { neutraliseMarkup, neutraliseMentions, removeMentions } from "./neutralise.js";
export {
  type ComparedProject,
  type Comparison,
  cardsOf,
  comparisonOf,
  completeReply,
  isAnswerMode,
  markdownDraft,
  type Reply,
  type ReplyDraft,
  type ReplyError,
  type ReplyEvent,
  type ReplyPart,
  StreamedText,
  type StreamOptions,
} from "./reply.js";
export {
  CARD_LABELS,
  COMPARISON_LABELS,
  cardMarkdown,
  comparisonMarkdown,
  comparisonTitle,
  partMarkdown,
  partsMarkdown,
  sessionLabel,
} from "./reply-markdown.js";
export { TerminalStream, terminalText } from "./terminal-text.js";
export type {
  AnswerMode,
  BotRequest,
  CommandRequest,
  ConversationId,
  FallbackReason,
  Language,
  Platform,
  ProjectCard,
  QuestionRequest,
  Source,
} from "./types.js";
