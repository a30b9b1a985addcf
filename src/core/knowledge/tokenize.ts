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
// A run of Han characters, or a run of other letters/digits (with inner dashes, dots, apostrophes).
// Han is subtracted from the second kind: "2018年" or "k8sgpt之类的" are a number or a name followed
// by Chinese words, not one token.
const RUN =
  /(\p{Script=Han}+)|([[\p{L}\p{N}]--\p{Script=Han}]+(?:[\-.'’][[\p{L}\p{N}]--\p{Script=Han}]+)*)/gv;

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

function hanTokens(run: string, out: string[]): void {
  // Han characters outside the Basic Multilingual Plane are two UTF-16 units: step by code point.
  let prev = "";
  for (let i = 0; i < run.length; ) {
    const code = run.codePointAt(i) as number;
    const c = code > 0xffff ? run.slice(i, i + 2) : (run[i] as string);
    i += c.length;
    if (prev) {
      const bigram = prev + c;
      if (!CHINESE_STOP_BIGRAMS.has(bigram)) out.push(bigram);
    }
    if (!CHINESE_STOP_CHARS.has(c)) out.push(c);
    prev = c;
  }
}

// A word's tokens depend on the word alone: remembering them spares the stemmer and the clean-up
// regexes on every repeat, which is most words of a corpus. Bounded, since questions bring new words.
const WORD_CACHE_LIMIT = 50_000;
const wordCache = new Map<string, readonly string[]>();

function wordTokens(word: string, out: string[]): void {
  let tokens = wordCache.get(word);
  if (!tokens) {
    const fresh: string[] = [];
    latinTokens(word, fresh);
    if (wordCache.size >= WORD_CACHE_LIMIT) wordCache.clear();
    wordCache.set(word, fresh);
    tokens = fresh;
  }
  for (const t of tokens) out.push(t);
}

/**
 * Tokens for mixed Chinese and English text: English words case-folded and stemmed
 * (stop words dropped), Chinese as overlapping character unigrams and bigrams, which
 * needs no dictionary and matches any word boundary the question happens to use.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const match of normalizeText(text).matchAll(RUN)) {
    if (match[1] !== undefined) hanTokens(match[1], out);
    else if (match[2] !== undefined) wordTokens(match[2], out);
  }
  return out;
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
  for (const { segment, isWordLike } of wordSegmenter.segment(text.normalize("NFKC"))) {
    if (!isWordLike || !/^\p{Script=Han}+$/u.test(segment)) continue;
    if ([...segment].length === 1 ? CHINESE_STOP_CHARS.has(segment) : CHINESE_STOP_BIGRAMS.has(segment))
      continue;
    words.push(segment);
  }
  return words;
}
