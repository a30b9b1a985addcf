import { neutralisePings } from "./safe-text.js";

/** Where a Discord event happened. `threadParentId` is set when `channelId` is a thread. */
export interface DiscordPlace {
  guildId: string | null;
  channelId: string;
  threadParentId: string | null;
}

/**
 * `discord:<guild or dm>:<channel>:<thread>`. In a thread the thread is the conversation; a DM is one
 * conversation (`-`); elsewhere `rootId` (the message a thread is started from, or a slash command's
 * interaction id) starts a conversation of its own, so two people's commands never share memory.
 */
export function conversationId(place: DiscordPlace, rootId: string): string {
  if (place.guildId === null) return `discord:dm:${place.channelId}:-`;
  if (place.threadParentId) return `discord:${place.guildId}:${place.threadParentId}:${place.channelId}`;
  return `discord:${place.guildId}:${place.channelId}:${rootId}`;
}

/** Keys of the de-duplicator: one answer per interaction and per message, across replays and replicas. */
export const dedupeKey = {
  interaction: (id: string) => `discord:interaction:${id}`,
  message: (id: string) => `discord:message:${id}`,
};

/** Gateway replays after a resume come within minutes; an hour is comfortably more. */
export const DEDUPE_TTL_MS = 2 * 60 * 60 * 1000;

/** Removes the bot's own mention (`<@id>` or `<@!id>`) from a question. */
export function stripBotMention(text: string, botUserId: string): string {
  return text
    .replace(new RegExp(`<@!?${botUserId}>`, "g"), " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** A thread name from the question: one line, no pings or markup, at most 100 characters. */
export function threadName(question: string, fallback = "Question"): string {
  // Pings are defused last: removing markup could otherwise join "@" and "here".
  const line = neutralisePings(
    question
      .replace(/<[#:@][^>]*>/g, " ")
      .replace(/[`*_~|>#[\]]/g, "")
      .replace(/\s+/g, " "),
  ).trim();
  if (!line) return fallback;
  return line.length <= 100 ? line : `${line.slice(0, 99).replace(/[\ud800-\udbff]$/, "")}…`;
}
