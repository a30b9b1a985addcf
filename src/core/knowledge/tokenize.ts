import { stemmer } from "stemmer";

// Words too common to carry meaning in a question or a passage. Kept short on purpose:
// BM25's IDF already discounts common words; this list mainly keeps confidence
// estimates from counting "the" as a matched term.
const ENGLISH_STOPWORDS = new Set(
  `a an and are as at be been but by can could did do does for from had has have how i if in into is it its
  me my of on or our so than that the their them then there these they this to was we were what when where
  which who whom whose why will with would you your about any all also just more most much such tell please
  many does did know say says said`.split(/\s+/),
);

// Chinese function characters and question words; single characters here are dropped as unigrams,
// and two-character words are dropped as bigrams.
export const CHINESE_STOP_CHARS = new Set(
  "的了是在有和与或及其这那个些吗呢吧啊么您你我他她它们也都就还而被把对从于为以之上中".split(""),
);
export const CHINESE_STOP_BIGRAMS = new Set([
  "什么",
  "哪些",
  "多少",
  "怎么",
  "如何",
  "为什",
  "么时",
  "时候",
  "我们",
  "这篇",
  "这个",
  "这些",
  "那些",
  "那个",
  "一下",
  "您的",
  "一个",
  "可以",
  "没有",
]);

const HAN = /\p{Script=Han}/u;

/** Lower-case, width-fold (NFKC) and remove digit-group separators ("8,000" and "8000" are one number). */
export function normalizeText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/(\d),(?=\d{3}\b)/g, "$1");
}

function stem(word: string): string {
  return /\d/.test(word) ? word : stemmer(word);
}

function latinTokens(word: string, out: string[]): void {
  const cleaned = word.replace(/['’]s$/, "").replace(/['’.]/g, (c) => (c === "." ? "." : ""));
  if (cleaned.includes("-") || (cleaned.includes(".") && !/^\d+(\.\d+)*$/.test(cleaned))) {
    // Compound names such as "kube-green" index as a whole and by their parts.
    out.push(cleaned);
    for (const part of cleaned.split(/[-.]/)) latinTokens(part, out);
    return;
  }
  if (cleaned.length === 0 || ENGLISH_STOPWORDS.has(cleaned)) return;
  out.push(stem(cleaned));
}

// A word's tokens depend on the word alone: remembering them spares the stemmer and the clean-up
// regexes on every repeat, which is most words of a corpus. Bounded, since questions bring new words.
const WORD_CACHE_LIMIT = 50_000;
const wordCache = new Map<string, readonly string[]>();

/** The tokens of one Latin word (a run of letters and digits with inner dashes, dots, apostrophes). */
export function wordTokens(word: string): readonly string[] {
  let tokens = wordCache.get(word);
  if (!tokens) {
    const fresh: string[] = [];
    latinTokens(word, fresh);
    if (wordCache.size >= WORD_CACHE_LIMIT) wordCache.clear();
    wordCache.set(word, fresh);
    tokens = fresh;
  }
  return tokens;
}

// Character classes, by code point, as the Unicode properties define them; looked up once per
// character and remembered, since a regular expression per character would be slower than the
// scan itself.
const OTHER = 1;
const HAN_CHAR = 2;
const WORD_CHAR = 3;
const HAN_ONLY = /^\p{Script=Han}$/u;
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const bmpClasses = new Uint8Array(0x10000);
const astralClasses = new Map<number, number>();

function classify(char: string): number {
  return HAN_ONLY.test(char) ? HAN_CHAR : LETTER_OR_DIGIT.test(char) ? WORD_CHAR : OTHER;
}

/** The class of the code point at `at` (a lone surrogate is OTHER). */
function classAt(text: string, at: number): number {
  const code = text.charCodeAt(at);
  if (code < 0xd800 || code > 0xdbff) {
    let known = bmpClasses[code] as number;
    if (known === 0) {
      known = classify(String.fromCharCode(code));
      bmpClasses[code] = known;
    }
    return known;
  }
  const cp = text.codePointAt(at) as number;
  if (cp <= 0xffff) return OTHER;
  let known = astralClasses.get(cp);
  if (known === undefined) {
    known = classify(String.fromCodePoint(cp));
    astralClasses.set(cp, known);
  }
  return known;
}

/** UTF-16 units of the code point at `at`: 2 for a surrogate pair, else 1. */
export function unitsAt(text: string, at: number): number {
  const code = text.charCodeAt(at);
  if (code < 0xd800 || code > 0xdbff) return 1;
  const next = text.charCodeAt(at + 1);
  return next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
}

/** The end of the run of characters of class `cls` starting at `at`. */
function runEnd(text: string, at: number, cls: number): number {
  let end = at;
  while (end < text.length && classAt(text, end) === cls) end += unitsAt(text, end);
  return end;
}

const isJoiner = (code: number) => code === 0x2d || code === 0x2e || code === 0x27 || code === 0x2019;

/** What a scan of a text reports: its runs of Han characters and its other words, in order. */
export interface RunSink {
  han(text: string, start: number, end: number): void;
  word(word: string): void;
}

/**
 * Splits normalized text into runs of Han characters and runs of other letters and digits (with
 * inner dashes, dots and apostrophes: "kube-green", "v1.2", "it's"). Han is not part of the
 * second kind: "2018年" or "k8sgpt之类的" are a number or a name followed by Chinese words.
 */
export function scanRuns(text: string, sink: RunSink): void {
  let at = 0;
  while (at < text.length) {
    const cls = classAt(text, at);
    if (cls === HAN_CHAR) {
      const end = runEnd(text, at, HAN_CHAR);
      sink.han(text, at, end);
      at = end;
    } else if (cls === WORD_CHAR) {
      let end = runEnd(text, at, WORD_CHAR);
      while (end + 1 < text.length && isJoiner(text.charCodeAt(end)) && classAt(text, end + 1) === WORD_CHAR)
        end = runEnd(text, end + 1, WORD_CHAR);
      sink.word(text.slice(at, end));
      at = end;
    } else at += unitsAt(text, at);
  }
}

class TokenList implements RunSink {
  readonly out: string[] = [];
  han(text: string, start: number, end: number): void {
    // Han characters outside the Basic Multilingual Plane are two UTF-16 units: step by code point.
    let prev = "";
    for (let at = start; at < end; ) {
      const units = unitsAt(text, at);
      const c = units === 1 ? (text[at] as string) : text.slice(at, at + 2);
      at += units;
      if (prev) {
        const bigram = prev + c;
        if (!CHINESE_STOP_BIGRAMS.has(bigram)) this.out.push(bigram);
      }
      if (!CHINESE_STOP_CHARS.has(c)) this.out.push(c);
      prev = c;
    }
  }
  word(word: string): void {
    for (const t of wordTokens(word)) this.out.push(t);
  }
}

/**
 * Tokens for mixed Chinese and English text: English words case-folded and stemmed
 * (stop words dropped), Chinese as overlapping character unigrams and bigrams, which
 * needs no dictionary and matches any word boundary the question happens to use.
 */
export function tokenize(text: string): string[] {
  const list = new TokenList();
  scanRuns(normalizeText(text), list);
  return list.out;
}

/** True when the text is mostly Chinese (by Han characters against Latin letters). */
const CHINESE_GRAMMAR = /[的吗呢吧嘛么哪谁了]|怎么|什么|是不是|有没有|可以|能不能/;

export function detectLanguage(text: string): "zh" | "en" {
  let han = 0;
  let latin = 0;
  for (const ch of text) {
    if (HAN.test(ch)) han++;
    else if (/[A-Za-z]/.test(ch)) latin++;
  }
  // Chinese text often names projects in Latin letters ("Cluster API 始于 2018 年"): weigh Han
  // characters up, since one carries about a word's worth of meaning against a word's 5-6 letters.
  // Chinese grammar words ("Cluster API 的 AWS provider 怎么配置？") make it Chinese however many
  // Latin letters the names take; a Chinese phrase quoted in English ("what does 拥抱多样性 mean?") has none.
  return han >= 2 && (han * 4 >= latin || CHINESE_GRAMMAR.test(text)) ? "zh" : "en";
}

const wordSegmenter = new Intl.Segmenter("zh", { granularity: "word" });

/**
 * The Chinese words of a text (ICU's dictionary segmentation), without function words. Used to
 * weigh a question by its words rather than by every character pair, which includes pairs that
 * straddle two words ("这篇文章" holds the non-word "篇文").
 */
export function chineseWords(text: string): string[] {
  const words: string[] = [];
  // Segmenting costs more than the rest of reading a question: skip text with nothing to find.
  if (!HAN.test(text)) return words;
  for (const { segment, isWordLike } of wordSegmenter.segment(text.normalize("NFKC"))) {
    if (!isWordLike || !/^\p{Script=Han}+$/u.test(segment)) continue;
    if ([...segment].length === 1 ? CHINESE_STOP_CHARS.has(segment) : CHINESE_STOP_BIGRAMS.has(segment))
      continue;
    words.push(segment);
  }
  return words;
}
