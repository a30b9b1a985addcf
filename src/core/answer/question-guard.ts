import { UserError } from "../errors.js";
import type { Language } from "../types.js";
import { messages } from "./messages.js";

export const MAX_QUESTION_CHARS = 2000;

// Phrasings of attempts to override the bot's rules or extract its instructions. A question
// matching one is declined before retrieval: it is not a question about the knowledge base.
const INJECTION_PATTERNS: RegExp[] = [
  /\b(ignore|disregard|forget|override|bypass)\b[^.?!\n]{0,40}\b(instructions?|rules?|prompts?|guidelines?|directives?|context)\b/i,
  /\b(system|developer|hidden|initial|original)\s+(prompt|instructions?|message)\b/i,
  /\b(reveal|print|show|repeat|output|leak|dump)\b[^.?!\n]{0,30}\b(prompt|instructions?|rules)\b/i,
  /\byou are now\b|\bact as\b|\bpretend (to be|you are)\b|\bjailbreak\b|\bDAN mode\b|\bdeveloper mode\b/i,
  /(忽略|无视|忘记|忘掉|绕过)[^。？！\n]{0,20}(指令|指示|规则|提示|要求)/,
  /(系统|初始|隐藏)(提示|指令|消息)/,
  /(输出|打印|显示|泄露|重复)[^。？！\n]{0,15}(提示词|指令|规则)/,
  /你现在是|扮演|假装你是/,
];

export function looksLikeInjection(question: string): boolean {
  return INJECTION_PATTERNS.some((p) => p.test(question));
}

/** Trims a question and rejects empty or over-long ones with a message in the question's language. */
export function checkQuestion(raw: string, language: Language): string {
  const question = raw.replace(/\s+/g, " ").trim();
  if (!question) throw new UserError("question-empty", messages.questionEmpty[language]);
  const length = [...question].length;
  if (length > MAX_QUESTION_CHARS) {
    throw new UserError("question-too-long", messages.questionTooLong[language](MAX_QUESTION_CHARS, length));
  }
  return question;
}
