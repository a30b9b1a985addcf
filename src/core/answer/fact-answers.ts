import type { KnowledgeBase, Passage } from "../knowledge/knowledge-base.js";
import { sessionSentence } from "../knowledge/knowledge-base.js";
import { projectFacts } from "../knowledge/project-facts.js";
import type { Project } from "../knowledge/schema.js";
import type { Language } from "../types.js";
import { ATTRIBUTE_INTENTS, type Intent, projectSubjects, type Understanding } from "./understand.js";

/** One sentence of a composed answer and the passage that states it. */
export interface FactSentence {
  text: string;
  passage: Passage;
  /** A second passage the sentence also rests on (a comparison states two projects' facts). */
  also?: Passage;
}

export interface ComposedAnswer {
  sentences: FactSentence[];
  /** The answer says the article doesn't state what was asked (and then what it does say). */
  hedged: boolean;
}

/** Which catalog facts answer an attribute intent, in the order an answer states them. */
const FACT_KEYS: Partial<Record<Intent, string[]>> = {
  stars: ["stars"],
  age: ["started", "age"],
  creator: ["creator"],
  users: ["users"],
  contributors: ["contributors"],
  talks: ["talks"],
  cncf: ["cncf"],
  products: ["products"],
  maintenance: ["maintenance"],
};

// "The article doesn't say <what>": what a missing attribute is, per language.
const UNSTATED: Record<Language, Partial<Record<Intent, (name: string) => string>>> = {
  en: {
    stars: (n) => `how many GitHub stars ${n} has`,
    age: (n) => `when ${n} started`,
    creator: (n) => `who created ${n}`,
    users: (n) => `who uses ${n}`,
    contributors: (n) => `who contributes to ${n}`,
    talks: (n) => `which KubeCon London talks cover ${n}`,
    cncf: (n) => `${n}'s CNCF status`,
    products: (n) => `which products include ${n}`,
    maintenance: (n) => `how actively ${n} is maintained`,
  },
  zh: {
    stars: (n) => `${n} 有多少 GitHub 星标`,
    age: (n) => `${n} 是什么时候开始的`,
    creator: (n) => `${n} 是谁创建的`,
    users: (n) => `谁在使用 ${n}`,
    contributors: (n) => `${n} 有哪些贡献者`,
    talks: (n) => `KubeCon 伦敦上有哪些关于 ${n} 的演讲`,
    cncf: (n) => `${n} 的 CNCF 状态`,
    products: (n) => `哪些产品包含 ${n}`,
    maintenance: (n) => `${n} 的维护情况`,
  },
};

const numberFormat = new Intl.NumberFormat("en-US");

/**
 * Answers from the catalog first: the fact asked for, in the question's language, each sentence
 * tied to the catalog passage that states it. Undefined when the question asks nothing the
 * catalog answers (then the extractive answerer quotes the best sentences instead).
 */
export class FactComposer {
  private readonly byId: Map<string, Passage>;
  private readonly projects: Map<string, Project>;

  constructor(private readonly kb: KnowledgeBase) {
    this.byId = new Map(kb.passages.map((p) => [p.id, p]));
    this.projects = new Map(kb.projects.map((p) => [p.id, p]));
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
      for (const a of this.kb.articles) push(`article:${a.meta.id}:${L}`);
    if (u.superlative) {
      const ranked = this.ranked(u.superlative.attribute, u.superlative.direction);
      if (ranked[0]) push(`catalog:${ranked[0].project.id}:${L}`);
    }
    if (recommended) push(`catalog:${recommended}:${L}`);
    return out;
  }

  compose(u: Understanding, options: { recommended?: string } = {}): ComposedAnswer | undefined {
    const L = u.language;
    const ids = projectSubjects(u);
    if (u.intents.includes("reverse-link")) return this.reverseLink(u);
    if (u.superlative) return this.superlative(u);
    if (options.recommended) return this.recommend(options.recommended, L);
    if (ids.length >= 2 && u.intents.includes("compare")) return this.compare(ids.slice(0, 2), u);
    if (ids.length === 0) {
      const filtered = this.filter(u);
      if (filtered) return filtered;
      if (u.intents.some((i) => i.startsWith("event-"))) return this.event(u);
      if (u.intents.includes("list")) return this.article(u, "list");
      if (u.intents.includes("article")) return this.article(u, "about");
      return undefined;
    }
    const sentences: FactSentence[] = [];
    let hedged = false;
    const attributes = u.intents.filter((i) => ATTRIBUTE_INTENTS.has(i));
    // One subject at a time; a follow-up about two projects answers both.
    for (const id of ids.slice(0, 2)) {
      const project = this.projects.get(id);
      const passage = this.byId.get(`catalog:${id}:${L}`);
      if (!project || !passage) continue;
      const facts = new Map(projectFacts(project, L).map((f) => [f.key, f.sentence]));
      const missing: Intent[] = [];
      for (const intent of attributes.slice(0, 2)) {
        // A talks question wants the session and its link first, then how many talks there are.
        if (intent === "talks" && project.links.kubecon_session && !ASKS_COUNT.test(u.text))
          sentences.push({ text: sessionSentence(project, L), passage });
        const stated = (FACT_KEYS[intent] ?? []).flatMap((k) =>
          facts.has(k) ? [facts.get(k) as string] : [],
        );
        if (stated.length === 0 && !(intent === "talks" && project.links.kubecon_session))
          missing.push(intent);
        for (const text of stated) sentences.push({ text, passage });
        if (intent === "talks" && project.links.kubecon_session && ASKS_COUNT.test(u.text))
          sentences.push({ text: sessionSentence(project, L), passage });
      }
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
        (u.intents.includes("what") && !wantsWhy) ||
        (attributes.length === 0 && !wantsWhy) ||
        missing.length > 0;
      if (wantsWhat) sentences.push({ text: project.summary[L], passage });
    }
    if (sentences.length === 0) return undefined;
    return { sentences: dedupe(sentences), hedged };
  }

  /** "The article doesn't say X" for details the knowledge base never mentions, then what it does say. */
  hedge(u: Understanding, details: string[]): ComposedAnswer | undefined {
    const L = u.language;
    const id = projectSubjects(u)[0];
    const project = id ? this.projects.get(id) : undefined;
    const passage = id ? this.byId.get(`catalog:${id}:${L}`) : undefined;
    const quoted = details.map((d) => (L === "zh" ? `“${d}”` : `“${d}”`)).join(L === "zh" ? "、" : ", ");
    if (project && passage) {
      const lead =
        L === "zh"
          ? `文章没有提到 ${project.name} 的${quoted}。文章对它的介绍是：`
          : `The article doesn't say anything about ${quoted} for ${project.name}. What it does say:`;
      return {
        sentences: [
          { text: lead, passage },
          { text: project.summary[L], passage },
        ],
        hedged: true,
      };
    }
    const event = u.subjects.find((s) => s.kind === "event");
    const eventPassage = event ? this.byId.get(`event:${event.id}:${L}`) : undefined;
    const entry = event ? this.kb.events.find((e) => e.id === event.id) : undefined;
    if (eventPassage && entry?.facts[0]) {
      const lead =
        L === "zh"
          ? `文章没有提到 KubeCon 的${quoted}。文章说的是：`
          : `The article doesn't say anything about ${quoted} for KubeCon. What it does say:`;
      return {
        sentences: [
          { text: lead, passage: eventPassage },
          { text: entry.facts[0][L], passage: eventPassage },
        ],
        hedged: true,
      };
    }
    return undefined;
  }

  /**
   * "Which tools have no talks at all?", "which projects are in the CNCF sandbox?": the catalog's
   * projects that a fact holds for, rather than one project's fact.
   */
  private filter(u: Understanding): ComposedAnswer | undefined {
    const L = u.language;
    const zh = L === "zh";
    if (u.intents.includes("talks") && NEGATED.test(u.text)) {
      const passage = this.kb.passages.find((p) => p.id.startsWith(`catalog:no-talks:${L}:`));
      if (passage) return { sentences: [{ text: passage.text, passage }], hedged: false };
    }
    if (u.intents.includes("cncf")) {
      const members = this.kb.projects.filter((p) => p.facts.cncf);
      const first = members[0];
      if (!first) return undefined;
      const passage = this.byId.get(`catalog:${first.id}:${L}`) as Passage;
      const facts = members.flatMap((p) =>
        projectFacts(p, L)
          .filter((f) => f.key === "cncf")
          .map((f) => f.sentence),
      );
      const others = this.kb.projects.filter((p) => p.featured && !p.facts.cncf).map((p) => p.name);
      const tail = others.length
        ? zh
          ? `文章没有说明 ${others.join("、")} 的 CNCF 状态。`
          : `The article doesn't give a CNCF status for ${others.join(", ")}.`
        : "";
      return {
        sentences: [...facts.map((text) => ({ text, passage })), ...(tail ? [{ text: tail, passage }] : [])],
        hedged: false,
      };
    }
    return undefined;
  }

  private ranked(attribute: "stars" | "age", direction: "max" | "min") {
    const featured = this.kb.projects.filter((p) => p.featured);
    if (attribute === "stars") {
      const withStars = featured.filter((p) => p.facts.stars);
      const sorted = withStars.sort((a, b) => (b.facts.stars?.count ?? 0) - (a.facts.stars?.count ?? 0));
      if (direction === "min") sorted.reverse();
      return sorted.map((project) => ({ project }));
    }
    // Age: a start year, or "running for more than N years" as of the article. Projects the
    // article gives no age for are left out (and named as such).
    const years = featured.flatMap((p) => {
      if (p.facts.started !== undefined) return [{ project: p, since: p.facts.started }];
      const n = p.facts.age ? yearsIn(p.facts.age.en) : undefined;
      const published = this.publishedYear(p);
      return n !== undefined && published !== undefined ? [{ project: p, since: published - n - 0.5 }] : [];
    });
    years.sort((a, b) => a.since - b.since);
    if (direction === "min") years.reverse();
    return years;
  }

  private publishedYear(p: Project): number | undefined {
    const article = this.kb.articles.find((a) => a.meta.id === p.article);
    const published = article?.meta.published;
    const year =
      published instanceof Date ? published.getUTCFullYear() : Number(String(published ?? "").slice(0, 4));
    return Number.isFinite(year) && year > 1970 ? year : undefined;
  }

  private superlative(u: Understanding): ComposedAnswer | undefined {
    const L = u.language;
    const zh = L === "zh";
    const { attribute, direction } = u.superlative as NonNullable<Understanding["superlative"]>;
    const ranked = this.ranked(attribute, direction);
    const top = ranked[0];
    if (!top) return undefined;
    const passage = this.byId.get(`catalog:${top.project.id}:${L}`) as Passage;
    const featured = this.kb.projects.filter((p) => p.featured);
    if (attribute === "stars") {
      const stars = (p: Project) => {
        const s = p.facts.stars;
        if (!s) return "";
        const n = numberFormat.format(s.count);
        return zh
          ? `${s.qualifier === "more-than" ? "超过 " : "约 "}${n}`
          : `${s.qualifier === "more-than" ? "more than" : "about"} ${n}`;
      };
      const lead = zh
        ? `在文章介绍的 ${featured.length} 个项目中，${top.project.name} 的 GitHub 星标${direction === "max" ? "最多" : "最少"}：${stars(top.project)} 个（截至文章发表时）。`
        : `Of the ${featured.length} projects the article covers, ${top.project.name} has the ${direction === "max" ? "most" : "fewest"} GitHub stars: ${stars(top.project)} (as of the article).`;
      const rest = ranked.slice(1).map((r) => `${r.project.name} (${stars(r.project)})`);
      const tail = zh ? `其余依次为：${rest.join("、")}。` : `Then ${rest.join(", ")}.`;
      return {
        sentences: [{ text: lead, passage }, ...(rest.length ? [{ text: tail, passage }] : [])],
        hedged: false,
      };
    }
    const facts = (p: Project) =>
      projectFacts(p, L)
        .filter((f) => f.key === "started" || f.key === "age")
        .map((f) => f.sentence);
    const stated = ranked.flatMap((r) => facts(r.project));
    const unknown = featured.filter((p) => !ranked.some((r) => r.project.id === p.id)).map((p) => p.name);
    const topFacts = facts(top.project).join(zh ? "" : " ");
    const lead = zh
      ? `按文章给出的信息，${top.project.name} 是其中${direction === "max" ? "最老" : "最新"}的项目：${topFacts}`
      : `By what the article states, ${top.project.name} is the ${direction === "max" ? "oldest" : "newest"} of them: ${topFacts}`;
    const sentences: FactSentence[] = [{ text: lead, passage }];
    for (const r of ranked.slice(1))
      for (const text of facts(r.project))
        sentences.push({ text, passage: this.byId.get(`catalog:${r.project.id}:${L}`) as Passage });
    if (stated.length > 0 && unknown.length > 0)
      sentences.push({
        text: zh
          ? `文章没有说明 ${unknown.join("、")} 的历史。`
          : `The article doesn't say how old ${unknown.join(", ")} ${unknown.length > 1 ? "are" : "is"}.`,
        passage,
      });
    return { sentences, hedged: false };
  }

  private compare(ids: string[], u: Understanding): ComposedAnswer | undefined {
    const L = u.language;
    const zh = L === "zh";
    const [a, b] = ids.map((id) => this.projects.get(id)) as [Project | undefined, Project | undefined];
    if (!a || !b) return undefined;
    const pa = this.byId.get(`catalog:${a.id}:${L}`) as Passage;
    const pb = this.byId.get(`catalog:${b.id}:${L}`) as Passage;
    const attributes = u.intents.filter((i) => ATTRIBUTE_INTENTS.has(i));
    const sentences: FactSentence[] = [];
    if (attributes.includes("stars") && a.facts.stars && b.facts.stars && !attributes.includes("age")) {
      const [more, less] = a.facts.stars.count >= b.facts.stars.count ? [a, b] : [b, a];
      const fmt = (p: Project) => numberFormat.format(p.facts.stars?.count ?? 0);
      sentences.push({
        text: zh
          ? `${more.name} 的 GitHub 星标比 ${less.name} 多：${fmt(more)} 对 ${fmt(less)}（截至文章发表时）。`
          : `${more.name} has more GitHub stars than ${less.name}: ${fmt(more)} vs ${fmt(less)} (as of the article).`,
        passage: more === a ? pa : pb,
      });
    }
    if (attributes.includes("age")) {
      const ranked = this.ranked("age", "max").filter((r) => r.project.id === a.id || r.project.id === b.id);
      if (ranked.length === 2) {
        const [older, newer] = ranked.map((r) => r.project) as [Project, Project];
        sentences.push({
          text: zh
            ? `按文章的说法，${older.name} 比 ${newer.name} 更早。`
            : `By what the article states, ${older.name} is older than ${newer.name}.`,
          passage: older === a ? pa : pb,
        });
      }
    }
    if (
      attributes.includes("talks") &&
      a.facts.talks?.count !== undefined &&
      b.facts.talks?.count !== undefined &&
      a.facts.talks.count !== b.facts.talks.count
    ) {
      const [more, less] = a.facts.talks.count > b.facts.talks.count ? [a, b] : [b, a];
      sentences.push({
        text: zh
          ? `${more.name} 在 KubeCon 伦敦的演讲比 ${less.name} 多：${more.facts.talks?.count} 场对 ${less.facts.talks?.count} 场。`
          : `${more.name} has more KubeCon London talks than ${less.name}: ${more.facts.talks?.count} vs ${less.facts.talks?.count}.`,
        passage: more === a ? pa : pb,
      });
    }
    const keys = attributes.flatMap((i) => FACT_KEYS[i] ?? []);
    // Each side's fact, in one sentence so neither side is left to a second one.
    const sides: { text: string; passage: Passage }[] = [];
    for (const [p, passage] of [
      [a, pa],
      [b, pb],
    ] as const) {
      const facts = projectFacts(p, L);
      const chosen = keys.length > 0 ? facts.filter((f) => keys.includes(f.key)) : [];
      if (keys.length > 0 && chosen.length === 0) {
        const what = attributes.map((i) => UNSTATED[L][i]?.(p.name)).filter(Boolean);
        sides.push({ text: unstated(L, what.join(zh ? "，也没有说" : ", nor ")), passage });
      }
      for (const f of chosen) sides.push({ text: f.sentence, passage });
      if (keys.length === 0) sides.push({ text: p.summary[L], passage });
    }
    if (sides.length === 2) {
      const [first, second] = sides as [FactSentence, FactSentence];
      const joined = zh
        ? `${first.text.replace(/。$/, "")}；而 ${second.text}`
        : `${first.text.replace(/\.$/, "")}; ${second.text}`;
      // A verdict ("KubeVirt is older than Cluster API") leads the sentence that states both facts.
      const verdict = sentences.pop();
      const text = verdict ? `${verdict.text.replace(/[。.]$/, "")}${zh ? "：" : ": "}${joined}` : joined;
      sentences.push({ text, passage: first.passage, also: second.passage });
    } else sentences.push(...sides);
    sentences.push({
      text: zh
        ? `并排对比请用 \`/compare ${a.id} ${b.id}\`。`
        : `For a side-by-side view, try \`/compare ${a.id} ${b.id}\`.`,
      passage: pa,
    });
    return { sentences: dedupe(sentences), hedged: false };
  }

  private reverseLink(u: Understanding): ComposedAnswer | undefined {
    const L = u.language;
    const id = projectSubjects(u).find((pid) => this.projects.get(pid)?.links.kubecon_session);
    const project = id ? this.projects.get(id) : undefined;
    const session = project?.links.kubecon_session;
    if (!project || !session) {
      const article = this.kb.articles[0];
      const passage = article ? this.byId.get(`article:${article.meta.id}:${L}`) : undefined;
      if (!passage) return undefined;
      return {
        sentences: [
          {
            text: unstated(
              L,
              L === "zh"
                ? `这个链接（${u.link}）是哪场演讲；用 \`/talks\` 查看文章链接的会议`
                : `which session ${u.link} is; \`/talks\` lists the sessions it links`,
            ),
            passage,
          },
        ],
        hedged: true,
      };
    }
    const passage = this.byId.get(`catalog:${project.id}:${L}`) as Passage;
    const lead =
      L === "zh"
        ? `${session.url} 是文章${session.recommended ? "推荐" : "链接"}的 ${project.name} KubeCon 伦敦会议：${session.title}。`
        : `${session.url} is the KubeCon London session on ${project.name} that the article ${session.recommended ? "recommends" : "links"}: ${session.title}.`;
    const sentences: FactSentence[] = [{ text: lead, passage }];
    const talks = projectFacts(project, L).find((f) => f.key === "talks");
    if (talks) sentences.push({ text: talks.sentence, passage });
    return { sentences, hedged: false };
  }

  private recommend(id: string, L: Language): ComposedAnswer | undefined {
    const project = this.projects.get(id);
    const passage = this.byId.get(`catalog:${id}:${L}`);
    if (!project || !passage) return undefined;
    const lead =
      L === "zh"
        ? `文章介绍的项目中，适合这个需求的是 ${project.name}。`
        : `For that, the article points to ${project.name}.`;
    const sentences: FactSentence[] = [
      { text: lead, passage },
      { text: project.summary[L], passage },
    ];
    if (project.why) sentences.push({ text: whySentence(project, L), passage });
    return { sentences, hedged: false };
  }

  private event(u: Understanding): ComposedAnswer | undefined {
    const L = u.language;
    const sentences: FactSentence[] = [];
    for (const e of this.kb.events) {
      const passage = this.byId.get(`event:${e.id}:${L}`);
      if (!passage) continue;
      const facts = e.facts.map((f) => f[L]);
      const picks = new Set<string>();
      // When/where: the fact that places the event in time (a month or date). Scale: the one with
      // the largest number (submissions outnumber talks).
      if (u.intents.includes("event-when") || u.intents.includes("event-where")) {
        const placed = facts.find((f) => MONTH.test(f)) ?? facts[0];
        if (placed) picks.add(placed);
      }
      if (u.intents.includes("event-scale")) {
        const biggest = [...facts].sort((a, b) => largestNumber(b) - largestNumber(a))[0];
        if (biggest) picks.add(biggest);
      }
      for (const text of picks) sentences.push({ text, passage });
    }
    return sentences.length ? { sentences, hedged: false } : undefined;
  }

  private article(u: Understanding, what: "list" | "about"): ComposedAnswer | undefined {
    const L = u.language;
    const article = this.kb.articles[0];
    const passage = article ? this.byId.get(`article:${article.meta.id}:${L}`) : undefined;
    if (!passage) return undefined;
    const sentences = passage.text.split(/(?<=[。.])\s*/u).filter(Boolean);
    const [identity, translation, covers, mentions] = sentences;
    const picks: string[] = [];
    if (what === "list") picks.push(...[covers, mentions].filter((s): s is string => !!s));
    else {
      // Who translated it, or when exactly: the article's metadata names the author and publisher only.
      if (/translat|翻译|译/.test(u.text) && /\bwho\b|谁/.test(u.text)) {
        return {
          sentences: [
            { text: unstated(L, L === "zh" ? "译者是谁" : "who translated it"), passage },
            ...(translation ? [{ text: translation, passage }] : []),
          ],
          hedged: true,
        };
      }
      if (identity) picks.push(identity);
      if (/translat|翻译|译|original|原文|english|英文|chinese|中文/i.test(u.text) && translation)
        picks.push(translation);
      if (covers && picks.length < 2) picks.push(covers);
    }
    return { sentences: picks.map((text) => ({ text, passage })), hedged: false };
  }
}

const NEGATED = /\b(no|none|zero|without|any)\b|没有|没|无|一场都|零/;

const ASKS_COUNT = /\bhow many\b|\bnumber of\b|多少|几场|几个/;

const MONTH =
  /\b(January|February|March|April|May|June|July|August|September|October|November|December)\b|[一二三四五六七八九十]+月|\d+月/;

function largestNumber(text: string): number {
  return Math.max(0, ...[...text.replace(/(\d),(\d{3})/g, "$1$2").matchAll(/\d+/g)].map((m) => Number(m[0])));
}

const WORD_NUMBERS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};

/** "running for more than eight years" -> 8. */
function yearsIn(text: string): number | undefined {
  const m = /(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+years?/i.exec(text);
  if (!m) return undefined;
  const word = (m[1] as string).toLowerCase();
  return WORD_NUMBERS[word] ?? Number(word);
}

const zh = (L: Language) => L === "zh";

function whySentence(p: Project, L: Language): string {
  if (!p.why) return "";
  return L === "zh" ? `${p.name} 为什么重要：${p.why.zh}` : `Why ${p.name} matters: ${p.why.en}`;
}

function unstated(L: Language, what: string): string {
  return L === "zh" ? `文章没有提到${what}。` : `The article doesn't say ${what}.`;
}

function dedupe(sentences: FactSentence[]): FactSentence[] {
  const seen = new Set<string>();
  return sentences.filter((s) => {
    if (!s.text || seen.has(s.text)) return false;
    seen.add(s.text);
    return true;
  });
}
