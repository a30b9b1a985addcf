import { ChannelType, type Message, type SendableChannels, ThreadAutoArchiveDuration } from "discord.js";
import { detectLanguage, type Language, type Logger, type Reply } from "../../core/index.js";
import { EditStream } from "../shared/edit-stream.js";
import { replyOrRestartNote } from "../shared/restart-note.js";
import { conversationId, DEDUPE_TTL_MS, type DiscordPlace, dedupeKey, threadName } from "./conversation.js";
import type { GatewayDeps } from "./gateway.js";
import { renderOptionsFor } from "./interaction-flow.js";
import { errorFields } from "./log-fields.js";
import { createOptions, editOptions } from "./message-options.js";
import { type DiscordMessage, renderApology, renderProgress, renderReply, renderThinking } from "./render.js";

/** Threads the bot started, remembered so follow-ups there need no mention. Bounded. */
const MAX_REMEMBERED_THREADS = 10_000;

/** Repeats the typing indicator until stopped (Discord shows it for about 10 s per call). */
function keepTyping(channel: SendableChannels, everyMs: number, log: Logger): () => void {
  const type = (): void => {
    channel
      .sendTyping()
      .catch((error: unknown) => log.debug({ err: errorFields(error) }, "typing indicator failed"));
  };
  type();
  const timer = setInterval(type, everyMs);
  return () => clearInterval(timer);
}

interface Where {
  target: SendableChannels;
  /** The message to reply to (DMs and existing threads); undefined in a thread the bot started. */
  replyTo: Message | undefined;
  conversationId: string;
}

/**
 * Mentions (and follow-ups in the bot's threads, and DMs) answered like Slack's: in a new thread
 * from the message in guild text channels, as a reply elsewhere; a slow answer shows a placeholder
 * message that is edited as the answer streams (throttled within Discord's edit limits), then
 * replaced by the final reply.
 */
export class MentionFlow {
  private readonly ownThreads = new Set<string>();

  constructor(private readonly deps: GatewayDeps) {}

  /** Whether the bot started this thread (its messages are follow-ups, no mention needed). */
  startedThread(id: string): boolean {
    return this.ownThreads.has(id);
  }

  async answer(message: Message, question: string): Promise<void> {
    const { bot, dedupe, stats, timing } = this.deps;
    const log = this.deps.logger.child({ messageId: message.id });
    if (!(await dedupe.claim(dedupeKey.message(message.id), DEDUPE_TTL_MS).catch(() => true))) {
      stats.duplicates++;
      bot.metrics.dedupeHit("discord");
      log.debug({}, "duplicate message ignored");
      return;
    }
    let where: Where | undefined;
    let placeholder: Message | undefined;
    let language: Language = "en";
    const task = this.deps.taskSignal();
    const { signal } = task;
    try {
      const place = await this.placeFor(message, question);
      where = place;
      const stopTyping = keepTyping(place.target, timing.typingIntervalMs, log);
      const stream = new EditStream(
        {
          show: async (partial) => {
            stopTyping();
            placeholder = await this.post(
              place,
              renderProgress(partial) ?? renderThinking(detectLanguage(question)),
            );
            return true;
          },
          edit: async (partial) => {
            const progress = renderProgress(partial);
            if (placeholder && progress) await placeholder.edit(editOptions(progress));
          },
        },
        {
          intervalMs: timing.progressIntervalMs,
          placeholderDelayMs: timing.placeholderDelayMs,
          onError: (error) => log.warn({ err: errorFields(error) }, "progress message failed"),
        },
      );
      let reply: Reply;
      try {
        reply = await replyOrRestartNote(
          bot.handle(
            {
              kind: "question",
              platform: "discord",
              conversationId: place.conversationId,
              userId: message.author.id,
              text: question,
              requestId: message.id,
            },
            { onEvent: stream.onEvent, signal },
          ),
          signal,
          detectLanguage(question),
        );
      } finally {
        stopTyping();
        await stream.close();
      }
      language = reply.language;
      await this.publish(
        place,
        renderReply(reply, renderOptionsFor(reply, place.conversationId)),
        placeholder,
      );
      stats.messagesAnswered++;
    } catch (error) {
      stats.failures++;
      log.error({ err: errorFields(error) }, "answering a mention failed");
      const apology = renderApology(language);
      const sent = placeholder
        ? placeholder.edit(editOptions(apology))
        : this.fallbackPlace(message, where).then((place) => place && this.post(place, apology));
      await sent.catch((e: unknown) => log.warn({ err: errorFields(e) }, "could not send the apology"));
    } finally {
      task.done();
    }
  }

  private async fallbackPlace(message: Message, where: Where | undefined): Promise<Where | undefined> {
    if (where) return where;
    if (!message.channel.isSendable()) return undefined;
    return { target: message.channel, replyTo: message, conversationId: "" };
  }

  /** Guild text channels: a new thread from the message. DMs and threads: a reply in place. */
  private async placeFor(message: Message, question: string): Promise<Where> {
    const channel = message.channel;
    if (!channel.isSendable()) throw new Error(`channel ${channel.id} is not sendable`);
    const place: DiscordPlace = {
      guildId: message.guildId,
      channelId: channel.id,
      threadParentId: channel.isThread() ? channel.parentId : null,
    };
    const threadable =
      channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement;
    if (message.guildId !== null && threadable && !message.hasThread) {
      try {
        const thread = await message.startThread({
          name: threadName(question),
          autoArchiveDuration: ThreadAutoArchiveDuration.OneDay,
        });
        this.rememberThread(thread.id);
        const inThread: DiscordPlace = {
          guildId: message.guildId,
          channelId: thread.id,
          threadParentId: channel.id,
        };
        return { target: thread, replyTo: undefined, conversationId: conversationId(inThread, message.id) };
      } catch (error) {
        // Missing "Create Public Threads" permission and the like: answer in the channel instead.
        this.deps.logger.warn(
          { err: errorFields(error), channelId: channel.id },
          "could not start a thread; replying in the channel",
        );
      }
    }
    return { target: channel, replyTo: message, conversationId: conversationId(place, message.id) };
  }

  private rememberThread(id: string): void {
    this.ownThreads.add(id);
    if (this.ownThreads.size > MAX_REMEMBERED_THREADS) {
      const oldest = this.ownThreads.values().next().value;
      if (oldest !== undefined) this.ownThreads.delete(oldest);
    }
  }

  /** The first message of an answer: a reply to the question where there is one to reply to. */
  private async post(where: Where, message: DiscordMessage): Promise<Message> {
    const options = createOptions(message);
    return where.replyTo
      ? await where.replyTo.reply({ ...options, failIfNotExists: false })
      : await where.target.send(options);
  }

  /** The final reply: the placeholder (when shown) becomes its first message, the rest follow. */
  private async publish(
    where: Where,
    messages: DiscordMessage[],
    placeholder: Message | undefined,
  ): Promise<void> {
    const [first, ...rest] = messages as [DiscordMessage, ...DiscordMessage[]];
    if (placeholder) await placeholder.edit(editOptions(first));
    else await this.post(where, first);
    for (const message of rest) await where.target.send(createOptions(message));
  }
}
