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

/** A card as markdown: the text fallback for platforms and terminals that show no native cards. */
export function cardMarkdown(card: ProjectCard, language: Language): string {
  const zh = language === "zh";
  const lines = [`**${card.name}**`, card.summary];
  if (card.whyItMatters) lines.push("", `**${zh ? "为什么重要" : "Why it matters"}:** ${card.whyItMatters}`);
  lines.push("", ...card.facts.map((f) => `- **${f.label}:** ${f.value}`));
  if (card.kubeconSession) {
    lines.push(
      "",
      `**${
        card.kubeconSession.recommended
          ? zh
            ? "文章推荐的 KubeCon 伦敦会议"
            : "KubeCon London session the article recommends"
          : zh
            ? "KubeCon 伦敦会议"
            : "KubeCon London session"
      }:** [${card.kubeconSession.title}](${card.kubeconSession.url})`,
    );
  }
  if (card.furtherReading.length > 0) {
    lines.push(
      "",
      `**${zh ? "延伸阅读" : "Further reading"}:**`,
      ...card.furtherReading.map((l) => `- [${l.title}](${l.url})`),
    );
  }
  lines.push("", `_${zh ? "来源" : "Source"}: ${card.section} — ${card.articleUrl}_`);
  return lines.join("\n");
}
