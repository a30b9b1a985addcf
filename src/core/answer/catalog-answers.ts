import { type KnowledgeBase, type Passage, sessionSentence } from "../knowledge/knowledge-base.js";
import { projectFacts } from "../knowledge/project-facts.js";
import type { Project } from "../knowledge/schema.js";
import type { Language } from "../types.js";
import {
  type ComposedAnswer,
  dedupe,
  FACT_KEYS,
  type FactSentence,
  groupThousands,
  NEGATED,
  UNSTATED,
  unstated,
  whySentence,
  yearsIn,
} from "./fact-text.js";
import { ATTRIBUTE_INTENTS, projectSubjects, type Understanding } from "./understand.js";

const COUNTS = /\bhow many\b|\bnumber of\b|几个|多少个|几款|几种/;

/** Answers that look across the catalog: filters, rankings and comparisons of two projects. */
export class CatalogAnswers {
  constructor(
    private readonly kb: KnowledgeBase,
    private readonly byId: Map<string, Passage>,
    private readonly projects: Map<string, Project>,
  ) {}

  /**
   * "Which tools have no talks at all?", "which projects are in the CNCF sandbox?": the catalog's
   * projects that a fact holds for, rather than one project's fact.
   */
  filter(u: Understanding): ComposedAnswer | undefined {
    const L = u.language;
    const zh = L === "zh";
    // "Which of the five featured projects gets no talk?": among the featured ones, those whose talks
    // fact says there are none.
    if (
      u.intents.includes("talks") &&
      NEGATED.test(u.text) &&
      /\bfive\b|\bfeatured\b|\bmain\b|五个|主要/.test(u.text)
    ) {
      const none = this.kb.projects.filter(
        (p) =>
          p.featured &&
          (p.facts.talks?.count === 0 ||
            /^no talks|没有任何演讲|从标题看没有/.test(p.facts.talks?.[L] ?? "") ||
            /^no talks/.test(p.facts.talks?.en ?? "")),
      );
      const sentences = none.flatMap((p) => {
        const passage = this.byId.get(`catalog:${p.id}:${L}`);
        const fact = projectFacts(p, L).find((f) => f.key === "talks");
        return passage && fact ? [{ text: fact.sentence, passage }] : [];
      });
      if (sentences.length > 0) return { sentences, hedged: false };
    }
    // "Which projects does the article link a KubeCon session for?"
    if (u.intents.includes("talks") && /\blink\w*|链接/.test(u.text) && !NEGATED.test(u.text)) {
      const linked = this.kb.projects.filter((p) => p.links.kubecon_session);
      const sentences = linked.flatMap((p) => {
        const passage = this.byId.get(`catalog:${p.id}:${L}`);
        return passage ? [{ text: sessionSentence(p, L), passage }] : [];
      });
      if (sentences.length > 0) {
        const names = linked.map((p) => p.name).join(zh ? "、" : ", ");
        const lead = zh
          ? `文章为这些项目链接了 KubeCon 伦敦会议：${names}。`
          : `The article links KubeCon London sessions for ${names}.`;
        return {
          sentences: [{ text: lead, passage: sentences[0]?.passage as Passage }, ...sentences],
          hedged: false,
        };
      }
    }
    if (u.intents.includes("talks") && NEGATED.test(u.text)) {
      const passage = this.kb.passages.find((p) => p.id.startsWith(`catalog:no-talks:${L}:`));
      if (passage) {
        // "How many tools get no talks?": the count first, then the list.
        const none = this.kb.projects.filter((p) => p.facts.talks?.count === 0);
        const count =
          COUNTS.test(u.text) && none.length > 0
            ? [
                {
                  text: zh
                    ? `文章点名了 ${none.length} 个在 KubeCon 伦敦完全没有演讲的工具。`
                    : `The article names ${none.length} tools with no talks at all at KubeCon London.`,
                  passage,
                },
              ]
            : [];
        return { sentences: [...count, { text: passage.text, passage }], hedged: false };
      }
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

  ranked(attribute: "stars" | "age", direction: "max" | "min") {
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

  publishedYear(p: Project): number | undefined {
    const article = this.kb.articles.find((a) => a.meta.id === p.article);
    const published = article?.meta.published;
    const year =
      published instanceof Date ? published.getUTCFullYear() : Number(String(published ?? "").slice(0, 4));
    return Number.isFinite(year) && year > 1970 ? year : undefined;
  }

  superlative(u: Understanding): ComposedAnswer | undefined {
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
        const n = groupThousands(s.count);
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

  compare(ids: string[], u: Understanding): ComposedAnswer | undefined {
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
      const fmt = (p: Project) => groupThousands(p.facts.stars?.count ?? 0);
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

  /** "What is the talk at this sched.co link?": the session, its project and its talks fact. */
  reverseLink(u: Understanding): ComposedAnswer | undefined {
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

  /** "I need X, what should I use?": the project the need fits, what it is and why it matters. */
  recommend(id: string, L: Language, talk = false): ComposedAnswer | undefined {
    const project = this.projects.get(id);
    const passage = this.byId.get(`catalog:${id}:${L}`);
    if (!project || !passage) return undefined;
    // "Only time for one talk about VMs: which?": the session the article links, in the lead.
    const session = talk ? project.links.kubecon_session : undefined;
    const lead =
      L === "zh"
        ? `文章介绍的项目中，适合这个需求的是 ${project.name}${session ? `，它链接的 KubeCon 伦敦会议：${session.title}（${session.url}）` : ""}。`
        : `For that, the article points to ${project.name}${session ? ` and its KubeCon London session: ${session.title} (${session.url})` : ""}.`;
    const sentences: FactSentence[] = [
      { text: lead, passage },
      { text: project.summary[L], passage },
    ];
    if (project.why) sentences.push({ text: whySentence(project, L), passage });
    return { sentences, hedged: false };
  }
}
