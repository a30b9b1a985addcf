import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { projectFacts } from "../knowledge/project-facts.js";
import type { Project } from "../knowledge/schema.js";
import type { Language, ProjectCard } from "../types.js";

/** The card of a catalog project, in one language. */
export function projectCard(p: Project, kb: KnowledgeBase, language: Language): ProjectCard {
  const article = kb.articles.find((a) => a.meta.id === p.article);
  const card: ProjectCard = {
    projectId: p.id,
    name: p.name,
    summary: p.summary[language],
    facts: projectFacts(p, language).map(({ label, value }) => ({ label, value })),
    furtherReading: p.links.further_reading,
    section: p.section,
    articleUrl: article?.meta.url ?? "",
  };
  if (p.why) card.whyItMatters = p.why[language];
  if (p.links.kubecon_session) card.kubeconSession = p.links.kubecon_session;
  return card;
}

// The markdown form of a card lives with the other parts' fallbacks.
export { cardMarkdown } from "../reply-markdown.js";
