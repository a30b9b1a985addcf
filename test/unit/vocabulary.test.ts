import { describe, expect, it } from "vitest";
import { Bm25Index, type TermIdList } from "../../src/core/knowledge/bm25.js";
import { normalizeText, scanRuns, tokenize } from "../../src/core/knowledge/tokenize.js";
import { Vocabulary } from "../../src/core/knowledge/vocabulary.js";
import { loadRepoKb } from "../helpers.js";

const kb = await loadRepoKb();

// The definition the scanner implements, as one regular expression: a run of Han characters, or
// a run of other letters and digits with inner dashes, dots and apostrophes.
const RUN =
  /(\p{Script=Han}+)|([[\p{L}\p{N}]--\p{Script=Han}]+(?:[\-.'’][[\p{L}\p{N}]--\p{Script=Han}]+)*)/gv;
const runsByRegex = (text: string) => [...normalizeText(text).matchAll(RUN)].map((m) => m[0]);

const TRICKY = [
  "kube-green 在 GitHub 上",
  "it's v1.2.3-rc, isn't it?",
  "a--b a- -a ..a.. 'a' don’t",
  "2018年k8sgpt之类的",
  "𠀀𠀁 集群𠀀a-b",
  "lone \uD800 high and \uDC00 low surrogates",
  "〇々〆 Ⅻ ½ ① x² ＡＢＣ１２３",
  "naïve café 한국어 日本語 ひらがな",
  "8,000 stars, 1,2345 and ５,０００",
];

describe("scanning runs", () => {
  it("splits text as the regular expression defining runs does", () => {
    for (const text of [...TRICKY, ...kb.passages.map((p) => p.text)]) {
      const runs: string[] = [];
      scanRuns(normalizeText(text), {
        han: (t, start, end) => runs.push(t.slice(start, end)),
        word: (word) => runs.push(word),
      });
      expect(runs).toEqual(runsByRegex(text));
    }
  });
});

describe("Vocabulary", () => {
  it("numbers exactly tokenize's tokens, in order, and finds each by its string", () => {
    const vocabulary = new Vocabulary();
    for (const text of [...TRICKY, ...kb.passages.map((p) => p.text)]) {
      const ids = vocabulary.scan(text);
      const tokens = tokenize(text);
      expect([...ids.data.subarray(0, ids.length)]).toEqual(tokens.map((t) => vocabulary.lookup(t)));
    }
    const all = new Set(kb.passages.flatMap((p) => tokenize(p.text)));
    const ids = new Set([...all].map((t) => vocabulary.lookup(t)));
    expect(ids.size).toBe(all.size);
  });

  it("knows no stop word, no unseen term, and no longer Chinese string", () => {
    const vocabulary = new Vocabulary();
    vocabulary.scan("集群的管理 什么 cluster 𠀀𠀁");
    expect(vocabulary.lookup("集群")).toBeTypeOf("number");
    expect(vocabulary.lookup("𠀀𠀁")).toBeTypeOf("number");
    for (const term of ["的", "什么", "集群的", "集a", "clusters", "node", "", "管理集"])
      expect(vocabulary.lookup(term)).toBeUndefined();
    // A pair with a stop character is still a term: only stop pairs and stop characters are not.
    expect(vocabulary.lookup("的管")).toBeTypeOf("number");
  });
});

describe("Bm25Index", () => {
  const vocabulary = new Vocabulary();
  const texts = kb.passages.map((p) => p.text);
  const own = texts.map((t) => {
    const ids = vocabulary.scan(t);
    return { data: ids.data.slice(0, ids.length), length: ids.length } as TermIdList;
  });
  const empty: TermIdList = { data: new Int32Array(0), length: 0 };
  const previous = Int32Array.from(texts, (_, i) => (i % 3 === 0 ? -1 : i - 1));
  const query = tokenize("KubeVirt 虚拟机 users company").map((t) => ({
    id: vocabulary.lookup(t) ?? -1,
    boost: 1,
  }));
  const boosts = new Float64Array(texts.length).fill(1);

  it("scores a field copied from another document's field as if it were tokenized again", () => {
    const copied = new Bm25Index(
      texts.length,
      [{ tokens: (d) => own[d] as TermIdList }, { from: 0, source: previous }],
      [0, 1],
    );
    const counted = new Bm25Index(
      texts.length,
      [
        { tokens: (d) => own[d] as TermIdList },
        { tokens: (d) => (previous[d] === -1 ? empty : (own[previous[d] as number] as TermIdList)) },
      ],
      [0, 1],
    );
    const hits = copied.search(query, [1, 0.3], boosts, 10);
    expect(hits.length).toBe(10);
    expect(hits).toEqual(counted.search(query, [1, 0.3], boosts, 10));
    expect(copied.df).toEqual(counted.df);
    const id = query[0]?.id as number;
    expect([...copied.holders(id)]).toEqual([...counted.holders(id)]);
  });

  it("refuses a copied field whose sources do not increase", () => {
    const backwards = Int32Array.from(texts, (_, i) => texts.length - 1 - i);
    expect(
      () =>
        new Bm25Index(texts.length, [
          { tokens: (d) => own[d] as TermIdList },
          { from: 0, source: backwards },
        ]),
    ).toThrow(/increase/);
  });
});
