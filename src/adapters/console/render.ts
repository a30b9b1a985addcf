import { terminalText } from "../../core/terminal-text.js";
import type { Reply } from "../../core/types.js";

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

/** The parts of a reply below its text: notice and numbered sources. */
export function renderFooter(reply: Reply, style: TerminalStyle): string {
  const lines: string[] = [];
  if (reply.notice) lines.push(ansi("2", stripControl(reply.notice), style.color));
  if (reply.sources.length > 0) {
    lines.push(ansi("2", reply.language === "zh" ? "来源：" : "Sources:", style.color));
    for (const s of reply.sources) lines.push(ansi("2", `  [${s.n}] ${s.section} — ${s.url}`, style.color));
  }
  return lines.join("\n");
}

/** A whole reply for a terminal. Cards are already in `text` as markdown. */
export function renderReply(reply: Reply, style: TerminalStyle): string {
  const footer = renderFooter(reply, style);
  return [markdownToTerminal(reply.text, style), footer].filter(Boolean).join("\n\n");
}
