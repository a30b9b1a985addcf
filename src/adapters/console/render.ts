import { partMarkdown, type Reply, terminalText } from "../../core/index.js";
import { labelsFor } from "../shared/labels.js";

export interface TerminalStyle {
  color: boolean;
}

const ansi = (code: string, text: string, on: boolean) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

/** Strips control sequences from untrusted text so it cannot move the cursor or retitle the terminal. */
export function stripControl(text: string): string {
  return terminalText(text);
}

/** Markdown -> terminal text: bold and links made readable, nothing else interpreted. */
export function markdownToTerminal(markdown: string, style: TerminalStyle): string {
  return stripControl(markdown)
    .replace(/\*\*([^*]+)\*\*/g, (_m, t: string) => ansi("1", t, style.color))
    .replace(/(?<![\w*])_([^_\n]+)_(?![\w*])/g, (_m, t: string) => ansi("2", t, style.color))
    .replace(/\[([^\]]+)\]\((\S+?)\)/g, (_m, t: string, url: string) => `${t} <${url}>`);
}

/** The parts of a reply below its body: notice and numbered sources. */
export function renderFooter(reply: Reply, style: TerminalStyle): string {
  const lines: string[] = [];
  if (reply.notice) lines.push(ansi("2", stripControl(reply.notice), style.color));
  if (reply.sources.length > 0) {
    lines.push(
      ansi("2", `${labelsFor(reply.language).sources}${reply.language === "zh" ? "：" : ":"}`, style.color),
    );
    for (const s of reply.sources) lines.push(ansi("2", `  [${s.n}] ${s.section} — ${s.url}`, style.color));
  }
  return lines.join("\n");
}

/** A reply's body for a terminal: each part as terminal text (cards and comparisons as their markdown form). */
export function renderBody(reply: Reply, style: TerminalStyle): string {
  return reply.parts
    .map((part) => markdownToTerminal(partMarkdown(part, reply.language), style))
    .join("\n\n");
}

/** A whole reply for a terminal. */
export function renderReply(reply: Reply, style: TerminalStyle): string {
  return [renderBody(reply, style), renderFooter(reply, style)].filter(Boolean).join("\n\n");
}
