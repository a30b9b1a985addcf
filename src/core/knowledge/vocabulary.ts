import {
  CHINESE_STOP_BIGRAMS,
  CHINESE_STOP_CHARS,
  normalizeText,
  type RunSink,
  scanRuns,
  unitsAt,
  wordTokens,
} from "./tokenize.js";

/** Term ids gathered by a scan: a reusable buffer, valid until the next scan. */
export interface TermIds {
  data: Int32Array;
  length: number;
}

const NONE = -1;
/** A stop character or stop bigram: known, and never a term. */
const STOP = -2;

/**
 * The index's terms, numbered 0..size-1, and the tokenizer that yields them as numbers.
 *
 * It yields exactly `tokenize`'s tokens (the same scan of runs), but never makes a string for a
 * Chinese token: a Han character is numbered once, and a character pair is looked up by its two
 * numbers in an open-addressing table, where `tokenize` would concatenate two characters and hash
 * the result, for most tokens of a Chinese corpus. A Latin word is looked up once for all its tokens.
 */
export class Vocabulary implements RunSink {
  /** Number of terms. */
  size = 0;
  private readonly latin = new Map<string, number>();
  private readonly words = new Map<string, Int32Array>();
  // Han characters: code point -> character number, and per character number its unigram term.
  private readonly bmpChars = new Int32Array(0x10000).fill(NONE);
  private readonly astralChars = new Map<number, number>();
  private charCodes: number[] = [];
  private unigrams = new Int32Array(1024);
  // Character pairs: open addressing on (first, second) character numbers.
  private pairFirst = new Int32Array(1 << 12).fill(NONE);
  private pairSecond = new Int32Array(1 << 12);
  private pairTerm = new Int32Array(1 << 12);
  private pairCount = 0;
  private readonly out: TermIds = { data: new Int32Array(256), length: 0 };

  /** The term ids of a text, adding new terms; the buffer is reused by the next call. */
  scan(text: string): TermIds {
    this.out.length = 0;
    scanRuns(normalizeText(text), this);
    return this.out;
  }

  /** A term's id, or undefined when no scanned text held it. */
  lookup(term: string): number | undefined {
    if (term.length === 0) return undefined;
    const first = this.charOf(term.codePointAt(0) as number, false);
    if (first === NONE) return this.latin.get(term);
    const units = unitsAt(term, 0);
    if (units === term.length) return this.termOf(this.unigrams[first] as number);
    const second = this.charOf(term.codePointAt(units) as number, false);
    if (second === NONE || units + unitsAt(term, units) !== term.length) return undefined;
    const slot = this.slot(first, second);
    return this.pairFirst[slot] === NONE ? undefined : this.termOf(this.pairTerm[slot] as number);
  }

  private termOf(id: number): number | undefined {
    return id >= 0 ? id : undefined;
  }

  han(text: string, start: number, end: number): void {
    let prev = NONE;
    for (let at = start; at < end; ) {
      const units = unitsAt(text, at);
      const c = this.charOf(units === 1 ? text.charCodeAt(at) : (text.codePointAt(at) as number), true);
      at += units;
      if (prev !== NONE) {
        const slot = this.slot(prev, c);
        let id = this.pairTerm[slot] as number;
        if (this.pairFirst[slot] === NONE) id = this.addPair(slot, prev, c);
        if (id >= 0) this.push(id);
      }
      let id = this.unigrams[c] as number;
      if (id === NONE) {
        id = CHINESE_STOP_CHARS.has(String.fromCodePoint(this.charCodes[c] as number)) ? STOP : this.size++;
        this.unigrams[c] = id;
      }
      if (id >= 0) this.push(id);
      prev = c;
    }
  }

  word(word: string): void {
    let ids = this.words.get(word);
    if (!ids) {
      ids = Int32Array.from(wordTokens(word), (t) => {
        let id = this.latin.get(t);
        if (id === undefined) {
          id = this.size++;
          this.latin.set(t, id);
        }
        return id;
      });
      this.words.set(word, ids);
    }
    for (let i = 0; i < ids.length; i++) this.push(ids[i] as number);
  }

  private push(id: number): void {
    const out = this.out;
    if (out.length === out.data.length) {
      const grown = new Int32Array(out.data.length * 2);
      grown.set(out.data);
      out.data = grown;
    }
    out.data[out.length++] = id;
  }

  /** A Han character's number (added when `add`), or NONE; NONE also for any other character. */
  private charOf(cp: number, add: boolean): number {
    let c = cp <= 0xffff ? (this.bmpChars[cp] as number) : (this.astralChars.get(cp) ?? NONE);
    if (c !== NONE || !add) return c;
    c = this.charCodes.length;
    this.charCodes.push(cp);
    if (cp <= 0xffff) this.bmpChars[cp] = c;
    else this.astralChars.set(cp, c);
    if (c === this.unigrams.length) {
      const grown = new Int32Array(c * 2).fill(NONE);
      grown.set(this.unigrams);
      this.unigrams = grown;
    }
    this.unigrams[c] = NONE;
    return c;
  }

  /** The table slot holding the pair, or the empty slot where it belongs. */
  private slot(first: number, second: number): number {
    const mask = this.pairFirst.length - 1;
    let slot = (Math.imul(first, 0x9e3779b1) ^ Math.imul(second + 1, 0x85ebca6b)) >>> 0;
    slot = (slot ^ (slot >>> 15)) & mask;
    for (;;) {
      const at = this.pairFirst[slot] as number;
      if (at === NONE || (at === first && this.pairSecond[slot] === second)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private addPair(slot: number, first: number, second: number): number {
    const bigram =
      String.fromCodePoint(this.charCodes[first] as number) +
      String.fromCodePoint(this.charCodes[second] as number);
    const id = CHINESE_STOP_BIGRAMS.has(bigram) ? STOP : this.size++;
    this.pairFirst[slot] = first;
    this.pairSecond[slot] = second;
    this.pairTerm[slot] = id;
    // Kept at most half full, so probes stay short.
    if (++this.pairCount * 2 > this.pairFirst.length) this.growPairs();
    return id;
  }

  private growPairs(): void {
    const first = this.pairFirst;
    const second = this.pairSecond;
    const term = this.pairTerm;
    this.pairFirst = new Int32Array(first.length * 2).fill(NONE);
    this.pairSecond = new Int32Array(first.length * 2);
    this.pairTerm = new Int32Array(first.length * 2);
    for (let i = 0; i < first.length; i++) {
      if (first[i] === NONE) continue;
      const slot = this.slot(first[i] as number, second[i] as number);
      this.pairFirst[slot] = first[i] as number;
      this.pairSecond[slot] = second[i] as number;
      this.pairTerm[slot] = term[i] as number;
    }
  }
}
