// @ts-check
// Project cards and comparisons, as the chat and the knowledge-base view show them.
import { externalLink, h, langOf } from "./dom.js";

/**
 * @typedef {{ title: string; url: string }} Link
 * @typedef {{ projectId: string; name: string; summary: string; whyItMatters?: string;
 *   facts: { label: string; value: string }[]; kubeconSession?: Link; furtherReading: Link[];
 *   section: string; articleUrl: string; aliases?: string[]; featured?: boolean; translations?: string[] }} Card
 * @typedef {{ projects: { projectId: string; name: string; summary: string }[];
 *   rows: { label: string; values: string[] }[]; missing: string }} Comparison
 */

let cardCount = 0;

/**
 * Two projects side by side: a table with one row per fact.
 * @param {Comparison} comparison
 * @param {"en" | "zh"} language
 */
export function comparisonNode(comparison, language) {
  const [a, b] = comparison.projects;
  const title = `${a?.name ?? ""} ${language === "zh" ? "对比" : "vs"} ${b?.name ?? ""}`;
  const head = h("tr", {}, [
    h("th", { text: "" }),
    ...comparison.projects.map((p) => h("th", { text: p.name })),
  ]);
  const summary = h("tr", {}, [
    h("th", { text: language === "zh" ? "简介" : "Summary" }),
    ...comparison.projects.map((p) => h("td", { text: p.summary, lang: langOf(p.summary) })),
  ]);
  const rows = comparison.rows.map((row) =>
    h("tr", {}, [h("th", { text: row.label }), ...row.values.map((v) => h("td", { text: v }))]),
  );
  return h("figure", { className: "comparison" }, [
    h("figcaption", { text: title }),
    h("table", {}, [h("thead", {}, [head]), h("tbody", {}, [summary, ...rows])]),
  ]);
}

/**
 * A project card.
 * @param {Card} card
 * @param {"h3" | "h4"} headingTag
 * @returns {HTMLElement}
 */
export function cardNode(card, headingTag) {
  const heading = h(headingTag, { text: card.name });
  heading.id = `card-${card.projectId}-${++cardCount}`;
  const article = h("article", { className: "card" }, [heading]);
  article.setAttribute("aria-labelledby", heading.id);
  if (card.aliases && card.aliases.length > 0) {
    article.append(h("p", { className: "aliases", text: `Also: ${card.aliases.join(", ")}` }));
  }
  article.append(h("p", { text: card.summary, lang: langOf(card.summary) }));
  if (card.whyItMatters) {
    article.append(
      h("p", { lang: langOf(card.whyItMatters) }, [
        h("strong", { text: "Why it matters: " }),
        card.whyItMatters,
      ]),
    );
  }
  if (card.facts.length > 0) {
    article.append(
      h(
        "dl",
        { className: "facts" },
        card.facts.map((f) => h("div", {}, [h("dt", { text: f.label }), h("dd", { text: f.value })])),
      ),
    );
  }
  if (card.kubeconSession) {
    article.append(
      h("p", {}, [
        h("strong", { text: "KubeCon London session: " }),
        externalLink(card.kubeconSession.url, [card.kubeconSession.title]),
      ]),
    );
  }
  if (card.furtherReading.length > 0) {
    article.append(
      h("p", { className: "label", text: "Further reading" }),
      h(
        "ul",
        {},
        card.furtherReading.map((l) => h("li", {}, [externalLink(l.url, [l.title])])),
      ),
    );
  }
  article.append(
    h("p", { className: "source-line" }, ["Source: ", externalLink(card.articleUrl, [card.section])]),
  );
  return article;
}
