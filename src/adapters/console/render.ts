import { type FallbackReason, partMarkdown, type Reply, terminalText } from "../../core/index.js";
import { labelsFor } from "../shared/labels.js";

export interface TerminalStyle {
  color: boolean;
}

const ansi = (code: string, text: string, on: boolean) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

/** Strips control sequences from untrusted text so it cannot move the cursor or retitle the terminal. */
export function stripControl(text: string): string {
  return terminalText(text);
}

/**
 * Links, bold, emphasis and code, found in one pass over the text: styling added by one rule is
 * never read by the next (an escape's `[` taken for a link's was how "mKubeVirt" got printed).
 */
const INLINE =
  /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|\*\*([^*\n]+)\*\*|(?<![\w*])_([^_\n]+)_(?![\w*])|`([^`\n]+)`/g;

function inline(text: string, style: TerminalStyle): string {
  return text.replace(
    INLINE,
    (_m, label?: string, url?: string, bold?: string, em?: string, code?: string) => {
      if (label !== undefined && url !== undefined) {
        const shown = inline(label, style);
        return label === url ? url : `${shown} <${url}>`;
      }
      if (bold !== undefined) return ansi("1", inline(bold, style), style.color);
      if (em !== undefined) return ansi("3", em, style.color);
      return ansi("36", code ?? "", style.color);
    },
  );
}

/** Markdown -> terminal text: headings, lists, bold, emphasis, code and links made readable. */
export function markdownToTerminal(markdown: string, style: TerminalStyle): string {
  return stripControl(markdown)
    .split("\n")
    .map((line) => {
      const heading = /^#{1,6}\s+(.*)$/.exec(line);
      if (heading) return ansi("1", inline(heading[1] as string, { color: false }), style.color);
      const item = /^(\s*)[-*]\s+(.*)$/.exec(line);
      if (item) return `${item[1]}• ${inline(item[2] as string, style)}`;
      return inline(line, style);
    })
    .join("\n");
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

const MODEL_TROUBLE: Partial<Record<FallbackReason, string>> = {
  "llm-down": "the model's server is unreachable",
  "llm-circuit-open": "the model is unavailable",
  "llm-timeout": "the model timed out",
  "llm-error": "the model failed",
  "llm-unauthorised": "the model's server refused the API key",
  "llm-model-missing": "the model is missing on its server",
};

/**
 * One plain line when the model's state changes (down, or back), instead of a warning per
 * question: undefined when there is nothing new to say.
 */
export function modelStatusLine(
  previous: FallbackReason | undefined,
  reply: Reply,
  style: TerminalStyle,
): { line?: string; state: FallbackReason | undefined } {
  const trouble = reply.fallback ? MODEL_TROUBLE[reply.fallback] : undefined;
  if (trouble) {
    if (previous === reply.fallback) return { state: previous };
    const line = `(${trouble}: answering from the knowledge base's passages until it is back)`;
    return { line: ansi("2", line, style.color), state: reply.fallback };
  }
  if (previous && reply.mode === "llm") {
    return { line: ansi("2", "(the model is back)", style.color), state: undefined };
  }
  return { state: previous };
}
