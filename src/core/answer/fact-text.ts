import type { Passage } from "../knowledge/knowledge-base.js";
import type { Project } from "../knowledge/schema.js";
import type { Language } from "../types.js";
import { ATTRIBUTE_INTENTS, CUES } from "./question-cues.js";
import type { Intent } from "./understand.js";

/** One sentence of a composed answer and the passage that states it. */
export interface FactSentence {
  text: string;
  passage: Passage;
  /** A second passage the sentence also rests on (a comparison states two projects' facts). */
  also?: Passage;
}

export interface ComposedAnswer {
  sentences: FactSentence[];
  /** The answer says the article doesn't state what was asked (and then what it does say). */
  hedged: boolean;
  /** The facts asked for that the catalog doesn't hold. */
  missing?: Intent[];
}

/** Which catalog facts answer an attribute intent, in the order an answer states them. */
export const FACT_KEYS: Partial<Record<Intent, string[]>> = {
  stars: ["stars"],
  age: ["started", "age"],
  creator: ["creator"],
  users: ["users"],
  contributors: ["contributors"],
  talks: ["talks"],
  cncf: ["cncf"],
  products: ["products"],
  maintenance: ["maintenance"],
};

// "The article doesn't say <what>": what a missing attribute is, per language.
export const UNSTATED: Record<Language, Partial<Record<Intent, (name: string) => string>>> = {
  en: {
    stars: (n) => `how many GitHub stars ${n} has`,
    age: (n) => `when ${n} started`,
    creator: (n) => `who created ${n}`,
    users: (n) => `who uses ${n}`,
    contributors: (n) => `who contributes to ${n}`,
    talks: (n) => `which KubeCon London talks cover ${n}`,
    cncf: (n) => `${n}'s CNCF status`,
    products: (n) => `which products include ${n}`,
    maintenance: (n) => `how actively ${n} is maintained`,
    reading: (n) => `which further reading to start ${n} with`,
  },
  zh: {
    stars: (n) => `${n} 有多少 GitHub 星标`,
    age: (n) => `${n} 是什么时候开始的`,
    creator: (n) => `${n} 是谁创建的`,
    users: (n) => `谁在使用 ${n}`,
    contributors: (n) => `${n} 有哪些贡献者`,
    talks: (n) => `KubeCon 伦敦上有哪些关于 ${n} 的演讲`,
    cncf: (n) => `${n} 的 CNCF 状态`,
    products: (n) => `哪些产品包含 ${n}`,
    maintenance: (n) => `${n} 的维护情况`,
    reading: (n) => `关于 ${n} 的延伸阅读`,
  },
};

export { groupThousands } from "../knowledge/project-facts.js";

export const ASKS_LINK = /\blinks?\b|\burls?\b|\bsched\b|链接|网址|地址/;

export const NEGATED = /\b(no|none|zero|without|any)\b|没有|没|无|一场都|零/;

export const ASKS_COUNT =
  /\bhow many\b|\bnumber of\b|\bhow (under|over)-?represented\b|\bhow (few|rare)\b|\bratio\b|多少|几场|几个|比例/;

export const MONTH =
  /\b(January|February|March|April|May|June|July|August|September|October|November|December)\b|[一二三四五六七八九十]+月|\d+月/;

export function largestNumber(text: string): number {
  return Math.max(0, ...[...text.replace(/(\d),(\d{3})/g, "$1$2").matchAll(/\d+/g)].map((m) => Number(m[0])));
}

export const WORD_NUMBERS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};

/** "running for more than eight years" -> 8. */
export function yearsIn(text: string): number | undefined {
  const m = /(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+years?/i.exec(text);
  if (!m) return undefined;
  const word = (m[1] as string).toLowerCase();
  return WORD_NUMBERS[word] ?? Number(word);
}

export const zh = (L: Language) => L === "zh";

export function whySentence(p: Project, L: Language): string {
  if (!p.why) return "";
  return L === "zh" ? `${p.name} 为什么重要：${p.why.zh}` : `Why ${p.name} matters: ${p.why.en}`;
}

export function unstated(L: Language, what: string): string {
  return L === "zh" ? `文章没有提到${what}。` : `The article doesn't say ${what}.`;
}

export function dedupe(sentences: FactSentence[]): FactSentence[] {
  const seen = new Set<string>();
  return sentences.filter((s) => {
    if (!s.text || seen.has(s.text)) return false;
    seen.add(s.text);
    return true;
  });
}

/** Asking for names the article doesn't give ("the enterprises it can't name", "which railway exactly"). */
export const WITHHELD =
  /\b(not allowed|can'?t|cannot|won'?t|unable) (to )?name\b|\bunnamed\b|\bany guesses\b|\bwhich (one|ones|railway|operator)\b|不能透露|不允许透露|哪几家|到底是哪|具体是哪|哪家公司/i;

/** A yes/no question checking a premise: "…, right?", "is it true that…", "…对吗？". */
export const YES_NO =
  /^(is|are|does|do|did|was|were|can|has|have)\b.*\b(right|correct|true)\b|\b(right|correct|true)\s*\??\s*$|\bsanity check\b|\bis it true\b|\bam i right\b|对吗|对不对|是不是真的|没错吧/;

/** Asked how mature a project is, not only how old. */
export const MATURITY = /\bmatur\w*|\bnewcomer\b|\bestablished\b|成熟|新手|新项目/;

/**
 * What a message asks of one of the projects it names, from the clause that names it: "vcluster谁做的？
 * 另外kairos哪年进的cncf" asks who made vCluster and Kairos's CNCF year, not both of each.
 * Undefined when the project's clauses ask nothing of their own.
 */
export function clauseAttributes(text: string, names: string[]): Intent[] | undefined {
  const clauses = text.split(/[?？;；。!！]|，\s*(?=另外|还有|顺便)|\b(?:and|also|plus)\b|另外|还有|顺便/);
  const mine = clauses.filter((c) => c && names.some((n) => c.includes(n)));
  const asked = CUES.filter(
    ([intent, re]) => ATTRIBUTE_INTENTS.has(intent) && mine.some((c) => re.test(c)),
  ).map(([intent]) => intent);
  return asked.length > 0 ? asked : undefined;
}

/** Sentences joined into one ("A has 3,700 stars; B has 5,000."), the first ones' full stops dropped. */
export function joinSentences(texts: string[], L: Language): string {
  return texts
    .map((t, i) => (i < texts.length - 1 ? t.replace(L === "zh" ? /。$/ : /\.$/, "") : t))
    .join(L === "zh" ? "；" : "; ");
}

/** A passage's sentences, each with its own closing mark (Chinese or Latin punctuation). */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[。！？.!?])\s*/u)
    .map((t) => t.trim())
    .filter(Boolean);
}
