import type { Passage } from "../knowledge/knowledge-base.js";
import { neutraliseMarkup as neutralisePings } from "../neutralise.js";
import type { Language, Source } from "../types.js";
import { LeakCheck } from "./leak-check.js";
import { toSources } from "./sources.js";

/** What the model wrote, made safe to post. */
export interface ProcessedAnswer {
  text: string;
  /** The passages the text cites, renumbered [1]..[n] in order of first citation. */
  sources: Source[];
  /** The reply echoed the system prompt (its canary or its rules): it must not be shown at all. */
  leaked: boolean;
}

export interface SanitizerOptions {
  /** The only URLs a reply may link to (the knowledge base's). */
  allowedUrls: Iterable<string>;
  /** The system prompt as sent, canary included. */
  systemPrompt: string;
  canary: string;
  /** Longest reply, in characters; longer ones are cut at a sentence or word and end with "…". */
  maxChars: number;
}

// Domains a chat platform would turn into a link even without a scheme.
const LINKABLE_TLDS =
  "com|net|org|io|dev|ai|co|app|xyz|info|biz|me|ru|cn|tk|ly|gg|sh|site|online|top|link|click|us|uk|de|fr|eu|tv|cc";
const BARE_DOMAIN = new RegExp(
  `(?<![\\w.@/\`-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+(?:${LINKABLE_TLDS}))(?![\\w-])(/[\\x21-\\x7e]*)?`,
  "gi",
);
const URL_IN_TEXT = /\b(?:https?:\/\/|www\.)[^\s<>"'`\u0080-\uffff]+/gi;
const TRAILING_URL_PUNCTUATION = /[.,;:!?)\]}*_~]+$/;
const CITATION = /(\s*)[[［【]\s*(\d{1,3}(?:\s*[,，、;；\-–]\s*\d{1,3})*)\s*[\]］】]/g;

const LINK_REMOVED: Record<Language, string> = { en: "(link removed)", zh: "（链接已移除）" };

function canonicalUrl(url: string): string | undefined {
  try {
    const u = new URL(/^www\./i.test(url) ? `https://${url}` : url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return undefined;
    return `${u.host.toLowerCase().replace(/^www\./, "")}${u.pathname.replace(/\/+$/, "")}${u.search}`;
  } catch {
    return undefined;
  }
}

/** Splits "1, 3", "2-4" into passage numbers (ranges capped, so "[1-999]" cannot blow up). */
function citedNumbers(list: string): number[] {
  const numbers: number[] = [];
  for (const part of list.split(/\s*[,，、;；]\s*/)) {
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(part);
    if (range) {
      const from = Number(range[1]);
      const to = Math.min(Number(range[2]), from + 9);
      for (let n = from; n <= to; n++) numbers.push(n);
    } else if (/^\d+$/.test(part)) numbers.push(Number(part));
  }
  return numbers;
}

/**
 * Makes model output safe to post: citations mapped to real passages, links only to the knowledge
 * base, no pings, no trace of the system prompt, bounded length. Built once per prompt version.
 */
export class AnswerSanitizer {
  private readonly allowed = new Set<string>();
  private readonly allowedHosts = new Set<string>();
  private readonly leakCheck: LeakCheck;

  constructor(private readonly options: SanitizerOptions) {
    for (const url of options.allowedUrls) {
      const canonical = canonicalUrl(url);
      if (!canonical) continue;
      this.allowed.add(canonical);
      this.allowedHosts.add(canonical.split("/")[0] as string);
    }
    this.leakCheck = new LeakCheck(options.systemPrompt, options.canary);
  }

  /** True when `text` gives the system prompt away: its canary in any encoding, its sentences, its rules retold. */
  leaks(text: string): boolean {
    return this.leakCheck.leaks(text);
  }

  /** The whole reply, made safe. `passages` are the prompt's, numbered [1]..[n]. */
  finish(raw: string, passages: Passage[], language: Language): ProcessedAnswer {
    if (this.leaks(raw)) return { text: "", sources: [], leaked: true };
    let text = this.neutraliseLinks(raw, language);
    text = neutralisePings(text);
    text = bound(text.trim(), this.options.maxChars);
    const { text: cited, sources } = mapCitations(text, passages);
    return { text: tidy(cited), sources, leaked: false };
  }

  /**
   * The part of a reply still being streamed that later text can no longer change, made safe.
   * A trailing run that may still grow into a URL, a mention, a citation or the canary is held back,
   * and so is a sentence that may be the start of the prompt echoed or retold.
   */
  draft(raw: string, passages: Passage[], language: Language): ProcessedAnswer {
    const stable = raw.slice(0, stableLength(raw));
    if (this.leakCheck.leaks(stable)) return { text: "", sources: [], leaked: true };
    return this.finish(stable.slice(0, this.leakCheck.showable(stable)), passages, language);
  }

  private isAllowed(url: string): boolean {
    const canonical = canonicalUrl(url);
    return canonical !== undefined && this.allowed.has(canonical);
  }

  private neutraliseLinks(text: string, language: Language): string {
    const removed = LINK_REMOVED[language];
    return (
      text
        // Slack's <url|label> and <url>
        .replace(/<(https?:\/\/[^\s|>]+)(?:\|([^>]*))?>/gi, (_m, url: string, label?: string) =>
          this.isAllowed(url) ? (label ? `[${label}](${url})` : url) : (label ?? removed),
        )
        // Markdown [label](url)
        .replace(/\[([^\]\n]*)\]\(\s*([^\s)]+)\s*\)/g, (whole, label: string, url: string) =>
          this.isAllowed(url) ? whole : label,
        )
        .replace(URL_IN_TEXT, (match) => {
          const trailing = TRAILING_URL_PUNCTUATION.exec(match)?.[0] ?? "";
          const url = match.slice(0, match.length - trailing.length);
          return (this.isAllowed(url) ? url : removed) + trailing;
        })
        // A bare domain is still a link on Slack and Discord: code formatting shows it without linking.
        .replace(BARE_DOMAIN, (whole, host: string) =>
          this.allowedHosts.has(host.toLowerCase().replace(/^www\./, "")) ? whole : `\`${whole}\``,
        )
    );
  }
}

/** @everyone, @here, @channel and Slack/Discord mention syntax, made inert (the rule lives in core/neutralise.ts). */
export { neutralisePings };

/** [n] to the prompt's passages, renumbered by first citation; citations of passages that do not exist go. */
export function mapCitations(text: string, passages: Passage[]): { text: string; sources: Source[] } {
  const order: number[] = [];
  const mapped = text.replace(CITATION, (_m, space: string, list: string) => {
    const numbers = [...new Set(citedNumbers(list))].filter((n) => n >= 1 && n <= passages.length);
    if (numbers.length === 0) return "";
    return (
      space +
      numbers
        .map((n) => {
          let i = order.indexOf(n);
          if (i < 0) i = order.push(n) - 1;
          return `[${i + 1}]`;
        })
        .join("")
    );
  });
  return { text: mapped, sources: toSources(order.map((n) => passages[n - 1] as Passage)) };
}

/** Cuts an over-long reply at a sentence end (or a space) and marks the cut with "…". */
export function bound(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const head = text.slice(0, maxChars - 1);
  let cut = -1;
  for (const m of head.matchAll(/[.!?。！？](?:\s*\[\d+\])*(?=\s|$)|[。！？]/g)) cut = m.index + m[0].length;
  if (cut < maxChars * 0.6) {
    const space = head.search(/\s\S*$/);
    cut = space >= maxChars * 0.8 ? space : head.length;
  }
  return `${head
    .slice(0, cut)
    .replace(/\s*[[［【][\d,\s-]*$/, "")
    .trimEnd()}…`;
}

/** Spaces left where something was removed. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]+([.,;:!?。，；：！？])/g, "$1")
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}

/** How much of a streamed reply is final: everything before a run that may still change. */
export function stableLength(raw: string): number {
  let end = raw.length;
  // URLs, mentions, citations and the canary are runs of printable ASCII: wait for their end.
  const tail = /[\x21-\x7e]+$/.exec(raw);
  if (tail) end = tail.index;
  // A markdown link's label ("[文章](") waits for its URL.
  if (raw[end - 1] === "]" || raw.slice(end).startsWith("](")) {
    const open = raw.lastIndexOf("[", end);
    if (open >= 0) end = open;
  }
  // An unclosed [..., <... or 【... may still become a link, a mention or a citation.
  for (const [open, close] of [
    ["[", "]"],
    ["<", ">"],
    ["【", "】"],
    ["［", "］"],
  ] as const) {
    const i = raw.lastIndexOf(open, end - 1);
    if (i >= 0 && raw.indexOf(close, i) < 0 && end - i < 300) end = Math.min(end, i);
  }
  return end;
}
