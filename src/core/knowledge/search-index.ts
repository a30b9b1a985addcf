import { Bm25Index, type TermIdList } from "./bm25.js";
import { createProjectDetector, type KnowledgeBase, type Passage } from "./knowledge-base.js";
import { PassageBoosts } from "./passage-boosts.js";
import { ProjectMatcher } from "./project-matcher.js";
import type { Retriever } from "./retriever.js";
import { chineseWords, detectLanguage, tokenize } from "./tokenize.js";
import { Vocabulary } from "./vocabulary.js";

export interface SearchHit {
  passage: Passage;
  score: number;
}

/** A query term with its weight: 1 for the question's own words, less for translations. */
export interface QueryTerm {
  term: string;
  weight: number;
  /** The question's own term this one was derived from (itself for original terms). */
  origin: string;
}

export interface SearchResult {
  hits: SearchHit[];
  terms: QueryTerm[];
  /** Projects the question names (or the caller focused on). */
  projectIds: string[];
  /**
   * Share (0..1) of the question's meaning, by IDF weight, found in the top passages.
   * Low values mean the knowledge base does not cover the question.
   */
  coverage: number;
}

export interface SearchOptions {
  k?: number;
  /** Projects to boost in addition to those the question names. */
  projectIds?: string[];
  /** Extra text whose terms help retrieval at a lower weight (e.g. the previous question in a thread). */
  context?: string;
}

const TRANSLATION_WEIGHT = 0.5;
const CONTEXT_WEIGHT = 0.35;

// Question words carry no content; removing them before tokenizing keeps their characters from
// forming bigrams with the content words beside them ("多少星标" must not yield "少星").
const CHINESE_QUESTION_WORDS =
  /多少|什么时候|什么|哪些|哪个|哪家|哪里|哪|谁|怎么样|怎么|如何|为什么|是否|吗|呢|请问|告诉我/g;
// English question phrasings whose words would otherwise count as content ("how long" is not about length).
const ENGLISH_QUESTION_PHRASES =
  /\bhow (long|many|much|old|often|fast|big|large|soon)\b|\b(been around|around|tell me|do you know|can you|used for|short for|stand for|stands for)\b/gi;
const stripQuestionWords = (text: string) =>
  text.replace(CHINESE_QUESTION_WORDS, " ").replace(ENGLISH_QUESTION_PHRASES, " ");

/** A Chinese word's index forms: its character pairs, or the character itself. */
function hanForms(word: string): string[] {
  const chars = [...word];
  return chars.length === 1 ? chars : chars.slice(1).map((c, i) => `${chars[i]}${c}`);
}

/** The fields a passage is indexed by, with their weights: its text, its section title, the paragraph before it. */
const FIELD_BOOSTS = [1, 0.5, 0.3];
/** Passages whose term sets are kept once computed (see termsOf). */
const RECENT_TERM_SETS = 512;

/** BM25 retrieval over passages with cross-language expansion and project boosts. */
export class SearchIndex implements Retriever {
  private readonly bm25: Bm25Index;
  private readonly vocabulary: Vocabulary;
  private readonly byId: Map<string, number>;
  private readonly recentTerms = new Map<number, Set<string>>();
  private readonly boosts: PassageBoosts;
  /** For each passage, the passage whose text is its context field, or -1. */
  private readonly previous: Int32Array;
  private readonly glossary: { en: string[][]; zh: string[][] }[];
  /** Each glossary entry's phrases (tokenized), both languages: built once, not per question. */
  private readonly groups: string[][][];
  /** Glossary entries by the first word of one of their phrases. */
  private readonly groupsByWord = new Map<string, number[]>();
  readonly matcher: ProjectMatcher;
  private readonly detectEvents: (text: string) => string[];

  constructor(readonly kb: KnowledgeBase) {
    this.matcher = new ProjectMatcher(kb.projects);
    this.detectEvents = createProjectDetector(kb.events);
    const passages = kb.passages;
    this.byId = new Map(passages.map((p, i) => [p.id, i]));
    // A paragraph often relies on the one before it ("there are 300 talks" follows "KubeCon in London"):
    // index the previous paragraph of the same section as low-weight context.
    const previous = Int32Array.from(passages, (p, i) => {
      const before = passages[i - 1];
      return p.kind === "article" &&
        before?.kind === "article" &&
        before.section === p.section &&
        before.articleId === p.articleId
        ? i - 1
        : -1;
    });
    const vocabulary = new Vocabulary();
    const sections = new Map<string, TermIdList>();
    const sectionTerms = (section: string) => {
      let known = sections.get(section);
      if (!known) {
        const ids = vocabulary.scan(section);
        known = { data: ids.data.slice(0, ids.length), length: ids.length };
        sections.set(section, known);
      }
      return known;
    };
    this.bm25 = new Bm25Index(
      passages.length,
      [
        { tokens: (doc) => vocabulary.scan((passages[doc] as Passage).text) },
        { tokens: (doc) => sectionTerms(String((passages[doc] as Passage).section)) },
        // The context field is the text field of the paragraph before: its postings are copied.
        { from: 0, source: previous },
      ],
      [0, 2],
    );
    this.vocabulary = vocabulary;
    this.previous = previous;
    this.boosts = new PassageBoosts(passages);
    // A Chinese word tokenizes into unigrams and bigrams; as a translation only its bigrams (or the
    // lone character) stand for it, so a translated concept weighs about as much as the original word.
    const zhTerms = (w: string) => {
      const t = tokenize(w);
      return t.length > 1 ? t.filter((x) => [...x].length > 1) : t;
    };
    this.glossary = kb.glossary.map((g) => ({ en: g.en.map(tokenize), zh: g.zh.map(zhTerms) }));
    this.groups = this.glossary.map((entry) => [...entry.en, ...entry.zh]);
    this.groups.forEach((group, i) => {
      for (const words of group) {
        const first = words[0];
        if (first === undefined) continue;
        const holders = this.groupsByWord.get(first) ?? [];
        if (holders.at(-1) !== i) holders.push(i);
        this.groupsByWord.set(first, holders);
      }
    });
  }

  /** Passages holding the term in their text or the paragraph before it. */
  private dfOf(term: string): number {
    const id = this.idOf(term);
    return id < 0 ? 0 : (this.bm25.df[id] as number);
  }

  /** A term's id in the index, or -1 when no passage holds it. */
  private idOf(term: string): number {
    const id = this.vocabulary.lookup(term);
    return id === undefined || id >= this.bm25.termCount ? -1 : id;
  }

  /** Inverse document frequency of a term in the passages (BM25's formula). */
  idf(term: string): number {
    const n = this.kb.passages.length;
    const df = this.dfOf(term);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Whether any passage holds the term. */
  knows(term: string): boolean {
    return this.dfOf(term) > 0;
  }

  /** The glossary entries with a phrase whose words are all among `words`, in glossary order. */
  private groupsWithin(
    words: { has(w: string): boolean } & Iterable<string>,
  ): { group: string[][]; hit: string[] }[] {
    const candidates = new Set<number>();
    for (const w of words) for (const i of this.groupsByWord.get(w) ?? []) candidates.add(i);
    const out: { group: string[][]; hit: string[] }[] = [];
    for (const i of [...candidates].sort((a, b) => a - b)) {
      const group = this.groups[i] as string[][];
      const hit = group.find((phrase) => phrase.length > 0 && phrase.every((w) => words.has(w)));
      if (hit) out.push({ group, hit });
    }
    return out;
  }

  /**
   * The index terms a concept of a question stands for: a Latin word's token, a Chinese word's
   * character pairs (or its one character), and the glossary's translations of either.
   */
  formsOf(concept: string): string[] {
    // A Latin concept is already a token (stemmed): tokenizing it again would stem it twice.
    const own = /\p{Script=Han}/u.test(concept) ? hanForms(concept) : [concept];
    const forms = new Set(own);
    for (const { group } of this.groupsWithin(new Set(own)))
      for (const words of group) for (const w of words) forms.add(w);
    return [...forms];
  }

  /** Whether any passage uses the concept (in any of its forms): an unknown one is a detail the articles never state. */
  knowsConcept(concept: string): boolean {
    return this.conceptIn(concept, () => true);
  }

  /** Whether a passage about one of these projects uses the concept. */
  knowsAbout(concept: string, projectIds: string[]): boolean {
    if (projectIds.length === 0) return this.knowsConcept(concept);
    // A project's own passages: its catalog entry and its section of the article (a passage that
    // merely lists it beside others says nothing about it).
    // A tool named in passing has no section of its own: the section it is named in is another's.
    const sections = new Set(
      projectIds.flatMap((id) => {
        const p = this.matcher.get(id);
        return p?.featured ? [p.section] : [];
      }),
    );
    const ids = new Set(projectIds);
    return this.conceptIn(
      concept,
      (p) =>
        (p.kind === "catalog" && p.projectIds.length === 1 && ids.has(p.projectIds[0] as string)) ||
        (p.kind === "article" && sections.has(p.section) && p.projectIds.some((id) => ids.has(id))),
    );
  }

  private conceptIn(concept: string, include: (p: Passage) => boolean): boolean {
    const own = /\p{Script=Han}/u.test(concept) ? hanForms(concept) : [concept];
    const check = (forms: string[]) => {
      if (forms.length === 0 || !forms.every((f) => this.dfOf(f) > 0)) return false;
      // Candidates are the holders of the rarest form; the others are looked up in their postings.
      const ids = forms
        .map((f) => this.idOf(f))
        .sort((a, b) => (this.bm25.df[a] as number) - (this.bm25.df[b] as number));
      const [first, ...rest] = ids as [number, ...number[]];
      for (const doc of this.bm25.holders(first))
        if (include(this.kb.passages[doc] as Passage) && rest.every((id) => this.bm25.holds(doc, id)))
          return true;
      return false;
    };
    if (check(own)) return true;
    // A translation counts: "company" is known through "企业".
    return this.groupsWithin(new Set(own)).some(({ group }) => group.some((words) => check(words)));
  }

  /** A passage's distinct terms: its text's and the paragraph before it's. */
  termsOf(passageId: string): Set<string> {
    const doc = this.byId.get(passageId);
    if (doc === undefined) return new Set();
    // Not stored for every passage (it would double the index): re-tokenized on demand for the top
    // passages of a question, and kept for the passages asked about most recently.
    const known = this.recentTerms.get(doc);
    if (known) return known;
    const before = this.previous[doc] as number;
    const context = before < 0 ? "" : (this.kb.passages[before] as Passage).text;
    const terms = new Set(tokenize(`${(this.kb.passages[doc] as Passage).text}\n${context}`));
    if (this.recentTerms.size >= RECENT_TERM_SETS) this.recentTerms.clear();
    this.recentTerms.set(doc, terms);
    return terms;
  }

  /** The question's terms plus translations (glossary), names of the projects it names, and context. */
  queryTerms(question: string, projectIds: string[], context?: string): QueryTerm[] {
    const cleaned = stripQuestionWords(question);
    const terms = new Map<string, QueryTerm>();
    const add = (term: string, weight: number, origin: string) => {
      const prev = terms.get(term);
      if (!prev || prev.weight < weight) terms.set(term, { term, weight, origin });
    };
    const own = tokenize(cleaned);
    for (const t of own) add(t, 1, t);
    const ownSet = new Set(own);
    // A glossary group is one meaning: a question using any of its words also searches for all the
    // others, in either language ("公司" finds "企业" as well as "company").
    for (const { group, hit } of this.groupsWithin(ownSet)) {
      for (const words of group) {
        if (words === hit) continue;
        for (const w of words) add(w, TRANSLATION_WEIGHT / words.length, hit[0] as string);
      }
    }
    for (const id of projectIds) {
      const p = this.matcher.get(id);
      if (p) for (const t of tokenize(p.name)) add(t, 1, t);
    }
    if (context)
      for (const t of tokenize(stripQuestionWords(context))) add(t, CONTEXT_WEIGHT, `context:${t}`);
    return [...terms.values()];
  }

  /** The Retriever face: the same search, after yielding so a burst of acks is not held up behind it. */
  async retrieve(question: string, options: SearchOptions = {}): Promise<SearchResult> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.search(question, options);
  }

  search(question: string, options: SearchOptions = {}): SearchResult {
    const k = options.k ?? 4;
    const named = this.matcher.mentionedIn(question, (w) => this.knows(w) || this.knows(tokenize(w)[0] ?? w));
    const projectIds = [...new Set([...(options.projectIds ?? []), ...named])];
    const contextProjects =
      options.context && named.length === 0 ? this.matcher.mentionedIn(options.context) : [];
    const events = this.detectEvents(question).map((id) => `event:${id}`);
    const boosted = new Set([...projectIds, ...contextProjects, ...events]);
    const terms = this.queryTerms(question, projectIds, options.context);
    const language = detectLanguage(question);
    if (terms.length === 0) return { hits: [], terms, projectIds, coverage: 0 };
    const passages = this.kb.passages;
    const found = this.bm25.search(
      terms.map((t) => ({ id: this.idOf(t.term), boost: t.weight })),
      FIELD_BOOSTS,
      this.boosts.weights(language, boosted),
      k,
    );
    const hits = found.map((h) => ({ passage: passages[h.doc] as Passage, score: h.score }));
    return { hits, terms, projectIds, coverage: this.coverage(question, terms, hits) };
  }

  private coverage(question: string, terms: QueryTerm[], hits: SearchHit[]): number {
    // A question term counts as found when it, or one of its translations, is in a top passage.
    const found = new Set<string>();
    const top = hits.slice(0, 3).map((h) => this.termsOf(h.passage.id));
    for (const t of terms)
      if (!t.origin.startsWith("context:") && top.some((s) => s.has(t.term))) found.add(t.origin);
    // `found` is the share of a concept found: 0 or 1 for a Latin word, partial for a long Chinese word.
    const concepts: { weight: number; found: number }[] = [];
    // Latin words and numbers: each token is a concept.
    for (const t of terms) {
      if (t.weight < 1 || t.origin !== t.term || /\p{Script=Han}/u.test(t.term)) continue;
      concepts.push({ weight: this.idf(t.term) || 1, found: found.has(t.term) ? 1 : 0 });
    }
    // Chinese: each word is a concept, found as far as its character pairs (or its one character) are.
    for (const word of chineseWords(stripQuestionWords(question))) {
      const chars = [...word];
      const parts = chars.length === 1 ? chars : chars.slice(1).map((c, i) => `${chars[i]}${c}`);
      const weight = parts.reduce((sum, p) => sum + this.idf(p), 0) / parts.length;
      concepts.push({ weight, found: parts.filter((p) => found.has(p)).length / parts.length });
    }
    const total = concepts.reduce((sum, c) => sum + c.weight, 0);
    const matched = concepts.reduce((sum, c) => sum + c.found * c.weight, 0);
    return total === 0 ? 0 : matched / total;
  }
}
