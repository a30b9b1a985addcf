import { AUTHORS_VIEW } from "./question-cues.js";

// How a sentence of a retrieved passage answers the question, beyond sharing its words: the kind
// of thing asked for (a number, a time, a name, a definition, a link) and the facts it carries.

/** Asking for a link, a talk or something to read. */
const ASKS_LINK_OR_READING =
  /\blinks?\b|\burls?\b|\bsched\b|\bsessions?\b|\btalks?\b|\bread\w*\b|\bblog\w*|\bposts?\b|\barticles?\b|\bwrite-?ups?\b|链接|网址|演讲|会议|博文|博客|阅读|文章/i;

// What a question asks for, by its wording: a number, a time or a name. A sentence holding that
// kind of thing is a better answer than one that merely shares words.
export const ASKS_NUMBER = /\bhow (many|much)\b|\bnumber of\b|多少|几个|几场|几颗|数量/i;
const ASKS_TIME = /\bwhen\b|\bwhat year\b|\bhow (old|long)\b|\bsince\b|什么时候|哪一?年|何时|多久/i;
export const ASKS_WHAT =
  /^\s*what (is|are|does|do)\b|\bused for\b|\bwhat .*\b(do|for)\?*$|\bpurpose\b|是什么|做什么|干什么|用来|用于|有什么用/i;
const MONTH =
  /\b(January|February|March|April|May|June|July|August|September|October|November|December)\b|[一二三四五六七八九十]+月/;
const ASKS_WHO =
  /\bwho\b|\bwhich (compan|organi[sz]ation|vendor|enterprise|firm)|\bwhose\b|谁|哪些(公司|企业|厂商)|哪家/i;

export function typeBonus(question: string, sentence: string, names: string[]): number {
  // A reading list or a session link answers a question for links, not an open one.
  if (/https?:\/\//.test(sentence) && !ASKS_LINK_OR_READING.test(question)) return -0.3;
  // The author's view is written in the first person ("we're not fully convinced", "我们的研究表明").
  if (AUTHORS_VIEW.test(question) && /\b(we|we're|our|i|i'm|my)\b|我们|我/i.test(sentence)) return 0.3;
  if (ASKS_NUMBER.test(question) && /\d/.test(sentence)) return 0.25;
  if (
    ASKS_TIME.test(question) &&
    (/\b(19|20)\d{2}\b|(19|20)\d{2}\s*年|\byears?\b|年/.test(sentence) || MONTH.test(sentence))
  )
    return 0.25;
  if (ASKS_WHO.test(question)) {
    // A name other than the project's own (and not the sentence's first word) hints at a who.
    let rest = sentence.replace(/^\S+/, "");
    for (const n of names) rest = rest.split(n).join(" ");
    // "created by", "used by", "由…创建", "用户包括": the sentence names an agent.
    const agent = /\bby\b|\binclud|由|被|包括/.test(sentence) ? 0.15 : 0;
    if (/\b[A-Z][a-z]+[A-Z]?\w*\b/.test(rest)) return 0.2 + agent;
    return agent;
  }
  return 0;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Matches a sentence that defines one of the named projects ("X is a …", "X 是…"): the answer to
 * "what is X (used for)?". Built once per question; undefined when the question names nothing.
 */
export function definitionPattern(names: string[]): RegExp | undefined {
  if (names.length === 0) return undefined;
  const alternatives = names.map(escapeRegExp).join("|");
  // "Cluster API (CAPI) lets you…", "Cluster API，或者简称CAPI，…" define too.
  return new RegExp(
    `^(?:${alternatives})\\s*(\\([^)]*\\)\\s*|[，,][^，,。]*简称[^，,。]*[，,]\\s*)?(is|are|lets|creates|allows|provides|是|允许|提供|让)`,
    "i",
  );
}

/** Latin words and numbers but the project names: the facts a sentence carries, in either language. */
export function factTokens(tokens: Set<string>, nameTokens: Set<string>): Set<string> {
  return new Set([...tokens].filter((t) => /^[a-z0-9][a-z0-9.-]*$/.test(t) && !nameTokens.has(t)));
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const t of a) if (b.has(t)) inter++;
  return inter / (a.size + b.size - inter || 1);
}

export const numbersIn = (tokens: Set<string>) =>
  [...tokens]
    .filter((t) => /^\d+$/.test(t))
    .sort()
    .join(",");
