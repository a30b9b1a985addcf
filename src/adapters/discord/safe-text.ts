/**
 * Text the bot sends is untrusted (a model wrote part of it): it must ping nobody and unfurl no
 * link. `allowedMentions: { parse: [] }` is the real guard against pings; these functions are the
 * last line of defence in the text itself, so a forgotten option cannot turn into a mass ping.
 */

import { classifyLines } from "../../core/text-split.js";

const ZERO_WIDTH_SPACE = "\u200b";
/** User, nickname and role mentions: `<@1>`, `<@!1>`, `<@&1>`. */
const MENTION = /<@[!&]?\d+>/g;
const EVERYONE = /@(everyone|here)/gi;

/** Removes user and role mentions and defuses @everyone/@here with a zero-width space. */
export function neutralisePings(text: string): string {
  // Removing one mention can join its neighbours into a new one ("<@<@1>2>"), so repeat until stable.
  let out = text;
  for (;;) {
    const next = out.replace(MENTION, "");
    if (next === out) break;
    out = next;
  }
  return out.replace(EVERYONE, `@${ZERO_WIDTH_SPACE}$1`);
}

/** `[text](https://…)` whose target is not already in angle brackets. */
const MASKED_LINK = /\]\((https?:\/\/[^\s)<>]+)\)/gi;
/** A link already in angle brackets: left as it is. */
const WRAPPED = /(<https?:\/\/[^\s<>]+>)/i;
/** Any other URL; trailing punctuation is not part of it. */
const BARE_URL = /https?:\/\/[^\s<>]*[^\s<>.,;:!?)\]'"*_~|]/gi;

/**
 * Wraps URLs in `<…>`, Discord's "no preview" syntax, masked links included. Code blocks are left
 * alone (Discord does not unfurl inside them); they are found line by line, as the splitter finds
 * them, so each chunk of a split message reads the same way.
 */
export function hideLinkPreviews(text: string): string {
  return classifyLines(text)
    .map(({ line, kind }) => {
      if (kind !== "text") return line;
      return line
        .replace(MASKED_LINK, "](<$1>)")
        .split(WRAPPED)
        .map((part, i) => (i % 2 === 1 ? part : part.replace(BARE_URL, "<$&>")))
        .join("");
    })
    .join("\n");
}

/** Whether text outside code blocks holds a URL Discord would unfurl (one not in `<…>`). */
export function hasUnwrappedUrl(text: string): boolean {
  return classifyLines(text).some(
    ({ line, kind }) => kind === "text" && /https?:\/\//i.test(line.replace(/<[^\s<>]+>/g, "")),
  );
}

/** Whether text holds a URL at all. */
export function containsUrl(text: string): boolean {
  return /https?:\/\//i.test(text);
}

/** Both defences, for message content. */
export function safeContent(text: string): string {
  return hideLinkPreviews(neutralisePings(text));
}
