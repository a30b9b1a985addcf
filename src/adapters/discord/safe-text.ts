/**
 * Text the bot sends is untrusted (a model wrote part of it): it must ping nobody and unfurl no
 * link. `allowedMentions: { parse: [] }` is the real guard against pings; these functions are the
 * last line of defence in the text itself, so a forgotten option cannot turn into a mass ping.
 */

import { removeMentions } from "../../core/index.js";
import { classifyLines } from "../shared/text-split.js";

/** Removes user and role mentions and defuses @everyone/@here (the rule lives in core/neutralise.ts). */
export const neutralisePings = removeMentions;

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
