// @ts-check
// The knowledge-base view over GET api/kb: every catalog project and every article section,
// searchable with typo tolerance and across languages, matches highlighted with <mark>.
import { cardNode } from "./cards.js";
import { byId, externalLink, h, httpProblem } from "./dom.js";
import { fold, matchItem, termsPattern, wordsOf } from "./kb-search.js";

/**
 * @typedef {import("./cards.js").Card} Card
 * @typedef {import("./kb-search.js").GlossaryEntry} GlossaryEntry
 * @typedef {{ heading: string; path: string[]; paragraphs: string[]; links: string[] }} ArticleSection
 * @typedef {{ id: string; title: string; titleEn: string; url: string; author: string; publisher: string;
 *   language: string; sections: ArticleSection[] }} Article
 * @typedef {{ version: string; projects: Card[]; articles: Article[]; glossary?: GlossaryEntry[] }} KnowledgeBaseView
 * @typedef {{ element: HTMLElement; text: string; words: string[]; kind: "project" | "section" }} Item
 */

const kbSearch = byId("kb-search", HTMLInputElement);
const kbCount = byId("kb-count", HTMLElement);
const kbProjects = byId("kb-projects", HTMLElement);
const kbArticles = byId("kb-articles", HTMLElement);

/** @type {Promise<void> | undefined} */
let kbLoading;
let kbLoaded = false;
/** @type {Item[]} */
const kbItems = [];
/** @type {GlossaryEntry[]} */
let glossary = [];

/**
 * An item to search: what it shows, plus words it holds in the other language.
 * @param {HTMLElement} element
 * @param {string} text
 * @param {"project" | "section"} kind
 * @returns {Item}
 */
function item(element, text, kind) {
  return { element, text: fold(text), words: wordsOf(text), kind };
}

/** @param {Card} p */
function projectSearchText(p) {
  return [p.name, ...(p.aliases ?? []), p.summary, p.whyItMatters ?? "", p.section, ...(p.translations ?? [])]
    .concat(p.facts.flatMap((f) => [f.label, f.value]))
    .join("\n");
}

/**
 * One article with its sections.
 * @param {Article} article
 */
function articleNode(article) {
  const heading = h("h4", {}, [externalLink(article.url, [article.title])]);
  heading.lang = article.language;
  const byline = [article.author, article.publisher].filter(Boolean).join(", ");
  const meta = h("p", {
    className: "aliases",
    text: article.titleEn !== article.title ? `${article.titleEn}${byline ? ` — ${byline}` : ""}` : byline,
  });
  const sections = article.sections.map((section) => {
    // The article's own title heads the article already; a section shows the headings below it.
    const trail =
      section.path.length > 1 && section.path[0] === article.title ? section.path.slice(1) : section.path;
    const element = h("section", { className: "kb-section", lang: article.language }, [
      h("h5", { text: trail.join(" › ") }),
      ...section.paragraphs.map((p) => h("p", { text: p })),
    ]);
    if (section.links.length > 0) {
      element.append(
        h("details", { className: "links", lang: "en" }, [
          h("summary", { text: `Links in this section (${section.links.length})` }),
          h(
            "ul",
            {},
            section.links.map((url) => h("li", {}, [externalLink(url, [url])])),
          ),
        ]),
      );
    }
    kbItems.push(item(element, [...section.path, ...section.paragraphs].join("\n"), "section"));
    return element;
  });
  return h("article", { className: "kb-article" }, [heading, meta, ...sections]);
}

/** Fetches the knowledge base once and builds the view; later calls share the first. */
export function loadKnowledgeBase() {
  kbLoading ??= (async () => {
    kbCount.textContent = "Loading the knowledge base…";
    try {
      const res = await fetch("api/kb");
      if (!res.ok) throw new Error(httpProblem(res.status));
      /** @type {KnowledgeBaseView} */
      const kb = await res.json();
      glossary = kb.glossary ?? [];
      for (const project of kb.projects) {
        const element = cardNode(project, "h4");
        element.classList.toggle("featured", project.featured === true);
        kbItems.push(item(element, projectSearchText(project), "project"));
        kbProjects.append(element);
      }
      for (const article of kb.articles) kbArticles.append(articleNode(article));
      kbLoaded = true;
      filterKnowledgeBase();
    } catch (error) {
      kbLoading = undefined;
      kbCount.textContent = `Could not load the knowledge base. ${error instanceof Error ? error.message : ""}`;
    }
  })();
  return kbLoading;
}

/**
 * Removes earlier highlights, then wraps every match of `pattern` in the element's text in <mark>.
 * @param {HTMLElement} element
 * @param {RegExp | undefined} pattern
 */
function highlight(element, pattern) {
  for (const mark of element.querySelectorAll("mark")) mark.replaceWith(mark.textContent ?? "");
  element.normalize();
  if (!pattern) return;
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  /** @type {Text[]} */
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(/** @type {Text} */ (node));
  for (const node of nodes) {
    const text = node.data;
    pattern.lastIndex = 0;
    if (!pattern.test(text)) continue;
    pattern.lastIndex = 0;
    /** @type {(Node | string)[]} */
    const pieces = [];
    let at = 0;
    for (const m of text.matchAll(pattern)) {
      if (m.index > at) pieces.push(text.slice(at, m.index));
      pieces.push(h("mark", { text: m[0] }));
      at = m.index + m[0].length;
    }
    if (at < text.length) pieces.push(text.slice(at));
    node.replaceWith(...pieces);
  }
}

/** Shows the projects and sections matching every word of the search box, matches highlighted. */
function filterKnowledgeBase() {
  // Until the catalog has arrived, "0 match" would be wrong: the count keeps saying "Loading…".
  if (!kbLoaded) return;
  const query = kbSearch.value.trim();
  let projects = 0;
  let sections = 0;
  // Typos are forgiven only when the words as typed match nothing: "kubvirt" finds KubeVirt, but
  // a word that is there is not blurred into its neighbours.
  const exact = kbItems.some((entry) => matchItem(entry, query, glossary, false).match);
  for (const entry of kbItems) {
    const result = query ? matchItem(entry, query, glossary, !exact) : { match: true, terms: [] };
    entry.element.hidden = !result.match;
    highlight(entry.element, result.match ? termsPattern(result.terms) : undefined);
    if (result.match && entry.kind === "project") projects++;
    if (result.match && entry.kind === "section") sections++;
  }
  const what = `${projects} project${projects === 1 ? "" : "s"} and ${sections} section${sections === 1 ? "" : "s"}`;
  kbCount.textContent = query ? `${what} match “${query}”.` : `${what}.`;
}

kbSearch.addEventListener("input", filterKnowledgeBase);
