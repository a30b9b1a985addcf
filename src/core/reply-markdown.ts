import type { Comparison, ReplyPart } from "./reply.js";
import type { Language, ProjectCard } from "./types.js";

/** Labels of a project card, in both languages; every renderer uses these (written once). */
export const CARD_LABELS = {
  en: {
    why: "Why it matters",
    session: "KubeCon London session",
    recommendedSession: "KubeCon London session the article recommends",
    reading: "Further reading",
    source: "Source",
  },
  zh: {
    why: "为什么重要",
    session: "KubeCon 伦敦会议",
    recommendedSession: "文章推荐的 KubeCon 伦敦会议",
    reading: "延伸阅读",
    source: "来源",
  },
} as const satisfies Record<Language, Record<string, string>>;

/** The label of a card's KubeCon session: "recommended" only where the article recommends it. */
export function sessionLabel(card: ProjectCard, language: Language): string {
  const l = CARD_LABELS[language];
  return card.kubeconSession?.recommended ? l.recommendedSession : l.session;
}

/** Labels of a comparison. */
export const COMPARISON_LABELS = {
  en: { versus: "vs" },
  zh: { versus: "对比" },
} as const satisfies Record<Language, Record<string, string>>;

/** A card as markdown: the text fallback for platforms and terminals that show no native cards. */
export function cardMarkdown(card: ProjectCard, language: Language): string {
  const l = CARD_LABELS[language];
  const lines = [`**${card.name}**`, card.summary];
  if (card.whyItMatters) lines.push("", `**${l.why}:** ${card.whyItMatters}`);
  lines.push("", ...card.facts.map((f) => `- **${f.label}:** ${f.value}`));
  if (card.kubeconSession) {
    lines.push(
      "",
      `**${sessionLabel(card, language)}:** [${card.kubeconSession.title}](${card.kubeconSession.url})`,
    );
  }
  if (card.furtherReading.length > 0) {
    lines.push("", `**${l.reading}:**`, ...card.furtherReading.map((r) => `- [${r.title}](${r.url})`));
  }
  lines.push("", `_${l.source}: ${card.section} — ${card.articleUrl}_`);
  return lines.join("\n");
}

/** The comparison's title, e.g. "Cluster API vs vCluster". */
export function comparisonTitle(comparison: Comparison, language: Language): string {
  const [a, b] = comparison.projects;
  return `${a.name} ${COMPARISON_LABELS[language].versus} ${b.name}`;
}

/** A comparison as markdown: the two summaries, then one line per fact with both values. */
export function comparisonMarkdown(comparison: Comparison, language: Language): string {
  const [a, b] = comparison.projects;
  return [
    `**${comparisonTitle(comparison, language)}**`,
    `- **${a.name}:** ${a.summary}`,
    `- **${b.name}:** ${b.summary}`,
    "",
    ...comparison.rows.map(
      (row) => `- **${row.label}** — ${a.name}: ${row.values[0]} · ${b.name}: ${row.values[1]}`,
    ),
  ].join("\n");
}

/** One part as markdown. */
export function partMarkdown(part: ReplyPart, language: Language): string {
  switch (part.type) {
    case "markdown":
      return part.text;
    case "card":
      return cardMarkdown(part.card, language);
    case "comparison":
      return comparisonMarkdown(part.comparison, language);
  }
}

/** Every part as markdown, blank-line separated: the plain-text fallback of a reply. */
export function partsMarkdown(parts: ReplyPart[], language: Language): string {
  return parts.map((p) => partMarkdown(p, language)).join("\n\n");
}
