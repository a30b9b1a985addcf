import type { Language } from "../types.js";
import type { KnowledgeBase } from "./knowledge-base.js";

/**
 * What the knowledge base is about, for texts that tell users what they may ask: the article's
 * title when there is one, up to three titles, else how many articles there are. Derived from
 * the loaded articles, so adding one changes every text at once.
 */
export function knowledgeTopic(kb: Pick<KnowledgeBase, "articles">, language: Language): string {
  const titles = kb.articles.map((a) => a.meta.title[language]);
  if (language === "zh") {
    if (titles.length <= 3)
      return `${titles.map((t) => `《${t}》`).join("、")}${titles.length > 1 ? "这几篇文章" : "一文"}`;
    return `知识库的 ${titles.length} 篇文章`;
  }
  const quoted = titles.map((t) => `“${t}”`);
  if (quoted.length === 1) return quoted[0] as string;
  if (quoted.length <= 3) return `${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1)}`;
  return `the ${quoted.length} articles of the knowledge base`;
}
