import type { Passage } from "../knowledge/knowledge-base.js";
import type { Source } from "../types.js";

/** Numbers passages 1..n in the order given, as an answer cites them. */
export function toSources(passages: Passage[]): Source[] {
  return passages.map((p, i) => ({
    n: i + 1,
    articleId: p.articleId,
    title: p.articleTitle,
    section: p.section,
    url: p.url,
    text: p.text,
  }));
}
