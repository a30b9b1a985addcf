/**
 * Splitting long markdown into chat-sized messages without breaking fenced code blocks. Platform
 * neutral: Slack sections (3,000 characters) and Discord messages (2,000) both use it.
 */

/** An open fenced code block: its marker (``` or ~~~, 3–16 long) and info string (e.g. `ts`). */
export interface Fence {
  marker: string;
  info: string;
}

// Longer markers or info strings are treated as text: chat platforms do not render them as code
// anyway, and a bounded fence line is what lets a split reopen a block within any budget.
const MAX_MARKER = 16;
const MAX_INFO = 48;
const MAX_FENCE_LINE = 3 + MAX_MARKER + MAX_INFO + 8;
const OPEN_BACKTICKS = /^ {0,3}(`{3,16})(?!`)([^`]*)$/;
const OPEN_TILDES = /^ {0,3}(~{3,16})(?!~)(.*)$/;
const CLOSING = /^ {0,3}(`{3,64}|~{3,64})[ \t\r]{0,8}$/;
/** What a fence or closing line starts with: a cut line must not start a chunk line with it. */
const FENCE_LIKE = /^ {0,3}(?:`{3}|~{3})/;
/** Room kept in every chunk for a reopening fence line and a closing one. */
const FENCE_RESERVE = 3 + MAX_MARKER + MAX_INFO + 2 + MAX_MARKER;
/** The smallest budget splitMessage accepts: below it a reopened fence would not leave room for text. */
export const MIN_SPLIT_CHARS = 2 * FENCE_RESERVE + 40;

/** The fence a line opens, if it is an opening fence line (only meaningful outside a code block). */
export function openingFence(line: string): Fence | undefined {
  if (line.length > MAX_FENCE_LINE) return undefined;
  const match = OPEN_BACKTICKS.exec(line) ?? OPEN_TILDES.exec(line);
  if (!match) return undefined;
  const marker = match[1] as string;
  const info = (match[2] ?? "").trim();
  if (marker.length > MAX_MARKER || info.length > MAX_INFO) return undefined;
  return { marker, info };
}

/** Whether a line closes the given fence (same character, at least as long, nothing else on it). */
export function closesFence(line: string, fence: Fence): boolean {
  const match = CLOSING.exec(line);
  const marker = match?.[1];
  return marker !== undefined && marker[0] === fence.marker[0] && marker.length >= fence.marker.length;
}

/** How a line reads: an opening or closing fence, a line of code, or text. */
export type LineKind = "open" | "close" | "code" | "text";

export interface ClassifiedLine {
  line: string;
  kind: LineKind;
  /** The code block this line belongs to (open, close and code lines). */
  fence?: Fence;
}

/** Classifies each line of `text` (split on "\n") as fence, code or text. */
export function classifyLines(text: string): ClassifiedLine[] {
  let open: Fence | undefined;
  return text.split("\n").map((line) => {
    if (open) {
      const fence = open;
      if (closesFence(line, fence)) {
        open = undefined;
        return { line, kind: "close", fence };
      }
      return { line, kind: "code", fence };
    }
    const fence = openingFence(line);
    if (fence) {
      open = fence;
      return { line, kind: "open", fence };
    }
    return { line, kind: "text" };
  });
}

/** The code block still open at the end of `text`, if any. */
export function unclosedFence(text: string): Fence | undefined {
  const lines = classifyLines(text);
  const last = lines.at(-1);
  return last && (last.kind === "open" || last.kind === "code") ? last.fence : undefined;
}

interface Piece {
  text: string;
  /** What joins this piece to the next: a real line break, or nothing for a split long line. */
  sep: "\n" | "";
  /** The code block open before this piece. */
  before: Fence | undefined;
  /** The code block open after this piece. */
  after: Fence | undefined;
  blank: boolean;
}

function reopenLine(fence: Fence): string {
  return fence.info ? `${fence.marker}${fence.info}` : fence.marker;
}

/** Where the last sentence ending before `max` is (just after its space), or -1. */
function lastSentenceEnd(text: string, max: number): number {
  const head = text.slice(0, max);
  let end = -1;
  for (const match of head.matchAll(/[.!?。！？](?:["'”’)\]]*)\s+|[。！？]/g))
    end = (match.index ?? 0) + match[0].length;
  return end;
}

/**
 * Cuts a line into parts of at most `max` characters, at a sentence end or a space where it can,
 * never inside a surrogate pair. A first part is longer than any fence line, so a cut line never
 * reads as one.
 */
function cutLine(line: string, max: number): string[] {
  const parts: string[] = [];
  let rest = line;
  const minFirst = MAX_FENCE_LINE + 2;
  while (rest.length > max) {
    let cut = max;
    const floor = Math.max(max / 2, minFirst);
    const sentence = lastSentenceEnd(rest, max);
    const space = rest.lastIndexOf(" ", max - 1);
    if (sentence >= floor) cut = sentence;
    else if (space >= floor) cut = space + 1;
    // Prefer a cut after which the next chunk does not start with something like a fence.
    while (cut > minFirst && FENCE_LIKE.test(rest.slice(cut))) cut--;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  parts.push(rest);
  return parts;
}

function toPieces(text: string, maxLine: number): Piece[] {
  const lines = classifyLines(text);
  const pieces: Piece[] = [];
  lines.forEach((l, i) => {
    const before = l.kind === "code" || l.kind === "close" ? l.fence : undefined;
    const after = l.kind === "open" || l.kind === "code" ? l.fence : undefined;
    const sep = i < lines.length - 1 ? "\n" : "";
    const parts = cutLine(l.line, maxLine);
    parts.forEach((part, j) => {
      const last = j === parts.length - 1;
      pieces.push({
        text: part,
        sep: last ? sep : "",
        // A split line stays inside whatever block it is in from its first part to its last.
        before: j === 0 ? before : (after ?? before),
        after: last ? after : (after ?? before),
        blank: parts.length === 1 && l.kind === "text" && l.line.trim() === "",
      });
    });
  });
  return pieces;
}

/** How good a place the end of piece `i` is to end a chunk: paragraphs, then lines, then anywhere. */
function breakQuality(pieces: Piece[], i: number): number {
  const piece = pieces[i] as Piece;
  const next = pieces[i + 1];
  if (piece.sep === "") return 0;
  if (piece.after) return 1;
  const closesBlock = piece.before !== undefined;
  const opensBlock = next !== undefined && next.before === undefined && next.after !== undefined;
  if (piece.blank || next?.blank || closesBlock || opensBlock) return 3;
  return 2;
}

/** What a chunk starting at piece `start` begins with: the reopened code block, if any. */
function chunkPrefix(pieces: Piece[], start: number): string {
  const first = pieces[start] as Piece;
  let prefix = first.before ? `${reopenLine(first.before)}\n` : "";
  // The rest of a cut line that starts like a fence would open or close a block where the line
  // started mid-way; a zero-width space keeps it what it was (text or code).
  const continuation = start > 0 && (pieces[start - 1] as Piece).sep === "";
  if (continuation && FENCE_LIKE.test(first.text)) prefix += "\u200b";
  return prefix;
}

function renderChunk(pieces: Piece[], start: number, end: number): string {
  const last = pieces[end - 1] as Piece;
  let text = chunkPrefix(pieces, start);
  for (let i = start; i < end; i++) {
    const piece = pieces[i] as Piece;
    text += piece.text;
    if (i < end - 1) text += piece.sep;
  }
  if (last.after) text += `\n${last.after.marker}`;
  return text;
}

/**
 * Splits markdown into chunks of at most `maxChars` characters, preferring paragraph and line
 * breaks. A code block cut in two is closed at the end of one chunk and reopened (same marker and
 * language) at the start of the next, so every chunk has balanced fences; an unclosed block at the
 * end is closed. Nothing is dropped but blank lines at chunk edges.
 */
export function splitMessage(text: string, maxChars: number): string[] {
  if (!Number.isInteger(maxChars) || maxChars < MIN_SPLIT_CHARS) {
    throw new RangeError(`splitMessage: maxChars must be an integer of at least ${MIN_SPLIT_CHARS}`);
  }
  const pieces = toPieces(text, maxChars - FENCE_RESERVE);
  const chunks: string[] = [];
  let start = 0;
  while (start < pieces.length) {
    // Blank lines between chunks carry nothing: the chunk boundary is the paragraph break.
    if ((pieces[start] as Piece).blank) {
      start++;
      continue;
    }
    let length = chunkPrefix(pieces, start).length;
    let end = start;
    let best = -1;
    let bestQuality = -1;
    while (end < pieces.length) {
      const piece = pieces[end] as Piece;
      const joined = end > start ? (pieces[end - 1] as Piece).sep.length : 0;
      const closing = piece.after ? piece.after.marker.length + 1 : 0;
      if (length + joined + piece.text.length + closing > maxChars) break;
      length += joined + piece.text.length;
      end++;
      // Only breaks past half the budget are considered, so chunks stay reasonably full.
      const quality = breakQuality(pieces, end - 1);
      if (length >= maxChars / 2 && quality >= bestQuality) {
        best = end;
        bestQuality = quality;
      }
    }
    if (end === start) end = start + 1; // cannot happen: pieces are cut to fit with the fence reserve
    const stop = end === pieces.length || best === -1 ? end : best;
    let last = stop;
    while (last > start + 1 && (pieces[last - 1] as Piece).blank) last--;
    chunks.push(renderChunk(pieces, start, last));
    start = stop;
  }
  return chunks.filter((c) => c.trim() !== "");
}
