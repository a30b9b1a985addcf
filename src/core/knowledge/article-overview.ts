import type { Language } from "../types.js";
import type { Article, Passage } from "./knowledge-base.js";
import type { ArticleMeta, Project } from "./schema.js";

const LANGUAGE_NAMES = { en: { en: "English", zh: "Chinese" }, zh: { en: "英文", zh: "中文" } } as const;

/** Whether a passage is an article's overview (title, author, publisher, projects covered). */
export function isArticleOverview(p: Passage): boolean {
  return p.id.startsWith("article:");
}

/** "was written by A and published by B", or as much of it as the metadata states. */
function byline(meta: ArticleMeta, lang: Language): string {
  const { author, publisher } = meta;
  if (lang === "zh") {
    const when = publishedIn(meta, lang);
    const parts = [
      author ? `的作者是 ${author}` : "",
      publisher ? `由 ${publisher}${when}发表` : when ? `${when}发表` : "",
    ].filter(Boolean);
    return parts.length > 0 ? parts.join("，") : "收录在知识库中";
  }
  const when = publishedIn(meta, lang);
  if (author && publisher) return ` was written by ${author} and published by ${publisher}${when}`;
  if (author) return ` was written by ${author}${when && ` and published${when}`}`;
  if (publisher) return ` was published by ${publisher}${when}`;
  return when ? ` was published${when}` : " is in the knowledge base";
}

const MONTHS = "January February March April May June July August September October November December".split(
  " ",
);

/** " in February 2025" / "于 2025 年 2 月", from the metadata's `published` (a year, a month or a day). */
function publishedIn(meta: ArticleMeta, lang: Language): string {
  const raw = meta.published instanceof Date ? meta.published.toISOString() : meta.published;
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(String(raw ?? ""));
  if (!m) return "";
  const [, year, month, day] = m;
  const monthName = month ? MONTHS[Number(month) - 1] : undefined;
  if (lang === "zh")
    return `于 ${year} 年${month ? ` ${Number(month)} 月` : ""}${day ? ` ${Number(day)} 日` : ""}`;
  return ` in ${day && monthName ? `${monthName} ${Number(day)}, ` : monthName ? `${monthName} ` : ""}${year}`;
}

/**
 * What an article is (title, author, publisher, translation) and which projects it covers, as
 * passages: "who wrote the article?" and "which projects does it cover?" are questions too.
 */
export function articleOverviewPassages(articles: Article[], projects: Project[]): Passage[] {
  const out: Passage[] = [];
  for (const a of articles) {
    const { meta } = a;
    const featured = projects.filter((p) => p.article === meta.id && p.featured).map((p) => p.name);
    const mentioned = projects.filter((p) => p.article === meta.id && !p.featured).map((p) => p.name);
    // The article's sections: its headings below the title.
    const sections = a.headings.slice(1);
    for (const lang of ["en", "zh"] as const) {
      const names = LANGUAGE_NAMES[lang];
      const sentences =
        lang === "en"
          ? [
              `The article “${meta.title.en}”${meta.title.zh !== meta.title.en ? ` (${meta.title.zh})` : ""}${byline(meta, "en")}.`,
              meta.translated_from
                ? `This knowledge base holds its ${names[meta.language]} translation of the ${names[meta.translated_from]} original.`
                : "",
              featured.length
                ? `The article covers ${featured.length} projects: ${featured.join(", ")}.`
                : "",
              mentioned.length ? `It also mentions ${mentioned.join(", ")}.` : "",
              sections.length > 1 ? `Its sections: ${sections.map((h) => `“${h}”`).join(", ")}.` : "",
            ]
          : [
              `文章《${meta.title.zh}》${meta.title.zh !== meta.title.en ? `（${meta.title.en}）` : ""}${byline(meta, "zh")}。`,
              meta.translated_from
                ? `这里收录的是译自${names[meta.translated_from]}原文的${names[meta.language]}译文。`
                : "",
              featured.length ? `文章介绍了 ${featured.length} 个项目：${featured.join("、")}。` : "",
              mentioned.length ? `文章还提到了 ${mentioned.join("、")}。` : "",
              sections.length > 1 ? `文章的各节：${sections.map((h) => `“${h}”`).join("、")}。` : "",
            ];
      const section = a.headings[0] ?? meta.title[meta.language];
      out.push({
        id: `article:${meta.id}:${lang}`,
        kind: "catalog",
        articleId: meta.id,
        articleTitle: meta.title[lang],
        headingPath: [section],
        section,
        url: meta.url,
        text: sentences.filter(Boolean).join(lang === "zh" ? "" : " "),
        links: meta.url ? [meta.url] : [],
        language: lang,
        projectIds: [],
      });
    }
  }
  return out;
}
