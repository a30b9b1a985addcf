// @ts-check
// Knowledge-base search for the playground page: every word of the query must match an item,
// either as written, through the glossary's other-language words (星标 finds "stars"), or with a
// typo (one edit in a short word, two in a long one). Returns the words to highlight.

/**
 * @typedef {{ en: string[]; zh: string[] }} GlossaryEntry
 * @typedef {{ match: boolean; terms: string[] }} Match
 */

/** @param {string} text */
export const fold = (text) => text.normalize("NFKC").toLocaleLowerCase();

const HAN = /[\u3400-\u9fff]/u;
const WORD = /[\p{L}\p{N}][\p{L}\p{N}.+#-]*/gu;

/**
 * The Latin-script words of a text, folded, for typo matching.
 * @param {string} text
 * @returns {string[]}
 */
export function wordsOf(text) {
  const words = new Set();
  for (const m of fold(text).matchAll(WORD)) {
    const word = m[0].replace(/[.+#-]+$/u, "");
    if (word && !HAN.test(word)) words.add(word);
  }
  return [...words];
}

/**
 * Edit distance with adjacent transpositions (optimal string alignment), stopping above `max`.
 * @param {string} a
 * @param {string} b
 * @param {number} max
 */
export function editDistance(a, b, max) {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  /** @type {number[][]} */
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) /** @type {number[]} */ (d[0])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = /** @type {number[]} */ (d[i]);
    const prev = /** @type {number[]} */ (d[i - 1]);
    let best = Number.POSITIVE_INFINITY;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(
        /** @type {number} */ (prev[j]) + 1,
        /** @type {number} */ (row[j - 1]) + 1,
        /** @type {number} */ (prev[j - 1]) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, /** @type {number} */ (/** @type {number[]} */ (d[i - 2])[j - 2]) + 1);
      }
      row[j] = v;
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
  }
  return /** @type {number} */ (/** @type {number[]} */ (d[a.length])[b.length]);
}

/** @param {string} word */
const typosAllowed = (word) => (HAN.test(word) || word.length < 5 ? 0 : word.length < 9 ? 1 : 2);

/**
 * The query word and the words the glossary says mean the same, in either language.
 * @param {string} word folded
 * @param {GlossaryEntry[]} glossary
 * @returns {string[]}
 */
export function alternatives(word, glossary) {
  const out = new Set([word]);
  for (const entry of glossary) {
    const all = [...entry.en, ...entry.zh].map(fold);
    if (all.includes(word)) for (const w of all) out.add(w);
  }
  return [...out];
}

/**
 * Whether an item matches every word of the query, and which of its words to highlight.
 * @param {{ text: string; words: string[] }} item text folded with `fold`; words from `wordsOf`
 * @param {string} query
 * @param {GlossaryEntry[]} glossary
 * @param {boolean} typos whether a word may also match with typos (the page tries without first)
 * @returns {Match}
 */
export function matchItem(item, query, glossary, typos) {
  const queryWords = fold(query).split(/\s+/u).filter(Boolean);
  /** @type {Set<string>} */
  const terms = new Set();
  for (const word of queryWords) {
    let found = false;
    for (const alt of alternatives(word, glossary)) {
      if (item.text.includes(alt)) {
        terms.add(alt);
        found = true;
        continue;
      }
      const max = typos ? typosAllowed(alt) : 0;
      if (max === 0) continue;
      for (const candidate of item.words) {
        if (editDistance(alt, candidate, max) <= max) {
          terms.add(candidate);
          found = true;
        }
      }
    }
    if (!found) return { match: false, terms: [] };
  }
  return { match: true, terms: [...terms] };
}

/**
 * A regular expression finding any of the terms, longest first, case-insensitively.
 * @param {string[]} terms
 * @returns {RegExp | undefined}
 */
export function termsPattern(terms) {
  if (terms.length === 0) return undefined;
  const escaped = [...terms]
    .sort((a, b) => b.length - a.length)
    .map((t) => t.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&"));
  return new RegExp(escaped.join("|"), "giu");
}
