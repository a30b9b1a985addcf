import { createHash } from "node:crypto";
import type { Language } from "../types.js";
import { articleOverviewPassages } from "./article-overview.js";
import type { MarkdownBlock } from "./markdown.js";
import { projectFacts } from "./project-facts.js";
import type { ArticleMeta, EventEntry, Glossary, Project } from "./schema.js";

export { isArticleOverview } from "./article-overview.js";

export interface Article {
  meta: ArticleMeta;
  /** Path of the file it was loaded from, relative to the data directory. */
  file: string;
  blocks: MarkdownBlock[];
  /** Every heading of the article, for section references. */
  headings: string[];
}

/** A retrievable unit of knowledge: a paragraph of an article or a rendering of catalog facts. */
export interface Passage {
  id: string;
  kind: "article" | "catalog";
  articleId: string;
  articleTitle: string;
  headingPath: string[];
  section: string;
  url: string;
  text: string;
  links: string[];
  language: Language;
  /** Catalog projects the passage is about or names. */
  projectIds: string[];
}

export interface KnowledgeBase {
  articles: Article[];
  projects: Project[];
  events: EventEntry[];
  glossary: Glossary;
  passages: Passage[];
  /** Every URL the knowledge base holds; the only ones an answer may link to. */
  allowedUrls: Set<string>;
  /** Changes whenever any data file changes; keys answer caches. */
  version: string;
}

/** Anything named in the knowledge base: a catalog project or an event. */
export interface Named {
  id: string;
  name: string;
  aliases: string[];
}

/** Every way a project (or event) may be named: its name, id and aliases. */
export function projectNames(p: Named): string[] {
  return [p.name, p.id, ...p.aliases];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Finds which projects a text names, by name, id or alias (case-insensitive, on word boundaries for Latin names). */
export function createProjectDetector(projects: Named[]): (text: string) => string[] {
  const patterns = projects.map((p) => {
    const alternatives = projectNames(p)
      .map((n) => escapeRegExp(n.toLowerCase()).replace(/[\s-]+/g, "[\\s-]*"))
      .sort((a, b) => b.length - a.length);
    // Latin names need boundaries against Latin letters only: Chinese text runs straight into them ("每场OpenTelemetry").
    return { id: p.id, re: new RegExp(`(?<![a-z0-9])(?:${alternatives.join("|")})(?![a-z0-9])`, "u") };
  });
  return (text: string) => {
    const lower = text.normalize("NFKC").toLowerCase();
    return patterns.filter((p) => p.re.test(lower)).map((p) => p.id);
  };
}

const MAX_PASSAGE_CHARS = 700;

/** Splits an over-long block at sentence ends so a passage stays quotable and cheap in a prompt. */
function splitLong(text: string): string[] {
  if (text.length <= MAX_PASSAGE_CHARS) return [text];
  const sentences = text.match(/[^。！？.!?]+[。！？.!?]*\s*/gu) ?? [text];
  const parts: string[] = [];
  let current = "";
  for (const s of sentences) {
    if (current && current.length + s.length > MAX_PASSAGE_CHARS) {
      parts.push(current.trim());
      current = "";
    }
    current += s;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

function articlePassages(
  article: Article,
  detect: (t: string) => string[],
  sectionProject: Map<string, string>,
): Passage[] {
  const out: Passage[] = [];
  let n = 0;
  for (const block of article.blocks) {
    const section = block.headingPath.at(-1) ?? article.meta.title[article.meta.language];
    for (const text of splitLong(block.text)) {
      const mentioned = detect(`${section}\n${text}`);
      const owner = sectionProject.get(`${article.meta.id}\u0000${section}`);
      const projectIds = owner && !mentioned.includes(owner) ? [owner, ...mentioned] : mentioned;
      out.push({
        id: `${article.meta.id}#${++n}`,
        kind: "article",
        articleId: article.meta.id,
        articleTitle: article.meta.title[article.meta.language],
        headingPath: block.headingPath,
        section,
        url: article.meta.url,
        text,
        links: block.links,
        language: article.meta.language,
        projectIds,
      });
    }
  }
  return out;
}

/** The project's KubeCon London session as a sentence, with its link: "recommends" only where the article does. */
export function sessionSentence(p: Project, lang: Language): string {
  const s = p.links.kubecon_session;
  if (!s) return "";
  if (lang === "zh")
    return `文章${s.recommended ? "推荐" : "链接"}的 ${p.name} KubeCon 伦敦会议：${s.title}（${s.url}）。`;
  return `The article ${s.recommended ? "recommends" : "links"} this KubeCon London session on ${p.name}: ${s.title} (${s.url}).`;
}

/** A further-reading link the article gives for a project, as a sentence. */
export function readingSentence(p: Project, link: { title: string; url: string }, lang: Language): string {
  return lang === "zh"
    ? `关于 ${p.name} 的延伸阅读：${link.title}（${link.url}）。`
    : `Further reading on ${p.name}: ${link.title} (${link.url}).`;
}

function catalogPassages(projects: Project[], articles: Map<string, Article>): Passage[] {
  const out: Passage[] = [];
  for (const lang of ["en", "zh"] as const) {
    for (const p of projects) {
      const article = articles.get(p.article) as Article;
      // The category is a card label; as a sentence ("X is in the Y space") it reads badly in an
      // answer, and the summary already says what kind of project it is.
      const facts = projectFacts(p, lang).filter((f) => f.key !== "category");
      const sentences = [
        p.summary[lang],
        // A "why" text often doesn't name its project ("It suits…"): quoted alone it would read as
        // being about whatever the reader had in mind.
        ...(p.why
          ? [lang === "zh" ? `${p.name} 为什么重要：${p.why.zh}` : `Why ${p.name} matters: ${p.why.en}`]
          : []),
        ...facts.map((f) => f.sentence),
        ...(p.links.kubecon_session ? [sessionSentence(p, lang)] : []),
        ...p.links.further_reading.map((l) => readingSentence(p, l, lang)),
      ];
      out.push({
        id: `catalog:${p.id}:${lang}`,
        kind: "catalog",
        articleId: p.article,
        articleTitle: article.meta.title[lang],
        headingPath: [p.section],
        section: p.section,
        url: article.meta.url,
        text: sentences.join(lang === "zh" ? "" : " "),
        links: [
          ...(p.links.kubecon_session ? [p.links.kubecon_session.url] : []),
          ...p.links.further_reading.map((l) => l.url),
        ],
        language: lang,
        projectIds: [p.id],
      });
    }
    // Facts about several projects at once ("which tools have no talks?") are stated by the
    // article as a list; render the catalog's version of each such list per section.
    const groups = new Map<string, Project[]>();
    for (const p of projects) {
      if (p.facts.talks?.count !== 0) continue;
      const key = `${p.article}\u0000${p.section}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    for (const [key, group] of groups) {
      const first = group[0] as Project;
      const article = articles.get(first.article) as Article;
      const names = group.map((p) =>
        p.category ? (lang === "zh" ? `${p.category.zh} ${p.name}` : `${p.name} (${p.category.en})`) : p.name,
      );
      out.push({
        id: `catalog:no-talks:${lang}:${key.replace("\u0000", ":")}`,
        kind: "catalog",
        articleId: first.article,
        articleTitle: article.meta.title[lang],
        headingPath: [first.section],
        section: first.section,
        url: article.meta.url,
        text:
          lang === "zh"
            ? `KubeCon 伦敦上完全没有演讲的工具和项目：${names.join("、")}。`
            : `Tools and projects with no talks at all at KubeCon London: ${names.join(", ")}.`,
        links: [],
        language: lang,
        projectIds: group.map((p) => p.id),
      });
    }
  }
  return out;
}

function eventPassages(
  events: EventEntry[],
  articles: Map<string, Article>,
  detect: (t: string) => string[],
): Passage[] {
  return events.flatMap((e) => {
    const article = articles.get(e.article) as Article;
    return (["en", "zh"] as const).map((lang) => {
      // The name is indexed through the section and facts; a bare name is no sentence to quote.
      const page = e.url ? [lang === "zh" ? `活动官网：${e.url}。` : `The event's page: ${e.url}.`] : [];
      const text = [...e.facts.map((f) => f[lang]), ...page].join(lang === "zh" ? "" : " ");
      return {
        id: `event:${e.id}:${lang}`,
        kind: "catalog" as const,
        articleId: e.article,
        articleTitle: article.meta.title[lang],
        headingPath: [e.section],
        section: e.section,
        url: article.meta.url,
        text,
        links: e.url ? [e.url] : [],
        language: lang,
        // The event's own key lets a question naming the event boost these passages.
        projectIds: [...detect(text), `event:${e.id}`],
      };
    });
  });
}

/** Assembles a knowledge base from validated parts. */
export function buildKnowledgeBase(
  articles: Article[],
  projects: Project[],
  events: EventEntry[],
  glossary: Glossary,
  fingerprint: string,
): KnowledgeBase {
  const detect = createProjectDetector(projects);
  const byId = new Map(articles.map((a) => [a.meta.id, a]));
  const sectionProject = new Map<string, string>();
  for (const p of projects) if (p.featured) sectionProject.set(`${p.article}\u0000${p.section}`, p.id);
  const passages = [
    ...articles.flatMap((a) => articlePassages(a, detect, sectionProject)),
    ...catalogPassages(projects, byId),
    ...eventPassages(events, byId, detect),
    ...articleOverviewPassages(articles, projects),
  ];
  const allowedUrls = new Set<string>();
  for (const a of articles) if (a.meta.url) allowedUrls.add(a.meta.url);
  for (const p of passages) for (const l of p.links) allowedUrls.add(l);
  return {
    articles,
    projects,
    events,
    glossary,
    passages,
    allowedUrls,
    version: createHash("sha256").update(fingerprint).digest("hex").slice(0, 16),
  };
}
