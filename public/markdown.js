// @ts-check
// The markdown the bot writes, parsed into plain objects. playground.js turns them into DOM nodes
// with textContent and safe hrefs only, so nothing in a reply is ever interpreted as HTML.
// Pure (no DOM), so the tests can run it in Node.

/**
 * @typedef {{ type: "text"; text: string }
 *   | { type: "strong"; children: Inline[] }
 *   | { type: "em"; children: Inline[] }
 *   | { type: "code"; text: string }
 *   | { type: "link"; href: string; children: Inline[] }
 *   | { type: "cite"; n: number }
 *   | { type: "br" }} Inline
 */

/**
 * @typedef {{ type: "paragraph"; children: Inline[] }
 *   | { type: "list"; items: Inline[][] }
 *   | { type: "code"; text: string }} Block
 */

/**
 * An http(s) URL, normalised, or undefined: `javascript:`, `data:` and relative URLs never become links.
 * @param {string} raw
 * @returns {string | undefined}
 */
export function safeHref(raw) {
  let url;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username || url.password) return undefined;
  return url.href;
}

// One alternative per inline form, in priority order. Bare URLs stop at non-ASCII: Chinese text
// often runs straight on after a link.
const INLINE = new RegExp(
  [
    "`(?<code>[^`\\n]+)`",
    // One level of balanced parentheses in a target: https://en.wikipedia.org/wiki/Kine_(software)
    "\\[(?<label>[^\\]\\n]+)\\]\\(\\s*(?<href>(?:[^\\s()]|\\([^\\s()]*\\))+)\\s*\\)",
    "\\[(?<cite>\\d{1,3})\\]",
    "\\*\\*(?<strong>[^\\n]+?)\\*\\*",
    "(?<![\\p{L}\\p{N}_*])_(?<em>[^_\\s](?:[^_\\n]*[^_\\s])?)_(?![\\p{L}\\p{N}_])",
    "(?<url>https?:\\/\\/[^\\s<>\"'`\\u0080-\\uffff]+)",
  ].join("|"),
  "gu",
);
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"*_]+$/;

/**
 * @param {Inline[]} out
 * @param {string} text
 */
function pushText(out, text) {
  if (!text) return;
  const last = out.at(-1);
  if (last && last.type === "text") last.text += text;
  else out.push({ type: "text", text });
}

/**
 * Inline markdown of one line.
 * @param {string} text
 * @returns {Inline[]}
 */
export function parseInline(text) {
  /** @type {Inline[]} */
  const out = [];
  let at = 0;
  for (const match of text.matchAll(INLINE)) {
    const g = match.groups ?? {};
    const start = match.index ?? 0;
    pushText(out, text.slice(at, start));
    at = start + match[0].length;
    if (g.code !== undefined) {
      out.push({ type: "code", text: g.code });
    } else if (g.label !== undefined && g.href !== undefined) {
      const href = safeHref(g.href);
      const children = parseInline(g.label);
      if (href) out.push({ type: "link", href, children });
      else for (const child of children) child.type === "text" ? pushText(out, child.text) : out.push(child);
    } else if (g.cite !== undefined) {
      out.push({ type: "cite", n: Number(g.cite) });
    } else if (g.strong !== undefined) {
      out.push({ type: "strong", children: parseInline(g.strong) });
    } else if (g.em !== undefined) {
      out.push({ type: "em", children: parseInline(g.em) });
    } else if (g.url !== undefined) {
      const trailing = TRAILING_PUNCTUATION.exec(g.url)?.[0] ?? "";
      const bare = g.url.slice(0, g.url.length - trailing.length);
      const href = safeHref(bare);
      if (href) out.push({ type: "link", href, children: [{ type: "text", text: bare }] });
      else pushText(out, bare);
      // The punctuation is ordinary text; it is not re-scanned, being only punctuation.
      pushText(out, trailing);
    }
  }
  pushText(out, text.slice(at));
  return out;
}

const LIST_ITEM = /^\s{0,3}(?:[-*•]|\d{1,3}[.)])\s+(.*)$/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;

/**
 * Block markdown: paragraphs (single line breaks kept), lists, fenced code; headings become bold
 * paragraphs so a reply cannot disturb the page's heading outline.
 * @param {string} text
 * @returns {Block[]}
 */
export function parseMarkdown(text) {
  /** @type {Block[]} */
  const blocks = [];
  /** @type {string[]} */
  let paragraph = [];
  /** @type {Inline[][] | undefined} */
  let list;
  /** @type {string[] | undefined} */
  let fence;
  const flush = () => {
    if (paragraph.length > 0) {
      /** @type {Inline[]} */
      const children = [];
      paragraph.forEach((line, i) => {
        if (i > 0) children.push({ type: "br" });
        children.push(...parseInline(line));
      });
      blocks.push({ type: "paragraph", children });
      paragraph = [];
    }
    if (list) {
      blocks.push({ type: "list", items: list });
      list = undefined;
    }
  };
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    if (fence) {
      if (/^\s*```/.test(line)) {
        blocks.push({ type: "code", text: fence.join("\n") });
        fence = undefined;
      } else fence.push(line);
      continue;
    }
    if (/^\s*```/.test(line)) {
      flush();
      fence = [];
      continue;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      if (paragraph.length > 0) flush();
      list ??= [];
      list.push(parseInline(item[1] ?? ""));
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      blocks.push({
        type: "paragraph",
        children: [{ type: "strong", children: parseInline(heading[1] ?? "") }],
      });
      continue;
    }
    if (list) flush();
    paragraph.push(line.trim());
  }
  // An unclosed fence (a reply still streaming) shows what it has so far.
  if (fence) blocks.push({ type: "code", text: fence.join("\n") });
  flush();
  return blocks;
}
