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
  /\byou are now\b|\bact as\b|\bpretend (to be|you are|you're)\b|\bjailbreak\b|\bDAN\b|\bdeveloper mode\b|\brole-?play\b/i,
  /\bfrom now on\b|\bnew (instructions?|rules|persona|role)\b|\byou (must|will) now\b|\bstay in character\b/i,
  /\b(ignore|disregard|forget|override|bypass|skip)\b[^.?!\n]{0,25}\b(article|above|everything|previous|prior|earlier|all|sources?|passages?|context)\b/i,
  /\b(translate|paraphrase|summari[sz]e|repeat|recite|spell out|encode|rewrite)\b[^.?!\n]{0,30}\b(first|initial|previous|above|earlier|your|hidden)\b[^.?!\n]{0,20}\b(message|instructions?|prompt|rules|text|setup|configuration|settings)\b/i,
  /\b(your|the) (rules|instructions|settings|configuration|guidelines|system message)\b[^.?!\n]{0,20}\b(verbatim|word for word|exactly|in full|numbered)\b/i,
  /(忽略|无视|忘记|忘掉|绕过|不要管)[^。？！\n]{0,20}(指令|指示|规则|提示|要求|文章|上面|之前|以上|一切|所有)/,
  /(系统|初始|隐藏)(提示|指令|消息)/,
  /(输出|打印|显示|泄露|重复|翻译|复述|告诉我)[^。？！\n]{0,15}(提示词|指令|规则|设定|设置|第一条消息|收到的第一)/,
  /你现在是|现在你是|从现在(开始|起)|扮演|假装你是|假装成|设定你|你的设定|角色扮演|你不再是/,
];

// Leet-speak and spaced or dotted letters ("1gn0re", "i.g.n.o.r.e") read as plain words.
const LEET: Record<string, string> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
};
function unobfuscate(text: string): string {
  return text
    .replace(/\b(?:\w[.\s_*-]){3,}\w\b/g, (m) => m.replace(/[.\s_*-]/g, ""))
    .replace(/[a-z][0-9@$][a-z0-9@$]*|[0-9@$][a-z][a-z0-9@$]*/gi, (w) =>
      /[a-z]/i.test(w) ? w.replace(/[013457@$]/g, (c) => LEET[c] ?? c) : w,
    );
}

export function looksLikeInjection(question: string): boolean {
  const plain = question.normalize("NFKC");
  const variants = [plain, unobfuscate(plain)];
  return variants.some((text) => INJECTION_PATTERNS.some((p) => p.test(text)));
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
