// Untrusted text (a model's reply, a question, an evaluation file) written to a terminal must not
// drive it: an escape sequence can retitle the window, clear the screen, move the cursor, recolour
// everything after it, or (OSC 52) write the clipboard. Whole sequences go, not just their ESC, so
// no "]0;title" debris is left behind.

/* biome-ignore-start lint/suspicious/noControlCharactersInRegex: matching control characters is the point */
const SEQUENCES = new RegExp(
  [
    // OSC, DCS, SOS, PM, APC: up to BEL or ST (ESC \ or 0x9c), or to the end while unterminated.
    "(?:\\u001b[\\]PX^_]|[\\u0090\\u0098\\u009d\\u009e\\u009f])[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c|$)",
    // CSI: ESC [ or 0x9b, parameters, intermediates, a final byte (or the end of the text so far).
    "(?:\\u001b\\[|\\u009b)[0-?]*[ -/]*(?:[@-~]|$)",
    // Two- and three-byte escapes: charset selection (ESC ( B), ESC 7, ESC c (reset)...
    "\\u001b[ -/]*[0-~]?",
  ].join("|"),
  "g",
);
/** What is left: C0 and C1 controls except tab and newline (a carriage return can overwrite a line). */
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/* biome-ignore-end lint/suspicious/noControlCharactersInRegex: matching control characters is the point */
/** Bidirectional overrides and isolates: they make a terminal show text in another order than sent. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every terminal control sequence and control character removed; tabs and newlines kept. */
export function terminalText(text: string): string {
  return text.replace(SEQUENCES, "").replace(CONTROLS, "").replace(BIDI, "");
}

/**
 * Sanitises text that grows (a streamed answer): `next(textSoFar)` returns only what is new and
 * safe to write. The whole text is sanitised each time, so a sequence split across two pieces is
 * removed whole instead of leaking its tail; when the text is rewritten rather than extended,
 * nothing is written (the caller prints the final reply whole).
 */
export class TerminalStream {
  private shown = "";

  next(textSoFar: string): string {
    const clean = terminalText(textSoFar);
    if (!clean.startsWith(this.shown)) return "";
    const added = clean.slice(this.shown.length);
    this.shown = clean;
    return added;
  }
}
