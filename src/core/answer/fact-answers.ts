import type { KnowledgeBase, Passage } from "../knowledge/knowledge-base.js";
import { readingSentence, sessionSentence } from "../knowledge/knowledge-base.js";
import { projectFacts } from "../knowledge/project-facts.js";
import type { Project } from "../knowledge/schema.js";
import { CatalogAnswers } from "./catalog-answers.js";
import { EventAndArticleAnswers } from "./event-article-answers.js";
import {
  ASKS_COUNT,
  ASKS_LINK,
  type ComposedAnswer,
  clauseAttributes,
  dedupe,
  FACT_KEYS,
  type FactSentence,
  joinSentences,
  MATURITY,
  sentencesOf,
  UNSTATED,
  unstated,
  WITHHELD,
  whySentence,
  zh,
} from "./fact-text.js";
import { HedgeAnswers } from "./hedge-answers.js";
import { CONCLUSION } from "./question-cues.js";
import { quotes } from "./quoted-sentences.js";
import { ATTRIBUTE_INTENTS, type Intent, projectSubjects, type Understanding } from "./understand.js";

export type { ComposedAnswer, FactSentence };

/** Asking for a year, not an age. */
const ASKS_YEAR =
  /\b(what|which) year\b|\byear\b[^?]{0,20}\b(start|begin|began|found)|哪一?年|几几年|\bwhen did\b/;

/**
 * Answers from the catalog first: the fact asked for, in the question's language, each sentence
 * tied to the catalog passage that states it. Undefined when the question asks nothing the
 * catalog answers (then the extractive answerer quotes the best sentences instead).
 */
export class FactComposer {
  private readonly byId: Map<string, Passage>;
  private readonly projects: Map<string, Project>;

  private readonly catalog: CatalogAnswers;
  private readonly about: EventAndArticleAnswers;
  private readonly hedges: HedgeAnswers;

  /** `formsOf`: a word's index terms and translations, so an English word finds a Chinese sentence. */
  constructor(
    private readonly kb: KnowledgeBase,
    formsOf: (word: string) => string[] = (w) => [w],
  ) {
    this.byId = new Map(kb.passages.map((p) => [p.id, p]));
    this.projects = new Map(kb.projects.map((p) => [p.id, p]));
    this.catalog = new CatalogAnswers(kb, this.byId, this.projects);
    this.about = new EventAndArticleAnswers(kb, this.byId, formsOf);
    this.hedges = new HedgeAnswers(kb, this.byId, this.projects, formsOf);
  }

  /** The passages an understood question rests on, best first: they join the retrieved ones. */
  evidence(u: Understanding, recommended?: string): Passage[] {
    const L = u.language;
    const out: Passage[] = [];
    const push = (id: string) => {
      const p = this.byId.get(id);
      if (p && !out.includes(p)) out.push(p);
    };
    for (const id of projectSubjects(u)) push(`catalog:${id}:${L}`);
    for (const s of u.subjects) if (s.kind === "event") push(`event:${s.id}:${L}`);
    if (u.intents.some((i) => i.startsWith("event-")))
      for (const e of this.kb.events) push(`event:${e.id}:${L}`);
    if (u.intents.includes("article") || u.intents.includes("list"))
      for (const a of this.kb.articles) {
        push(`article:${a.meta.id}:${L}`);
        if (CONCLUSION.test(u.text))
          for (const p of this.about.closing(a.meta.id)) if (!out.includes(p)) out.push(p);
      }
    if (u.superlative) {
      const ranked = this.catalog.ranked(u.superlative.attribute, u.superlative.direction);
      if (ranked[0]) push(`catalog:${ranked[0].project.id}:${L}`);
    }
    if (recommended) push(`catalog:${recommended}:${L}`);
    // "Which tools get no talks?": the catalog's list of them.
    if (u.intents.includes("talks") && projectSubjects(u).length === 0)
      for (const p of this.kb.passages) if (p.id.startsWith(`catalog:no-talks:${L}:`)) push(p.id);
    for (const q of quotes(u, this.kb)) if (!out.includes(q.passage)) out.push(q.passage);
    return out;
  }

  compose(u: Understanding, options: { recommended?: string } = {}): ComposedAnswer | undefined {
    // "Which hashtags does it use?": the sentences holding them (the index drops the "#").
    if (/\bhash-?tags?\b|话题标签|井号/.test(u.text)) {
      const tagged = this.kb.passages
        .filter((p) => p.kind === "article" && /(^|\s)#\p{L}/u.test(p.text))
        .flatMap((p) =>
          sentencesOf(p.text)
            .filter((t) => /(^|\s)#\p{L}/u.test(t))
            .map((text) => ({ text, passage: p })),
        );
      if (tagged.length > 0) return { sentences: tagged.slice(0, 2), hedged: false };
    }
    // A quoted phrase of the article ("文中的“网络超级工具”指的是哪个项目？") is answered by its sentence.
    // The closing section named by its title ("“拥抱多样性”主要讲了啥") is answered as the closing section.
    if (u.intents.includes("article") && CONCLUSION.test(u.text)) return this.about.article(u, "about");
    const quoted = quotes(u, this.kb);
    if (quoted.length > 0 && !u.intents.some((i) => ATTRIBUTE_INTENTS.has(i)))
      return { sentences: quoted.slice(0, 2), hedged: false };
    const L = u.language;
    const ids = projectSubjects(u);
    if (u.intents.includes("reverse-link")) return this.catalog.reverseLink(u);
    if (u.superlative) return this.catalog.superlative(u);
    if (options.recommended)
      return this.catalog.recommend(options.recommended, L, u.intents.includes("talks"));
    if (ids.length >= 2 && u.intents.includes("compare")) return this.catalog.compare(ids.slice(0, 2), u);
    if (ids.length === 0) {
      const filtered = this.catalog.filter(u);
      if (filtered) return filtered;
      const asksEvent =
        u.subjects.some((s) => s.kind === "event") &&
        /\blinks?\b|\burls?\b|\bpage\b|\bwebsite\b|官网|网站|链接/.test(u.text);
      if (asksEvent || u.intents.some((i) => i.startsWith("event-"))) return this.about.event(u);
      if (u.intents.includes("list")) return this.about.article(u, "list");
      if (u.intents.includes("article")) return this.about.article(u, "about");
      return undefined;
    }
    const sentences: FactSentence[] = [];
    let hedged = false;
    const allMissing: Intent[] = [];
    const attributes = u.intents.filter((i) => ATTRIBUTE_INTENTS.has(i));
    // Where each project's answer starts, when it states a fact (not "the article doesn't say").
    const leads: number[] = [];
    // One subject at a time; a follow-up about two projects answers both.
    for (const id of ids.slice(0, 2)) {
      const project = this.projects.get(id);
      const passage = this.byId.get(`catalog:${id}:${L}`);
      if (!project || !passage) continue;
      const facts = new Map(projectFacts(project, L).map((f) => [f.key, f.sentence]));
      const missing: Intent[] = [];
      const countFirst = ASKS_COUNT.test(u.text) && !ASKS_LINK.test(u.text);
      // "Where can I meet the Kairos team?": the talks fact (the pavilion) before the session link.
      const meetFirst =
        /\b(meet|say hi|find)\b[^?]{0,30}\b(team|folks|people|maintainers)\b|(团队|维护者)/.test(u.text);
      const before = sentences.length;
      const firsts: number[] = [];
      // Two projects named in two clauses: each gets what its own clause asks.
      const own =
        (ids.length >= 2 &&
          clauseAttributes(
            u.text,
            [project.name, project.id, ...project.aliases].map((n) => n.toLowerCase()),
          )) ||
        attributes;
      for (const intent of own.slice(0, 3)) {
        firsts.push(sentences.length);
        // A talks question wants the session and its link first, then how many talks there are.
        if (intent === "talks" && project.links.kubecon_session && !countFirst && !meetFirst)
          sentences.push({ text: sessionSentence(project, L), passage });
        // Asked how mature it is, the maturity comes first; asked how old, the start.
        const keys =
          intent === "age" && MATURITY.test(u.text)
            ? ["maturity", "started", "age"]
            : (FACT_KEYS[intent] ?? []);
        let stated =
          intent === "reading"
            ? project.links.further_reading.map((l) => readingSentence(project, l, L))
            : keys.flatMap((k) => (facts.has(k) ? [facts.get(k) as string] : []));
        // "Is it still alive?" without a maintenance fact: how long it has run, and its momentum.
        if (intent === "maintenance" && stated.length === 0 && facts.has("age") && project.why)
          stated = [facts.get("age") as string, whySentence(project, L)];
        if (stated.length === 0 && !(intent === "talks" && project.links.kubecon_session))
          missing.push(intent);
        // "Link to the LocalAI talk?": the article links no session for it.
        if (
          intent === "talks" &&
          !project.links.kubecon_session &&
          ASKS_LINK.test(u.text) &&
          stated.length > 0
        ) {
          sentences.push({
            text: unstated(
              L,
              L === "zh"
                ? `关于 ${project.name} 的 KubeCon 会议链接`
                : `a KubeCon session link for ${project.name}`,
            ),
            passage,
          });
          hedged = true;
        }
        // "How many contributors?" when the article names some but gives no number.
        if (countFirst && stated.length > 0 && ["contributors", "users", "maintenance"].includes(intent)) {
          sentences.push({ text: unstated(L, L === "zh" ? "具体数量" : "how many there are"), passage });
          hedged = true;
        }
        for (const text of stated) sentences.push({ text, passage });
        // "Which year did KubeVirt start?" when the article only says "more than eight years".
        if (intent === "age" && stated.length > 0 && !facts.has("started") && ASKS_YEAR.test(u.text)) {
          sentences.push({
            text: unstated(
              L,
              L === "zh" ? `${project.name} 具体是哪一年开始的` : `which year ${project.name} started`,
            ),
            passage,
          });
          hedged = true;
        }
        // "Which of those unnamed enterprises?", "which railway exactly?": names the article withholds.
        if (intent === "users" && stated.length > 0 && WITHHELD.test(u.text)) {
          sentences.push({ text: unstated(L, L === "zh" ? "这些用户的具体名字" : "their names"), passage });
          hedged = true;
        }
        // "Exactly how many talks mention CAPI?" when the article says "a few" or "35+ together".
        if (
          countFirst &&
          intent === "talks" &&
          project.facts.talks &&
          project.facts.talks.count === undefined
        ) {
          sentences.push({
            text: unstated(L, L === "zh" ? "确切的演讲数量" : "an exact number of talks"),
            passage,
          });
          hedged = true;
        }
        if (intent === "talks" && project.links.kubecon_session && (countFirst || meetFirst))
          sentences.push({ text: sessionSentence(project, L), passage });
      }
      // Facts asked together ("who made it, how many stars, how many talks?") lead in one sentence:
      // the first sentence of each, joined; the rest follow.
      const heads = [...new Set(firsts)].filter((i) => i < sentences.length);
      if (own.length >= 2 && missing.length === 0 && heads.length >= 2) {
        const lead = heads.map((i) => sentences[i] as FactSentence);
        const rest = sentences.splice(before).filter((s) => !lead.includes(s));
        sentences.push(
          {
            text: joinSentences(
              lead.map((s) => s.text),
              L,
            ),
            passage,
          },
          ...rest,
        );
      }
      if (missing.length === 0 && sentences.length > before) leads.push(before);
      allMissing.push(...missing);
      if (missing.length > 0) {
        hedged = true;
        const what = missing.map((i) => UNSTATED[L][i]?.(project.name)).filter(Boolean);
        sentences.push({ text: unstated(L, what.join(L === "zh" ? "，也没有说" : ", nor ")), passage });
      }
      // Why first when asked why; what it is when asked, when nothing else was, or to follow
      // "the article doesn't say".
      const wantsWhy = u.intents.includes("why") && project.why !== undefined;
      const stated = sentences.at(-1);
      if (
        wantsWhy &&
        attributes.length > 0 &&
        missing.length === 0 &&
        stated?.passage === passage &&
        project.why
      ) {
        // A fact and its reason asked in one message are answered in one sentence.
        const why = project.why[L];
        stated.text = zh(L)
          ? `${stated.text.replace(/。$/, "")}，它之所以重要，是因为${why.replace(/。$/, "")}。`
          : `${stated.text.replace(/\.$/, "")}, and it matters because ${why.charAt(0).toLowerCase()}${why.slice(1)}`;
      } else if (wantsWhy) sentences.push({ text: whySentence(project, L), passage });
      const wantsWhat =
        (u.intents.includes("what") && !wantsWhy) || (own.length === 0 && !wantsWhy) || missing.length > 0;
      if (wantsWhat) sentences.push({ text: project.summary[L], passage });
    }
    if (sentences.length === 0) return undefined;
    // "capi stars? and kubevirt?": each project's fact, in one first sentence.
    if (ids.length === 2 && leads.length === 2 && attributes.length > 0 && !u.intents.includes("compare")) {
      const [a, b] = [sentences[leads[0] as number], sentences[leads[1] as number]] as FactSentence[];
      sentences.splice(leads[1] as number, 1);
      sentences.splice(leads[0] as number, 1, {
        text: joinSentences([a.text, b.text], L),
        passage: a.passage,
        also: b.passage,
      });
      return { sentences: dedupe(sentences), hedged, missing: allMissing };
    }
    // Several subjects ("what does LocalAI have to do with K8sGPT?"): the sentences naming more of
    // them come first.
    if (ids.length >= 2) {
      const names = ids.map((id) => this.projects.get(id)?.name.toLowerCase() ?? id);
      const count = (t: string) => names.filter((n) => t.toLowerCase().includes(n)).length;
      sentences.sort((a, b) => count(b.text) - count(a.text));
    }
    return { sentences: dedupe(sentences), hedged, missing: allMissing };
  }

  /** "The article doesn't say X" for details the knowledge base never mentions, then what it does say. */
  hedge(u: Understanding, details: string[]): ComposedAnswer | undefined {
    return this.hedges.hedge(u, details);
  }
}

export { quotes } from "./quoted-sentences.js";
