// Building a BM25 index's postings: from each document's term ids to, per term, the documents
// holding it, in compressed rows of typed arrays.

/** One field's postings: for term t, documents docs[offsets[t]..offsets[t+1]) with their frequencies. */
export interface FieldPostings {
  offsets: Int32Array;
  docs: Int32Array;
  tfs: Uint16Array;
  /** Distinct terms per document (MiniSearch's field length). */
  lengths: Int32Array;
  /** Average of `lengths`. */
  average: number;
}

/** A growable Int32Array. */
class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
}

/** Term ids (0..) of one field of a document: `data[0..length)`. */
export interface TermIdList {
  data: Int32Array;
  length: number;
}

/** A field's postings with its documents' average length. */
function withAverage(
  offsets: Int32Array,
  docs: Int32Array,
  tfs: Uint16Array,
  lengths: Int32Array,
): FieldPostings {
  // The running average as MiniSearch kept it, operation for operation, so scores match to the bit.
  let average = 0;
  for (let doc = 0; doc < lengths.length; doc++)
    average = (average * doc + (lengths[doc] as number)) / (doc + 1);
  return { offsets, docs, tfs, lengths, average };
}

/**
 * A field's distinct terms per document, document after document: (term, frequency) rows from
 * rowStart[doc]; turned into postings (by term) once every document is read.
 */
export interface Rows {
  terms: IntList;
  tfs: IntList;
  rowStart: Int32Array;
  lengths: Int32Array;
  /** The highest term id plus one. */
  termCount: number;
}

export function rowsOf(size: number, tokens: (doc: number) => TermIdList): Rows {
  const rows: Rows = {
    terms: new IntList(),
    tfs: new IntList(),
    rowStart: new Int32Array(size + 1),
    lengths: new Int32Array(size),
    termCount: 0,
  };
  // Frequency of each term in the current document, by id (grown as ids appear).
  let tf = new Int32Array(1024);
  const seen = new IntList();
  for (let doc = 0; doc < size; doc++) {
    const { data, length } = tokens(doc);
    seen.length = 0;
    for (let i = 0; i < length; i++) {
      const id = data[i] as number;
      if (id >= tf.length) {
        const grown = new Int32Array(Math.max(tf.length * 2, id + 1));
        grown.set(tf);
        tf = grown;
      }
      if (tf[id] === 0) seen.push(id);
      tf[id] = (tf[id] as number) + 1;
    }
    rows.lengths[doc] = seen.length;
    for (let i = 0; i < seen.length; i++) {
      const id = seen.data[i] as number;
      if (id >= rows.termCount) rows.termCount = id + 1;
      rows.terms.push(id);
      rows.tfs.push(Math.min(tf[id] as number, 0xffff));
      tf[id] = 0;
    }
    rows.rowStart[doc + 1] = rows.terms.length;
  }
  return rows;
}

/** Postings (by term) from per-document rows: a counting sort, so each term's documents ascend. */
export function invert(rows: Rows, size: number, termCount: number): FieldPostings {
  const terms = rows.terms.data;
  const n = rows.terms.length;
  const offsets = new Int32Array(termCount + 1);
  for (let i = 0; i < n; i++) (offsets[(terms[i] as number) + 1] as number)++;
  for (let i = 0; i < termCount; i++) offsets[i + 1] = (offsets[i + 1] as number) + (offsets[i] as number);
  const cursor = offsets.slice(0, termCount);
  const docs = new Int32Array(n);
  const tfs = new Uint16Array(n);
  const rowTfs = rows.tfs.data;
  for (let doc = 0; doc < size; doc++) {
    for (let i = rows.rowStart[doc] as number; i < (rows.rowStart[doc + 1] as number); i++) {
      const term = terms[i] as number;
      const at = cursor[term] as number;
      cursor[term] = at + 1;
      docs[at] = doc;
      tfs[at] = rowTfs[i] as number;
    }
  }
  return withAverage(offsets, docs, tfs, rows.lengths);
}

/** A field that is field `from` of document `source[doc]`: that field's postings, renumbered. */
export function linked(
  fields: readonly FieldPostings[],
  { from, source }: { from: number; source: Int32Array },
  field: number,
  size: number,
  termCount: number,
): FieldPostings {
  const of = fields[from];
  if (!of || source.length !== size)
    throw new Error(`field ${field} must take an earlier field of every document`);
  // The document taking each document's field: source's inverse, increasing since source is.
  const taker = new Int32Array(size).fill(-1);
  const lengths = new Int32Array(size);
  let last = -1;
  for (let doc = 0; doc < size; doc++) {
    const from = source[doc] as number;
    if (from < 0) continue;
    if (from <= last || from >= size) throw new Error(`field ${field}: sources must increase`);
    last = from;
    taker[from] = doc;
    lengths[doc] = of.lengths[from] as number;
  }
  const offsets = new Int32Array(termCount + 1);
  let n = 0;
  for (let id = 0; id < termCount; id++) {
    for (let i = of.offsets[id] as number; i < (of.offsets[id + 1] as number); i++)
      if ((taker[of.docs[i] as number] as number) >= 0) n++;
    offsets[id + 1] = n;
  }
  const docs = new Int32Array(n);
  const tfs = new Uint16Array(n);
  let at = 0;
  for (let i = 0; i < of.docs.length; i++) {
    const doc = taker[of.docs[i] as number] as number;
    if (doc < 0) continue;
    docs[at] = doc;
    tfs[at++] = of.tfs[i] as number;
  }
  return withAverage(offsets, docs, tfs, lengths);
}
