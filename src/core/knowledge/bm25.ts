/**
 * Field-weighted BM25+ over pre-tokenized documents, with postings in typed arrays.
 *
 * It scores exactly as MiniSearch 7 did for this project (k 1.2, b 0.7, d 0.5; a field's length is
 * its count of distinct terms; a document's score is multiplied by how many query terms it matched;
 * ties keep the order in which documents were first matched), down to the order of floating-point
 * additions, so replacing the library moved no answer. What changed is the layout: one compressed
 * row of postings per field instead of a radix tree of Maps, which at 1,000× the article took 17 s
 * and 586 MiB to build. Terms arrive as numbers (see Vocabulary), never as strings to hash.
 */

import { type FieldPostings, invert, linked, rowsOf, type TermIdList } from "./postings.js";

export type { TermIdList } from "./postings.js";

const D = 0.5;
// Local constants: the scoring loop reads them for every posting, and an imported binding is read
// and checked on each use (about a tenth of a query's time at 1,000x when K came from another module).
const K = 1.2;
const B = 0.7;

export interface Bm25Query {
  /** A term id; ids outside the index match nothing. */
  id: number;
  boost: number;
}

export interface Bm25Hit {
  doc: number;
  score: number;
}

/**
 * Where a field's terms come from: a tokenizer per document, or another (earlier) field of another
 * document (`source[doc]`, or -1 for none), e.g. the paragraph before it. `source` must increase
 * over the documents that have one; such a field's postings are copied from the other field's
 * instead of counted again.
 */
export type FieldSource = { tokens: (doc: number) => TermIdList } | { from: number; source: Int32Array };

export class Bm25Index {
  private readonly fields: (FieldPostings & { norms: Float64Array })[] = [];
  // Per-query scratch, reused: a query touches few documents, so only those are reset.
  private readonly total: Float64Array;
  private readonly termScore: Float64Array;
  private readonly matched: Int32Array;
  private readonly seenQuery: Int32Array;
  private readonly seenTerm: Int32Array;
  private readonly touched: Int32Array;
  private readonly order: Int32Array;
  private stamp = 0;

  /** Number of terms: ids 0..termCount-1 (the highest id any field held, plus one). */
  readonly termCount: number;
  /** Documents holding each term (by id) in any of the `dfFields`. */
  readonly df: Int32Array;

  /** Documents are numbered 0..size-1. `dfFields` are the fields whose union counts as a document's own terms. */
  constructor(
    readonly size: number,
    sources: readonly FieldSource[],
    private readonly dfFields: readonly number[] = [0],
  ) {
    const rows = sources.map((s) => ("tokens" in s ? rowsOf(size, s.tokens) : undefined));
    const termCount = Math.max(0, ...rows.map((r) => r?.termCount ?? 0));
    this.termCount = termCount;
    sources.forEach((source, field) => {
      const fieldRows = rows[field];
      const postings = fieldRows
        ? invert(fieldRows, size, termCount)
        : linked(this.fields, source as { from: number; source: Int32Array }, field, size, termCount);
      // BM25's length normalisation, K·(1 − B + B·length/average), is the same for every query.
      const { lengths, average } = postings;
      const norms = Float64Array.from(lengths, (length) => K * (1 - B + (B * length) / average));
      this.fields.push({ ...postings, norms });
    });
    this.df = this.countHolders();
    this.total = new Float64Array(size);
    this.termScore = new Float64Array(size);
    this.matched = new Int32Array(size);
    this.seenQuery = new Int32Array(size);
    this.seenTerm = new Int32Array(size);
    this.touched = new Int32Array(size);
    this.order = new Int32Array(size);
  }

  /** For each term, the documents holding it in any of the `dfFields` (each counted once). */
  private countHolders(): Int32Array {
    const df = new Int32Array(this.termCount);
    const lastTerm = new Int32Array(this.size).fill(-1);
    for (let id = 0; id < this.termCount; id++) {
      let count = 0;
      for (const field of this.dfFields) {
        const { offsets, docs } = this.fields[field] as FieldPostings & { norms: Float64Array };
        for (let i = offsets[id] as number; i < (offsets[id + 1] as number); i++) {
          const doc = docs[i] as number;
          if (lastTerm[doc] !== id) {
            lastTerm[doc] = id;
            count++;
          }
        }
      }
      df[id] = count;
    }
    return df;
  }

  /** Documents holding term `id` in one of the `dfFields` (ascending within each field; may repeat). */
  *holders(id: number): Generator<number> {
    for (const field of this.dfFields) {
      const f = this.fields[field] as FieldPostings & { norms: Float64Array };
      for (let i = f.offsets[id] as number; i < (f.offsets[id + 1] as number); i++) yield f.docs[i] as number;
    }
  }

  /** Whether document `doc` holds term `id` in one of the `dfFields` (binary search of the postings). */
  holds(doc: number, id: number): boolean {
    for (const field of this.dfFields) {
      const f = this.fields[field] as FieldPostings & { norms: Float64Array };
      let lo = f.offsets[id] as number;
      let hi = (f.offsets[id + 1] as number) - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const at = f.docs[mid] as number;
        if (at === doc) return true;
        if (at < doc) lo = mid + 1;
        else hi = mid - 1;
      }
    }
    return false;
  }

  /**
   * The k best documents for the query (OR of its terms), each field's contribution weighted by
   * `fieldBoosts` and each document's by `docBoosts[doc]`.
   */
  search(
    query: readonly Bm25Query[],
    fieldBoosts: readonly number[],
    docBoosts: Float64Array,
    k: number,
  ): Bm25Hit[] {
    const queryStamp = ++this.stamp;
    const { order, seenQuery, seenTerm, matched, termScore, total, touched } = this;
    let ordered = 0;
    for (const { id, boost } of query) {
      if (id < 0 || id >= this.termCount) continue;
      const termStamp = ++this.stamp;
      let touching = 0;
      for (let field = 0; field < this.fields.length; field++) {
        const { offsets, docs, tfs, norms } = this.fields[field] as FieldPostings & { norms: Float64Array };
        const start = offsets[id] as number;
        const end = offsets[id + 1] as number;
        const matching = end - start;
        if (matching === 0) continue;
        const idf = Math.log(1 + (this.size - matching + 0.5) / (matching + 0.5));
        const weight = boost * (fieldBoosts[field] ?? 1);
        for (let i = start; i < end; i++) {
          const doc = docs[i] as number;
          if (seenQuery[doc] !== queryStamp) {
            seenQuery[doc] = queryStamp;
            matched[doc] = 0;
          }
          const docBoost = docBoosts[doc] as number;
          if (!docBoost) continue;
          const tf = tfs[i] as number;
          const raw = idf * (D + (tf * (K + 1)) / (tf + (norms[doc] as number)));
          const score = weight * docBoost * raw;
          if (seenTerm[doc] !== termStamp) {
            seenTerm[doc] = termStamp;
            termScore[doc] = score;
            touched[touching++] = doc;
          } else termScore[doc] = (termScore[doc] as number) + score;
        }
      }
      for (let i = 0; i < touching; i++) {
        const doc = touched[i] as number;
        // A term's score per document is summed first, then added to the total: MiniSearch's order.
        if ((matched[doc] as number) === 0) {
          total[doc] = termScore[doc] as number;
          order[ordered++] = doc;
        } else total[doc] = (total[doc] as number) + (termScore[doc] as number);
        matched[doc] = (matched[doc] as number) + 1;
      }
    }
    // Top k by score, earlier-matched first on ties (a stable sort's order), without sorting them all.
    const best: Bm25Hit[] = [];
    let floor = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < ordered; i++) {
      const doc = order[i] as number;
      const score = (total[doc] as number) * (matched[doc] as number);
      if (best.length === k && score <= floor) continue;
      let at = best.length;
      while (at > 0 && (best[at - 1] as Bm25Hit).score < score) at--;
      best.splice(at, 0, { doc, score });
      if (best.length > k) best.pop();
      if (best.length === k) floor = (best[k - 1] as Bm25Hit).score;
    }
    return best;
  }
}
