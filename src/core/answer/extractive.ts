import type { Passage } from "../knowledge/knowledge-base.js";
import { isArticleOverview } from "../knowledge/knowledge-base.js";
import type { QueryTerm, SearchIndex } from "../knowledge/search-index.js";
import { detectLanguage, tokenize } from "../knowledge/tokenize.js";
import { knowledgeTopic } from "../knowledge/topic.js";
import type { Language } from "../types.js";
import type { Answerer, AnswerInput, AnswerResult } from "./answerer.js";
import { render } from "./cited-answer.js";
import { FactComposer, type FactSentence } from "./fact-answers.js";
import { WITHHELD } from "./fact-text.js";
import { messages } from "./messages.js";
import { AUTHORS_VIEW } from "./question-cues.js";
import {
  ASKS_NUMBER,
  ASKS_WHAT,
  definitionPattern,
  factTokens,
  jaccard,
  numbersIn,
  typeBonus,
} from "./sentence-scoring.js";
import { ATTRIBUTE_INTENTS, projectSubjects } from "./understand.js";

const MAX_SENTENCES = 3;
/** A further sentence joins the answer only if it scores at least this share of the best one. */
const RELATIVE_CUTOFF = 0.7;

interface Candidate {
  text: string;
  passage: Passage;
  rank: number;
  tokens: Set<string>;
  facts: Set<string>;
  language: Language;
  score: number;
}

/** Splits a passage into sentences (Chinese and English punctuation; list items are sentences). */
export function splitSentences(text: string): string[] {
  return text
    .split(/\n+|(?<=[。！？!?])|(?<!\b(?:e\.g|i\.e|vs|etc|approx)\.)(?<=[.!?])\s+/u)
    .map((s) => s.replace(/^[-*]\s+/, "").trim())
    .filter((s) => s.length > 0);
}

/**
 * Answers with the sentences of the top passages that best answer the question, each cited [n].
 * Needs no model: it is the embedded default and the fallback of the LLM path.
 */
export class ExtractiveAnswerer implements Answerer {
  private readonly composer: FactComposer;

  constructor(private readonly index: SearchIndex) {
    this.composer = new FactComposer(index.kb, (w) => index.formsOf(w));
  }

  async answer(input: AnswerInput): Promise<AnswerResult> {
    const composed = this.composeFromCatalog(input);
    if (composed) return composed;
    return this.extract(input);
  }

  /** The best sentences of the retrieved passages, by how much of the question they hold. */
  private extract(input: AnswerInput): AnswerResult {
    const { question, language, retrieval } = input;
    // An article's overview (title, author, publisher) answers questions about the article; a
    // "What is Dapr?" about an article titled "Dapr: …" must open with what the article says.
    const aboutArticle = input.understanding?.intents.some((i) => i === "article" || i === "list") ?? true;
    const hits = retrieval.hits.filter((h) => aboutArticle || !isArticleOverview(h.passage));
    const chosen = this.select(
      question,
      language,
      retrieval.terms,
      hits.map((h) => ({ passage: h.passage, score: h.score })),
      retrieval.projectIds,
    );
    if (chosen.length === 0) {
      return {
        text: messages.declinedOffTopic[language](knowledgeTopic(this.index.kb, language)),
        mode: "declined",
        sources: [],
      };
    }
    // A quoted sentence that doesn't name the one project asked about ("它们也真正彼此隔离") says
    // which project it is about.
    const subjects = input.understanding ? projectSubjects(input.understanding) : [];
    const only = subjects.length === 1 ? this.index.matcher.get(subjects[0] as string) : undefined;
    return render(
      chosen.map((c) => ({
        text:
          only &&
          c.passage.projectIds.includes(only.id) &&
          !this.index.matcher.mentionedIn(c.text).includes(only.id)
            ? `${only.name}${language === "zh" ? "：" : ": "}${c.text}`
            : c.text,
        passage: c.passage,
      })),
      language,
      false,
    );
  }

  /** Facts first: what the catalog states about the understood subjects, or what it doesn't. */
  private composeFromCatalog(input: AnswerInput): AnswerResult | undefined {
    const u = input.understanding;
    if (!u) return undefined;
    // What the author makes of something is in the article's prose, not in the catalog.
    if (AUTHORS_VIEW.test(u.text)) return undefined;
    const asksAttribute = u.intents.some((i) => ATTRIBUTE_INTENTS.has(i));
    const answerable = asksAttribute || u.intents.includes("what") || u.intents.includes("why");
    const unstated = input.unstated ?? [];
    const detailAsked = unstated.some((d) => u.details.includes(d));
    // A detail of the event ("will the talks be recorded?"): the event has no catalog attributes.
    const aboutEvent = projectSubjects(u).length === 0 && u.subjects.some((s) => s.kind === "event");
    if (
      unstated.length > 0 &&
      (!answerable || u.viaEntity || aboutEvent || (detailAsked && !asksAttribute))
    ) {
      // Before saying the article doesn't say: a sentence about the subject that holds the
      // question's own words answers it ("where is Kairos used in the real world?").
      if (!u.viaEntity && !detailAsked && this.subjectSentenceHolds(input)) return this.extract(input);
      const hedged = this.composer.hedge(u, unstated);
      if (hedged) return render(hedged.sentences, u.language, true);
    }
    const composed = this.composer.compose(u, input.recommended ? { recommended: input.recommended } : {});
    if (!composed) return undefined;
    // "The article doesn't say who contributes to Kairos" is wrong when the article does say what
    // its contributors build: a missing catalog fact yields to a sentence that holds the question's words.
    // Not for a number or a date the catalog lacks: a sentence without it can't answer.
    // Only for facts an article sentence can hold in other words (what contributors build), never
    // for a number, a date or a name the catalog lacks.
    const numeric = (composed.missing ?? []).some(
      (i) => !["contributors", "products", "maintenance"].includes(i),
    );
    // Names the article withholds stay withheld, whatever sentence holds the question's words.
    if (composed.hedged && !WITHHELD.test(u.text) && !numeric && u.content.known.length > 0) {
      const best = this.extractSentences(input)[0];
      const tokens = new Set(best ? tokenize(best.text) : []);
      const held = u.content.known.filter((c) => this.index.formsOf(c).some((f) => tokens.has(f)));
      const ids = projectSubjects(u);
      const aboutSubject =
        best?.passage.projectIds.some((id) => ids.includes(id)) === true &&
        this.index.matcher.mentionedIn(best.text).every((id) => ids.includes(id));
      if (best && aboutSubject && held.length * 2 >= u.content.known.length) return this.extract(input);
    }
    const sentences = [...composed.sentences];
    let hedged = composed.hedged;
    // The facts asked for, then what else was asked that the catalog doesn't hold: a detail the
    // article never states, or words of the question the catalog sentences don't answer
    // ("why does vCluster suit dev environments?" is answered by the article, not the catalog).
    // Words the knowledge base never uses at all ("room", "版本号") name a detail it doesn't state.
    const foreign = unstated.filter(
      (d) => u.details.includes(d) || tokenize(d).every((t) => !this.index.knowsConcept(t)),
    );
    if (foreign.length > 0 && asksAttribute) {
      const passage = sentences[0]?.passage;
      if (passage) {
        const list = foreign.map((d) => `“${d}”`).join(u.language === "zh" ? "、" : ", ");
        sentences.push({
          text:
            u.language === "zh" ? `文章没有提到${list}。` : `The article doesn't say anything about ${list}.`,
          passage,
        });
        hedged = true;
      }
    } else if (
      !hedged &&
      !u.intents.includes("why") &&
      !u.intents.includes("compare") &&
      projectSubjects(u).length > 0 &&
      u.content.known.length > 0
    ) {
      const covered = new Set(tokenize(sentences.map((s) => s.text).join(" ")));
      const missing = u.content.known.filter((c) => !this.index.formsOf(c).some((f) => covered.has(f)));
      if (missing.length > 0 && missing.length * 2 >= u.content.known.length) {
        const extra = this.extract(input);
        const onlyOpen = !asksAttribute;
        if (extra.mode === "extractive" && extra.sources.length > 0) {
          if (onlyOpen) return extra;
          const first = this.extractSentences(input)[0];
          if (first && !sentences.some((s) => s.text === first.text)) sentences.push(first);
        }
      }
    }
    return render(sentences, u.language, hedged);
  }

  /** Whether the best extracted sentence is about the subject and holds half the question's known words. */
  private subjectSentenceHolds(input: AnswerInput): boolean {
    const u = input.understanding;
    if (!u || u.content.known.length === 0) return false;
    const best = this.extractSentences(input)[0];
    if (!best) return false;
    // A sentence without a number can't answer "how many".
    if (ASKS_NUMBER.test(u.text) && !/\d/.test(best.text)) return false;
    const ids = projectSubjects(u);
    const tokens = new Set(tokenize(best.text));
    const held = u.content.known.filter((c) => this.index.formsOf(c).some((f) => tokens.has(f)));
    // Half of everything the question asks about, unknown words included ("hypervisor", "KVM").
    if (held.length * 2 < u.content.known.length + u.content.unknown.length) return false;
    const about =
      best.passage.projectIds.some((id) => ids.includes(id)) &&
      this.index.matcher.mentionedIn(best.text).every((id) => ids.includes(id));
    return about && held.length > 0 && held.length * 2 >= u.content.known.length;
  }

  private extractSentences(input: AnswerInput): FactSentence[] {
    const { question, language, retrieval } = input;
    return this.select(
      question,
      language,
      retrieval.terms,
      retrieval.hits.map((h) => ({ passage: h.passage, score: h.score })),
      retrieval.projectIds,
    ).map((c) => ({ text: c.text, passage: c.passage }));
  }

  private select(
    question: string,
    language: Language,
    terms: QueryTerm[],
    hits: { passage: Passage; score: number }[],
    projectIds: string[],
  ): Candidate[] {
    const top = hits[0]?.score ?? 0;
    if (top <= 0) return [];
    // Each concept of the question counts once, whichever of its forms (original or translation) matches.
    const concepts = new Map<string, number>();
    for (const t of terms)
      if (!t.origin.startsWith("context:")) concepts.set(t.origin, this.index.idf(t.origin) || 1);
    const totalWeight = [...concepts.values()].reduce((a, b) => a + b, 0) || 1;
    const named = new Set(projectIds);
    const namedProjects = projectIds.map((id) => this.index.matcher.get(id)).filter((p) => p !== undefined);
    const names = namedProjects.flatMap((p) => [p.name, ...p.aliases]);
    const nameTokens = new Set(names.flatMap((n) => tokenize(n)));
    const definitional = ASKS_WHAT.test(question);
    const definition = definitionPattern(names);
    // Words the knowledge base never uses ("help") cannot be required of a sentence.
    const known = new Set(terms.filter((t) => this.index.knows(t.term)).map((t) => t.origin));
    let contentWeight = 0;
    for (const [origin, w] of concepts) if (!nameTokens.has(origin) && known.has(origin)) contentWeight += w;

    const candidates: Candidate[] = [];
    hits.forEach((hit, rank) => {
      for (const sentence of splitSentences(hit.passage.text)) {
        const tokens = new Set(tokenize(sentence));
        if (tokens.size < 3) continue;
        const found = new Map<string, number>();
        for (const t of terms) {
          if (t.origin.startsWith("context:") || !tokens.has(t.term)) continue;
          const share = Math.min(1, t.weight * 2);
          found.set(t.origin, Math.max(found.get(t.origin) ?? 0, share));
        }
        let matched = 0;
        let content = 0;
        for (const [origin, share] of found) {
          matched += share * (concepts.get(origin) ?? 0);
          if (!nameTokens.has(origin)) content += share * (concepts.get(origin) ?? 0);
        }
        if (matched === 0) continue;
        // When the question asks something beyond a name, a sentence must match some of that.
        const defines = definitional && (definition?.test(sentence.trim()) ?? false);
        if (contentWeight > 0 && content === 0 && !defines) continue;
        const mentioned = this.index.matcher.mentionedIn(sentence);
        const aboutNamed = mentioned.some((id) => named.has(id));
        // A sentence about another project answers a different question ("LocalAI has 30,000 stars"
        // is no answer to "how many stars does vCluster have?").
        const aboutOther = named.size > 0 && !aboutNamed && mentioned.length > 0;
        const sentenceLanguage = detectLanguage(sentence);
        let score =
          matched / totalWeight +
          0.3 * (hit.score / top) +
          (aboutNamed ? 0.15 : 0) +
          (sentenceLanguage === language ? 0.1 : 0) +
          (defines ? 0.5 : 0) +
          typeBonus(question, sentence, names);
        if (aboutOther) score *= 0.5;
        // Nor does a general sentence from a passage about nothing the question names.
        else if (named.size > 0 && !aboutNamed && !hit.passage.projectIds.some((id) => named.has(id)))
          score *= 0.6;
        candidates.push({
          text: sentence,
          passage: hit.passage,
          rank,
          tokens,
          facts: factTokens(tokens, nameTokens),
          language: sentenceLanguage,
          score,
        });
      }
    });
    candidates.sort((a, b) => b.score - a.score || a.rank - b.rank);

    const chosen: Candidate[] = [];
    for (const c of candidates) {
      // A question that only names a project ("how long has KubeVirt been around?") gets its best
      // sentence or two; more would be filler, since nothing else in it ranks them.
      if (chosen.length >= (contentWeight > 0 ? MAX_SENTENCES : 2)) break;
      const best = chosen[0];
      if (best && c.score < best.score * RELATIVE_CUTOFF) break;
      // Further sentences stay in the first one's language, and must add a fact: the same
      // fact in the other language, or the same number again, is a repetition.
      if (best && c.language !== best.language) continue;
      const duplicate = chosen.some(
        (o) =>
          jaccard(o.tokens, c.tokens) > 0.5 ||
          (o.facts.size > 0 && jaccard(o.facts, c.facts) >= 0.5) ||
          (numbersIn(o.tokens) !== "" && numbersIn(o.tokens) === numbersIn(c.tokens)),
      );
      if (!duplicate) chosen.push(c);
    }
    return chosen;
  }
}
