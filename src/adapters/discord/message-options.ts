import {
  type InteractionReplyOptions,
  type MessageCreateOptions,
  type MessageEditOptions,
  MessageFlags,
  type MessageMentionOptions,
} from "discord.js";
import type { DiscordMessage } from "./render.js";

/** Pings nobody: not @everyone, roles or users, and not the author of a message replied to. */
export const NO_MENTIONS: MessageMentionOptions = { parse: [], repliedUser: false };

function flagsOf(
  message: DiscordMessage,
  ephemeral: boolean,
): (MessageFlags.SuppressEmbeds | MessageFlags.Ephemeral)[] {
  const flags: (MessageFlags.SuppressEmbeds | MessageFlags.Ephemeral)[] = [];
  if (message.suppressEmbeds) flags.push(MessageFlags.SuppressEmbeds);
  if (ephemeral) flags.push(MessageFlags.Ephemeral);
  return flags;
}

export function createOptions(message: DiscordMessage): MessageCreateOptions {
  return {
    ...(message.content ? { content: message.content } : {}),
    embeds: message.embeds,
    components: message.components,
    allowedMentions: NO_MENTIONS,
    flags: message.suppressEmbeds ? [MessageFlags.SuppressEmbeds] : [],
  };
}

export function replyOptions(message: DiscordMessage, ephemeral: boolean): InteractionReplyOptions {
  return {
    ...(message.content ? { content: message.content } : {}),
    embeds: message.embeds,
    components: message.components,
    allowedMentions: NO_MENTIONS,
    flags: flagsOf(message, ephemeral),
  };
}

export function editOptions(message: DiscordMessage): MessageEditOptions {
  return {
    // An empty string clears the "thinking…" or progress text when the answer is embeds only.
    content: message.content,
    embeds: message.embeds,
    components: message.components,
    allowedMentions: NO_MENTIONS,
    // Always explicit: a progress edit may have set SUPPRESS_EMBEDS, which the final embeds must clear.
    flags: message.suppressEmbeds ? [MessageFlags.SuppressEmbeds] : [],
  };
}
