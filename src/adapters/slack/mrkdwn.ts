import { neutraliseMentions } from "../../core/index.js";
import { classifyLines } from "../shared/text-split.js";

const ZWSP = "\u200b";

/**
 * Escapes text for Slack mrkdwn: &, < and > as entities (so no `<!here>`, `<@U1>` or link syntax
 * can be written), broadcast words broken, and runs of three backticks broken so text can neither
 * open nor close a code block.
 */
export function escapeMrkdwn(text: string): string {
  // Most labels and values hold none of the characters any step below changes.
  if (!MRKDWN_SPECIAL.test(text)) return text;
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return breakBacktickRuns(neutraliseMentions(escaped));
}

/** What escaping changes: entities, a mention or broadcast ("<@", "@here"), backtick runs. */
const MRKDWN_SPECIAL = /[&<>@`]/;
/** Every mention or broadcast starts with one of these. */
const MENTION_START = /[@<]/;

/** Plain text for plain_text objects (headers, buttons): no entities there, but still no pings. */
export function plainText(text: string): string {
  return MENTION_START.test(text) ? neutraliseMentions(text) : text;
}

function breakBacktickRuns(text: string): string {
  return text.replace(/`{3,}/g, (run) => run.split("").join(ZWSP));
}

/** A URL safe inside `<url|label>`: http(s) only, no whitespace, no characters that end the link. */
export function linkUrl(url: string): string | undefined {
  const trimmed = url.trim();
  if (!/^https?:\/\/[^\s<>|`]+$/i.test(trimmed)) return undefined;
  return trimmed.replace(/&/g, "&amp;");
}

/** A link with an escaped label, or just the label when the URL is unusable. */
export function mrkdwnLink(url: string, label: string): string {
  const safe = linkUrl(url);
  const text = escapeMrkdwn(label).replace(/\|/g, "¦");
  return safe ? `<${safe}|${text}>` : text;
}

// One pass over escaped text, so converted output is never converted again: links, bold (** and
// __), italics (single *), strikethrough.
const INLINE =
  /\[([^[\]\n]+)\]\((https?:\/\/[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)\)|\*\*(?!\s)([^*\n]+?)(?<!\s)\*\*|__(?!\s)([^_\n]+?)(?<!\s)__|(?<![\w*])\*(?![\s*])([^*\n]+?)(?<!\s)\*(?![\w*])|~~(?!\s)([^~\n]+?)(?<!\s)~~/g;

function convertInline(escaped: string): string {
  return escaped.replace(
    INLINE,
    (
      match,
      label?: string,
      url?: string,
      bold?: string,
      bold2?: string,
      italic?: string,
      strike?: string,
    ) => {
      if (label !== undefined && url !== undefined) {
        // The URL went through escaping already (& is &amp;, as Slack wants); undo only the
        // zero-width spaces that ping neutralising may have put into it.
        const href = url.replace(/\u200b/g, "");
        if (!/^https?:\/\/[^\s<>|`]+$/i.test(href)) return match;
        return `<${href}|${label.replace(/\|/g, "¦")}>`;
      }
      if (bold !== undefined) return `*${bold}*`;
      if (bold2 !== undefined) return `*${bold2}*`;
      if (italic !== undefined) return `_${italic}_`;
      if (strike !== undefined) return `~${strike}~`;
      return match;
    },
  );
}

// Inline code: a run of backticks, content, the same run, with no backtick either side (so no
// run of three can form across it). Slack only knows single backticks.
const INLINE_CODE = /(?<!`)(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g;

function convertTextLine(line: string): string {
  const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
  if (heading) {
    const content = (heading[1] ?? "").replace(/\*\*|__/g, "");
    return content ? `*${convertSpans(content)}*` : "";
  }
  const quote = /^(\s*)>\s?(.*)$/.exec(line);
  if (quote) return `${quote[1]}> ${convertTextLine(quote[2] ?? "")}`;
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
  if (bullet) return `${bullet[1]}• ${convertSpans(bullet[2] ?? "")}`;
  return convertSpans(line);
}

/** Converts a line's inline markdown, leaving code spans unformatted. */
function convertSpans(line: string): string {
  let out = "";
  let last = 0;
  for (const match of line.matchAll(INLINE_CODE)) {
    const index = match.index ?? 0;
    out += convertInline(escapeMrkdwn(line.slice(last, index)));
    const code = (match[2] ?? "").replace(/`/g, "ˋ");
    out += `\`${escapeMrkdwn(code)}\``;
    last = index + match[0].length;
  }
  return out + convertInline(escapeMrkdwn(line.slice(last)));
}

/**
 * Markdown (as the core writes it) to Slack mrkdwn: bold, italics, links, lists, headings, quotes,
 * inline code and fenced code blocks. All text is escaped and neutralised; the only `<` in the
 * result start links to http(s) URLs, and code blocks are the only triple backticks, balanced.
 */
export function markdownToMrkdwn(markdown: string): string {
  const out: string[] = [];
  let inCode = false;
  for (const { line, kind } of classifyLines(markdown)) {
    if (kind === "open") {
      out.push("```");
      inCode = true;
    } else if (kind === "close") {
      out.push("```");
      inCode = false;
    } else if (kind === "code") {
      out.push(escapeMrkdwn(line));
    } else {
      out.push(convertTextLine(line));
    }
  }
  if (inCode) out.push("```");
  return out.join("\n");
}
