import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { createProjectDetector } from "../knowledge/knowledge-base.js";
import { userNames } from "../knowledge/project-facts.js";
import type { ProjectMatcher } from "../knowledge/project-matcher.js";
import { detectLanguage, normalizeText, tokenize } from "../knowledge/tokenize.js";
import { type CatalogEntity, catalogEntities, furtherReadingOwner } from "./catalog-entities.js";
import {
  ARTICLE,
  ATTRIBUTE_INTENTS,
  AUTHORS_VIEW,
  aliasTypos,
  CATALOG_SCOPE,
  COMPARE,
  CONCLUSION,
  CUES,
  contentConcepts,
  DETAIL,
  DETAIL_ONCE,
  EVENT_SCALE,
  EVENT_WHEN,
  EVENT_WHERE,
  EVENT_WORDS,
  FILLER_EN,
  type Intent,
  LIST,
  leadsWith,
  quotedPhrases,
  RECOMMEND,
  REFERS_BACK,
  SESSION_LINK,
  STARTED,
  SUPERLATIVE,
  SUPERLATIVE_AGE,
  SUPERLATIVE_MIN,
  sessionKey,
  TRAVEL,
  WHAT,
  WHICH_OF_CATALOG,
  WHY,
} from "./question-cues.js";
import { injectionKind, isInjection, withoutPersona } from "./question-guard.js";
import { namesAnotherEdition, narrowSubjects, talksDetail } from "./subject-narrowing.js";
import type { Subject, UnderstandContext, Understanding } from "./understanding.js";
import { firstSpellings, guessedNames, qualifyingUnknowns, unknownProperNouns } from "./unknown-words.js";

export type { Subject, UnderstandContext, Understanding } from "./understanding.js";
export { ATTRIBUTE_INTENTS, type Intent };

/**
 * Reads a question once for both answerers: its subjects (catalog projects by name, alias, typo
 * or Chinese name; the event; the article), its intents, and its language.
 */
export class QuestionReader {
  private readonly detectEvents: (text: string) => string[];
  private readonly nameTokens: Set<string>;
  private readonly sessionOwners: Map<string, string>;
  private readonly domain: Set<string>;
  /** Names the catalog states as facts (users, contributors, creators, products) -> which project and fact. */
  private readonly entities: CatalogEntity[];

  constructor(
    private readonly kb: KnowledgeBase,
    private readonly matcher: ProjectMatcher,
    /** Whether the knowledge base uses a term (a word of any passage, or its glossary translation). */
    private readonly knows: (concept: string) => boolean,
  ) {
    this.detectEvents = createProjectDetector(kb.events);
    // Names of projects, events and the people and companies the catalog states facts about.
    const entityNames = kb.projects.flatMap((p) => [
      ...userNames(p.facts.users),
      ...(p.facts.contributors ?? []),
      ...(p.facts.creator ? [p.facts.creator] : []),
      ...(p.facts.products ?? []),
    ]);
    this.nameTokens = new Set(
      [
        ...[...kb.projects, ...kb.events].flatMap((p) => [p.name, p.id, ...p.aliases]),
        ...entityNames,
        // A Chinese alias is a name as a whole: its character pairs ("集群" in "虚拟集群") are words.
      ].flatMap((n) => (/\p{Script=Han}/u.test(n) ? [n.toLowerCase()] : [...tokenize(n), n.toLowerCase()])),
    );
    this.domain = new Set(kb.glossary.flatMap((g) => [...g.en.flatMap((w) => tokenize(w)), ...g.zh]));
    this.entities = catalogEntities(kb.projects);
    this.sessionOwners = new Map(
      kb.projects.flatMap((p) =>
        p.links.kubecon_session ? [[sessionKey(p.links.kubecon_session.url), p.id]] : [],
      ),
    );
  }

  /** A project's names as a question would write them, lower-cased. */
  private namesOf(id: string): string[] {
    const p = this.matcher.get(id);
    return p ? [p.name, p.id, ...p.aliases].map((n) => n.toLowerCase()) : [];
  }

  private namesAuthor(text: string): boolean {
    return this.kb.articles.some((a) => a.meta.author && text.includes(a.meta.author.toLowerCase()));
  }

  read(question: string, context: UnderstandContext = {}): Understanding {
    const language = detectLanguage(question);
    const text = normalizeText(question);
    const subjects: Subject[] = [];
    const link = SESSION_LINK.exec(question)?.[0];
    const linked = link ? this.sessionOwners.get(sessionKey(link)) : undefined;
    const named = this.matcher.mentionedIn(question, (w) => this.knows(w) || this.knows(tokenize(w)[0] ?? w));
    // Order subjects as the question names them ("X or Y" compares X first).
    const position = (id: string) => {
      const spots = this.namesOf(id)
        .map((n) => text.indexOf(n))
        .filter((i) => i >= 0);
      return spots.length ? Math.min(...spots) : Number.POSITIVE_INFINITY;
    };
    named.sort((a, b) => position(a) - position(b));
    narrowSubjects(named, text, (id) => this.namesOf(id));
    if (context.focusProjectId && !named.includes(context.focusProjectId))
      named.unshift(context.focusProjectId);
    if (linked && !named.includes(linked)) named.push(linked);
    // A further-reading address, or its slug ("virtual-kubernetes-clusters-with-palette"), asked backwards.
    const reading = link ? undefined : furtherReadingOwner(this.kb.projects, text);
    if (reading && !named.includes(reading)) named.push(reading);
    // "Which project does Nvidia use?", "what did Loft Labs build?": a name the catalog states
    // as a fact points at its project, when the question asks about that relationship.
    let entityIntents: Intent[] = [];
    if (named.length === 0) {
      const asksRelation =
        CUES.some(
          ([intent, re]) =>
            ["users", "creator", "contributors", "products"].includes(intent) && re.test(text),
        ) ||
        /\bwhich (project|tool|one)\b|\bwhat (project|tool)\b|\bwho\b|谁|哪个项目|什么项目|哪个工具|什么工具|用的是|用什么|在用什么|做了什么|开发了什么|\b(make|makes|made|build|builds|built|create|creates|created|develop|develops|developed|contribute|contributes)\b/.test(
          text,
        );
      // A detail of a product or a maker the catalog names ("how much is Palette?", "Loft Labs
      // 融了多少钱") is about that product's or maker's project.
      const productDetail = DETAIL_ONCE.test(question);
      const hits = this.entities.filter(
        (e) =>
          e.re.test(text) &&
          (asksRelation || (productDetail && (e.intent === "products" || e.intent === "creator"))),
      );
      for (const hit of hits) if (!named.includes(hit.projectId)) named.push(hit.projectId);
      entityIntents = hits.map((h) => h.intent);
    }
    for (const id of named) subjects.push({ kind: "project", id });
    const events = this.detectEvents(question);
    // "kubecon londn": an event alias with a typo still names the event (and the typo is a name).
    const typos = new Set<string>();
    if (events.length === 0 && EVENT_WORDS.test(text))
      for (const e of this.kb.events) {
        const near = aliasTypos(text, [e.name, ...e.aliases]);
        if (near.length > 0) events.push(e.id);
        for (const x of near) typos.add(x);
      }
    // "KubeCon London" names the event; "kubecon" or "conference" alone may mean any edition.
    // "Will the talks be recorded?": a detail of the conference's talks is about the conference.
    const eventish = events.length > 0 || EVENT_WORDS.test(text) || talksDetail(named, text, question);
    // Every word of an alias, in any order ("which venue in London is KubeCon at?"), names it too.
    if (events.length === 0 && eventish)
      for (const e of this.kb.events)
        if (
          e.aliases.some((a) =>
            a
              .toLowerCase()
              .split(/\s+/)
              .every((w) => text.includes(w)),
          )
        )
          events.push(e.id);
    const weakEvent = events.length === 0 && eventish;
    for (const id of events) subjects.push({ kind: "event", id });

    const intents: Intent[] = [];
    const add = (i: Intent) => {
      if (!intents.includes(i)) intents.push(i);
    };
    const projectCount = named.length;
    if (link) add("reverse-link");
    if (reading) add("reading");
    if (SUPERLATIVE.test(text) && projectCount !== 1 && projectCount !== 2 && CATALOG_SCOPE.test(text))
      add("superlative");
    if (projectCount >= 2 && COMPARE.test(text)) add("compare");
    // The event's own questions, when no project is the subject ("when is KubeCon?").
    if (projectCount === 0 && (eventish || EVENT_SCALE.test(text))) {
      if (EVENT_SCALE.test(text)) add("event-scale");
      if (EVENT_WHEN.test(text)) add("event-when");
      if (EVENT_WHERE.test(text)) add("event-where");
      if (
        intents.length === 0 &&
        events.length > 0 &&
        !WHY.test(text) &&
        !ARTICLE.test(text) &&
        !CUES.some(([, re]) => re.test(text)) &&
        !LIST.test(text)
      )
        add("event-when");
    }
    // "Which projects does it cover?" lists the catalog; "which tools have no talks?" asks more.
    if (projectCount === 0 && LIST.test(text) && !CUES.some(([, re]) => re.test(text))) add("list");
    // The article itself, or its author by name ("who does Ant Newman work for?").
    // What the author thinks of something ("does the author buy the one-big-cluster idea?") is
    // asked of the article's prose, not of its title and byline.
    const authorsView = AUTHORS_VIEW.test(text) && !CONCLUSION.test(text);
    if (
      projectCount === 0 &&
      (ARTICLE.test(text) || this.namesAuthor(text)) &&
      !intents.includes("list") &&
      !authorsView
    )
      add("article");
    // In the order the question asks them: "who made it, and how many stars?" answers who first.
    const attributeCues = CUES.flatMap(([intent, re]) => {
      const at = text.search(re);
      return at < 0 ? [] : [{ intent, at }];
    })
      .sort((a, b) => a.at - b.at)
      .map((c) => c.intent);
    for (const intent of attributeCues) {
      // "talks" cues on an event question are about the event ("how many talks at KubeCon?").
      if (intent === "talks" && projectCount === 0 && (intents.includes("event-scale") || link)) continue;
      if (intent === "age" && intents.includes("superlative")) continue;
      if (intent === "stars" && intents.includes("superlative")) continue;
      // "哪年进的cncf": the year of joining the CNCF, not of starting.
      if (intent === "age" && attributeCues.includes("cncf") && !STARTED.test(text)) continue;
      add(intent);
    }
    for (const intent of entityIntents) add(intent);
    if (WHY.test(text)) add("why");
    if (WHAT.test(text)) add("what");
    if (projectCount === 0 && !link && RECOMMEND.test(text)) add("recommend");

    let superlative: Understanding["superlative"];
    if (intents.includes("superlative")) {
      superlative = {
        attribute: SUPERLATIVE_AGE.test(text) ? "age" : "stars",
        direction: SUPERLATIVE_MIN.test(text) ? "min" : "max",
      };
    }

    const isName = (w: string) =>
      this.nameTokens.has(w) ||
      typos.has(w) ||
      (/^[a-z0-9-]{5,}$/.test(w) && this.matcher.mentionedIn(w).length > 0);
    const body = withoutPersona(question); // "you are now my KubeCon buddy, …" is no content
    const concepts = contentConcepts(body, isName, (w) => this.domain.has(w));
    const known: string[] = [];
    const unknown: string[] = [];
    for (const c of concepts) (this.knows(c) ? known : unknown).push(c);
    const isKnownWord = (w: string) => isName(w) || this.knows(w);
    const properNouns = [
      ...new Set([...unknownProperNouns(body, isKnownWord), ...guessedNames(body, isKnownWord)]),
    ];
    for (const word of properNouns.map((n) => n.toLowerCase()))
      if (!unknown.includes(word) && !tokenize(word).some((t) => concepts.includes(t))) unknown.push(word);
    // A who-question about a project with no other cue asks who made it ("who's behind vCluster?"),
    // unless it asks about someone the article never mentions ("who's the CEO of…").
    if (
      projectCount > 0 &&
      /\bwho\b|谁/.test(text) &&
      unknown.length === 0 &&
      !intents.some((i) => ATTRIBUTE_INTENTS.has(i))
    )
      intents.unshift("creator");
    // "KubeCon" with a qualifier or a year the article never mentions ("KubeCon North America",
    // "KubeCon EU 2026") is another edition; travel around an event (a visa, a hotel) isn't the event.
    const edition = namesAnotherEdition(text, unknown);
    const otherYear = unknown.some((w) => /^(19|20)\d{2}$/.test(w));
    if (
      (eventish && otherYear) ||
      (weakEvent &&
        (edition ||
          (!intents.includes("event-scale") &&
            !DETAIL_ONCE.test(question) &&
            unknown.length > known.length))) ||
      (projectCount === 0 && TRAVEL.test(text) && !EVENT_WHEN.test(text))
    ) {
      for (let i = intents.length - 1; i >= 0; i--)
        if ((intents[i] as Intent).startsWith("event-")) intents.splice(i, 1);
      for (let i = subjects.length - 1; i >= 0; i--) if (subjects[i]?.kind === "event") subjects.splice(i, 1);
    } else if (
      weakEvent &&
      projectCount === 0 &&
      !WHY.test(text) &&
      (unknown.length === 0 || DETAIL_ONCE.test(question))
    ) {
      // "大会官网是哪个？", "will the KubeCon talks be recorded?": the conference the article is about.
      for (const e of this.kb.events) subjects.push({ kind: "event", id: e.id });
    }

    const wantsAttribute = intents.some((i) => ATTRIBUTE_INTENTS.has(i) || i === "why" || i === "what");
    const needsSubject =
      projectCount === 0 &&
      !link &&
      !WHICH_OF_CATALOG.test(text) &&
      !eventish &&
      !intents.some((i) => ["superlative", "recommend", "list", "article", "event-scale"].includes(i)) &&
      unknown.length <= known.length &&
      ((REFERS_BACK.test(text) && known.length <= 1) ||
        (wantsAttribute && known.length === 0 && unknown.length === 0));
    let subjectsFromContext = false;
    if (needsSubject && context.previousProjectIds?.length) {
      for (const id of context.previousProjectIds) subjects.push({ kind: "project", id });
      subjectsFromContext = true;
      if (context.previousProjectIds.length >= 2 && COMPARE.test(text) && !intents.includes("compare"))
        intents.unshift("compare");
    }
    if (intents.includes("article") || intents.includes("list")) {
      const article = this.kb.articles[0];
      if (article) subjects.push({ kind: "article", id: article.meta.id });
    }
    return {
      text,
      language,
      subjects,
      intents,
      ...(superlative ? { superlative } : {}),
      ...(link ? { link } : {}),
      needsSubject: needsSubject && !subjectsFromContext,
      viaEntity: entityIntents.length > 0,
      entities: this.entities.filter((e) => e.re.test(text)).map((e) => e.name),
      acrossCatalog: projectCount === 0 && WHICH_OF_CATALOG.test(text),
      unknownNames: properNouns,
      // "How does Crossplane work? It's like Cluster API": a name the article never mentions, asked
      // about before any project it covers, is what the question is about.
      leadsWithUnknownName: leadsWith(
        properNouns.filter((n) => !DETAIL_ONCE.test(n)),
        named.map((id) => position(id)),
        text,
      ),
      // Quoted phrases long enough to point at one sentence (a number like "35+" does too).
      quotes: quotedPhrases(question),
      subjectsFromContext,
      injection: isInjection(injectionKind(question), subjects),
      details: firstSpellings([
        ...(question.normalize("NFKC").match(DETAIL) ?? []).map((d) => d.toLowerCase()),
        ...(projectCount > 0 || events.length > 0 ? properNouns : []),
        ...(projectCount > 0 ? qualifyingUnknowns(question, isKnownWord, (t) => FILLER_EN.has(t)) : []),
      ]),
      content: { known, unknown },
    };
  }
}

/** The catalog projects among the subjects, in order. */
export function projectSubjects(u: Understanding): string[] {
  return u.subjects.flatMap((s) => (s.kind === "project" ? [s.id] : []));
}
