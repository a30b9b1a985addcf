import type { KnowledgeBase, Language, ProjectCard } from "../../core/index.js";
import { projectCard } from "../../core/index.js";

/** A catalog project as the knowledge-base view lists it: its card plus how it may be named. */
export interface CatalogProject extends ProjectCard {
  aliases: string[];
  featured: boolean;
  /** The card's texts in the other language, so a search in either language finds it. */
  translations: string[];
}

/** Consecutive paragraphs of an article under one heading path. */
export interface ArticleSection {
  /** The section's own heading, as citations name it. */
  heading: string;
  /** Headings from the article's top down to this section. */
  path: string[];
  paragraphs: string[];
  /** URLs the section links to, in order, without repeats. */
  links: string[];
}

export interface CatalogArticle {
  id: string;
  /** In the article's own language, like its headings. */
  title: string;
  titleEn: string;
  url: string;
  author: string;
  publisher: string;
  language: Language;
  sections: ArticleSection[];
}

/** What GET /api/kb returns: everything the knowledge-base view shows and searches. */
export interface KnowledgeBaseView {
  version: string;
  projects: CatalogProject[];
  articles: CatalogArticle[];
  /** Words meaning the same in English and Chinese: the page's search matches across languages. */
  glossary: { en: string[]; zh: string[] }[];
}

/** The knowledge-base view of a knowledge base (English cards; articles in their own language). */
export function knowledgeBaseView(kb: KnowledgeBase): KnowledgeBaseView {
  const projects = kb.projects.map((p) => ({
    ...projectCard(p, kb, "en"),
    aliases: p.aliases,
    featured: p.featured,
    translations: [p.summary.zh, p.why?.zh, p.category?.zh].filter((t): t is string => t !== undefined),
  }));
  const articles = kb.articles.map((a) => {
    const sections: ArticleSection[] = [];
    for (const block of a.blocks) {
      const path = block.headingPath.length > 0 ? block.headingPath : [a.meta.title[a.meta.language]];
      let current = sections.at(-1);
      if (!current || current.path.join("\u0000") !== path.join("\u0000")) {
        current = { heading: path.at(-1) as string, path, paragraphs: [], links: [] };
        sections.push(current);
      }
      current.paragraphs.push(block.text);
      for (const link of block.links) if (!current.links.includes(link)) current.links.push(link);
    }
    return {
      id: a.meta.id,
      title: a.meta.title[a.meta.language],
      titleEn: a.meta.title.en,
      url: a.meta.url,
      author: a.meta.author,
      publisher: a.meta.publisher,
      language: a.meta.language,
      sections,
    };
  });
  return { version: kb.version, projects, articles, glossary: kb.glossary };
}
