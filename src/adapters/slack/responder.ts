import {
  completeReply,
  detectLanguage,
  type Language,
  type Logger,
  markdownDraft,
  messages,
  type Reply,
} from "../../core/index.js";
import { EditStream } from "../shared/edit-stream.js";
import { feedbackFor } from "../shared/reply-policy.js";
import { replyOrRestartNote } from "../shared/restart-note.js";
import { yieldToEventLoop } from "../shared/yield.js";
import { renderProgress, renderReply, type SlackMessage } from "./render.js";
import type { SlackCounters } from "./settings.js";
import { type Place, type SlackApi, slackErrorCode } from "./slack-api.js";

/** A response_url takes five POSTs; one is kept in reserve. */
const RESPONSE_URL_POSTS = 4;

/** A slash command as the responder needs it. */
export interface SlashCommand {
  text: string;
  channel: string;
  user: string;
  responseUrl: string;
  /** `/project capi`: shown above a public answer so the channel sees what was asked. */
  preface: string;
}

export interface ResponderTiming {
  progressIntervalMs: number;
  placeholderDelayMs: number;
}

/**
 * How answers reach Slack: the placeholder while an answer is slow, its throttled edits, the
 * final reply (split over several messages when long), ephemeral replies, and the response_url
 * fallbacks where the bot cannot post.
 */
export class SlackResponder {
  /** Placeholders showing "Thinking…" whose answer is not published yet, for the restart note. */
  private readonly open = new Map<string, { channel: string; language: Language }>();

  constructor(
    private readonly api: SlackApi,
    private readonly log: Logger,
    private readonly counters: SlackCounters,
    private readonly timing: ResponderTiming,
  ) {}

  /**
   * Answers a mention, DM or follow-up: `answer` runs with an event follower that shows a
   * placeholder once the answer is slow and edits it as the answer streams.
   */
  async answerMessage(
    place: Place,
    user: string,
    conversationId: string,
    language: Language,
    answer: (onEvent: EditStream["onEvent"]) => Promise<Reply>,
    signal: AbortSignal,
  ): Promise<void> {
    let placeholderTs: string | undefined;
    const stream = new EditStream(
      {
        show: async (partial) => {
          placeholderTs = await this.api.post(place, renderProgress(partial, language));
          this.open.set(placeholderTs, { channel: place.channel, language });
          return true;
        },
        edit: async (partial) => {
          if (placeholderTs)
            await this.api.update(place.channel, placeholderTs, renderProgress(partial, language), true);
        },
      },
      {
        intervalMs: this.timing.progressIntervalMs,
        placeholderDelayMs: this.timing.placeholderDelayMs,
        spaceFromPlaceholder: true,
        onError: (error) =>
          this.log.warn({ err: error, slackError: slackErrorCode(error) }, "could not show progress"),
      },
    );
    let reply: Reply;
    try {
      await yieldToEventLoop();
      reply = await replyOrRestartNote(answer(stream.onEvent), signal, language);
    } finally {
      await stream.close();
    }
    if (placeholderTs) this.open.delete(placeholderTs);
    await yieldToEventLoop();
    // Cut by shutdown, the reply is the best one ready (the extractive answer): it still replaces
    // the placeholder, since the event was acked and Slack will not send it again.
    if (signal.aborted) this.log.info({}, "answer cut by shutdown: posting the best one ready");
    if (reply.ephemeral) {
      if (placeholderTs) await this.api.delete(place.channel, placeholderTs);
      for (const message of renderReply(reply)) await this.api.postEphemeral(place, user, message);
      return;
    }
    const feedback = feedbackFor(reply, conversationId);
    await this.publish(place, renderReply(reply, feedback ? { feedbackFor: feedback } : {}), placeholderTs);
    this.counters.answers++;
  }

  /** The placeholder a slow command posts at once: its ts roots the answer's thread. */
  async commandPlaceholder(channel: string, language: Language): Promise<string | undefined> {
    try {
      return await this.api.post({ channel }, renderProgress("", language));
    } catch (error) {
      this.log.info(
        { slackError: slackErrorCode(error) },
        "cannot post in this channel; answering through the response_url",
      );
      return undefined;
    }
  }

  /** Answers a slash command, in its placeholder when there is one, else through the response_url. */
  async answerCommand(
    command: SlashCommand,
    placeholderTs: string | undefined,
    conversationId: string,
    answer: (onEvent?: EditStream["onEvent"]) => Promise<Reply>,
    signal: AbortSignal,
  ): Promise<void> {
    const language = detectLanguage(command.text);
    const { channel } = command;
    const stream = placeholderTs
      ? new EditStream(
          {
            show: async () => true,
            edit: async (partial) => {
              await this.api.update(channel, placeholderTs, renderProgress(partial, language), true);
            },
          },
          // The placeholder was just posted: the first edit comes an interval after it.
          { intervalMs: this.timing.progressIntervalMs, spaceFromPlaceholder: true },
        )
      : undefined;
    if (placeholderTs) this.open.set(placeholderTs, { channel, language });
    let reply: Reply;
    try {
      await yieldToEventLoop();
      reply = await replyOrRestartNote(answer(stream?.onEvent), signal, language);
    } finally {
      await stream?.close();
    }
    if (placeholderTs) this.open.delete(placeholderTs);
    await yieldToEventLoop();
    if (signal.aborted) this.log.info({}, "command cut by shutdown: posting the best answer ready");

    if (reply.ephemeral) {
      if (placeholderTs) await this.api.delete(channel, placeholderTs);
      const messages = renderReply(reply);
      if (messages.length > RESPONSE_URL_POSTS + 1) {
        this.log.warn({ messages: messages.length }, "ephemeral reply longer than a response_url takes");
      }
      for (const message of messages.slice(0, RESPONSE_URL_POSTS + 1)) {
        await this.api.respond(command.responseUrl, { response_type: "ephemeral", ...message });
      }
      return;
    }
    const feedback = feedbackFor(reply, conversationId);
    const messages = renderReply(reply, {
      preface: command.preface,
      ...(feedback ? { feedbackFor: feedback } : {}),
    });
    if (placeholderTs || messages.length > 1) {
      try {
        await this.publish({ channel }, messages, placeholderTs);
        this.counters.answers++;
        return;
      } catch (error) {
        if (placeholderTs) throw error;
        this.log.info(
          { slackError: slackErrorCode(error) },
          "cannot post in this channel; using the response_url",
        );
      }
    }
    // Without a placeholder the response_url answers: it works where the bot is not a member.
    for (const message of messages.slice(0, RESPONSE_URL_POSTS)) {
      await this.api.respond(command.responseUrl, { response_type: "in_channel", ...message });
    }
    if (messages.length > RESPONSE_URL_POSTS) {
      this.log.warn(
        { messages: messages.length },
        "answer longer than a response_url takes; the rest was not sent",
      );
    }
    this.counters.answers++;
  }

  /**
   * At the end of shutdown, replaces every placeholder whose answer never came with a short
   * "restarting, please ask again": the event was acked and Slack will not send it again.
   */
  async leaveRestartNotes(): Promise<number> {
    const left = [...this.open];
    this.open.clear();
    await Promise.allSettled(
      left.map(([ts, { channel, language }]) => {
        const note = completeReply(markdownDraft(messages.restarting[language], { language }), language);
        return this.api.update(channel, ts, renderReply(note)[0] as SlackMessage);
      }),
    );
    return left.length;
  }

  /** Posts messages in order, the first replacing the placeholder when there is one. */
  private async publish(target: Place, messages: SlackMessage[], placeholderTs?: string): Promise<void> {
    let place = target;
    let firstTs = placeholderTs;
    let rest = messages;
    if (placeholderTs && messages[0]) {
      try {
        await this.api.update(place.channel, placeholderTs, messages[0]);
        rest = messages.slice(1);
      } catch (error) {
        // Someone deleted the placeholder: post the whole answer instead.
        this.log.warn({ err: error, slackError: slackErrorCode(error) }, "could not replace the placeholder");
        firstTs = undefined;
      }
    }
    for (const message of rest) {
      const ts = await this.api.post(place, message);
      firstTs ??= ts;
      // A long answer's further messages follow in the first one's thread.
      if (!place.threadTs) place = { channel: place.channel, threadTs: firstTs };
    }
  }
}
