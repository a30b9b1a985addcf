import type { App } from "@slack/bolt";
import {
  type AnsweredThreads,
  type Bot,
  type CommandSpec,
  type Deduplicator,
  detectLanguage,
  type Logger,
} from "../../core/index.js";
import { labelsFor } from "../shared/labels.js";
import { parseFeedbackTarget } from "../shared/reply-policy.js";
import type { WorkTracker } from "../shared/work-tracker.js";
import { REASON_CALLBACK_ID, readReason, reasonModal } from "./feedback-reason.js";
import { slackCommandName, UMBRELLA_COMMAND } from "./manifest.js";
import { FEEDBACK_ACTIONS } from "./render.js";
import type { SlackResponder } from "./responder.js";
import { type Identity, type SlackCounters, threadKey } from "./settings.js";
import { describeError, type Place, type SlackApi, slackErrorCode } from "./slack-api.js";
import { routeUmbrella } from "./umbrella.js";

interface IncomingMessage {
  team: string;
  channel: string;
  user: string;
  ts: string;
  threadTs: string | undefined;
  text: string;
  eventId: string;
  /** Reply in the message's thread (channels) or inline (a DM outside a thread). */
  replyInThread: boolean;
}

/** The fields of a slash command's payload the handler reads. */
interface SlashCommandBody {
  command: string;
  text: string;
  trigger_id: string;
  team_id: string;
  channel_id: string;
  user_id: string;
  response_url: string;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * Slack message text as a question: the bot's mention removed, other mentions and links as
 * readable text, entities decoded (Slack escapes &, < and > in what it sends).
 */
export function questionFromSlack(text: string, botUserId: string): string {
  return text
    .replace(new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, "g"), " ")
    .replace(/<@([UW][A-Z0-9_]+)(?:\|([^>]*))?>/g, (_m, id: string, name?: string) => `@${name ?? id}`)
    .replace(/<#C[A-Z0-9]+\|([^>]*)>/g, "#$1")
    .replace(/<!(\w+)(?:\|[^>]*)?>/g, "@$1")
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]*)>/g, "$2 ($1)")
    .replace(/<((?:https?|mailto):[^>]+)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

export interface SlackHandlerDeps {
  bot: Bot;
  api: SlackApi;
  responder: SlackResponder;
  identity: Identity;
  commandPrefix: string;
  dedupe: Deduplicator;
  threads: AnsweredThreads;
  dedupeTtlMs: number;
  threadTtlMs: number;
  counters: SlackCounters;
  work: WorkTracker;
  log: Logger;
}

/**
 * Slack events in, bot requests out: one listener per slash command, mentions, DMs and
 * follow-ups in answered threads, feedback buttons. De-duplicates redeliveries; the responder
 * shows the answers.
 */
export class SlackEventHandler {
  constructor(private readonly deps: SlackHandlerDeps) {}

  register(app: App, commands: CommandSpec[]): void {
    const { counters, identity } = this.deps;
    // One listener for every slash command, looked up by name: Bolt runs each event through every
    // listener's middleware chain, so a listener per command would multiply the cost of each ack.
    const bySlash = new Map<string, (command: SlashCommandBody) => void>();
    for (const spec of commands) {
      const slash = `/${slackCommandName(spec.name, this.deps.commandPrefix)}`;
      bySlash.set(slash, (command) => this.track((signal) => this.runCommand(spec, slash, command, signal)));
    }
    // The umbrella command (`/spotlight project kubevirt`) is always heard, whichever manifest
    // style the app was created from.
    const umbrella = `/${slackCommandName(UMBRELLA_COMMAND, this.deps.commandPrefix)}`;
    if (!bySlash.has(umbrella)) {
      bySlash.set(umbrella, (command) => {
        const routed = routeUmbrella(commands, command.text);
        if (!routed) return;
        this.track((signal) =>
          this.runCommand(routed.spec, umbrella, { ...command, text: routed.text }, signal),
        );
      });
    }
    const names = [...bySlash.keys()].map((slash) => slash.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    app.command(new RegExp(`^(?:${names.join("|")})$`), async ({ ack, command }) => {
      // Slack gives 3 seconds; everything else happens after the ack.
      await ack();
      bySlash.get(command.command)?.(command);
    });

    app.event("app_mention", async ({ event, body }) => {
      const e = event as unknown as Record<string, unknown>;
      const user = str(e.user);
      if (str(e.bot_id) || !user || user === identity.botUserId) {
        counters.ignored++;
        return;
      }
      const ts = str(e.ts);
      const channel = str(e.channel);
      if (!ts || !channel) return;
      const message: IncomingMessage = {
        team: str(body.team_id) ?? "T",
        channel,
        user,
        ts,
        threadTs: str(e.thread_ts),
        text: str(e.text) ?? "",
        eventId: str(body.event_id) ?? `${channel}:${ts}`,
        replyInThread: true,
      };
      this.track((signal) => this.answerMessage(message, signal));
    });

    app.event("message", async ({ event, body }) => {
      const e = event as unknown as Record<string, unknown>;
      const message = await this.followUp(e, str(body.team_id) ?? "T");
      if (!message) {
        counters.ignored++;
        return;
      }
      const eventId = str(body.event_id) ?? `${message.channel}:${message.ts}`;
      this.track((signal) => this.answerMessage({ ...message, eventId }, signal));
    });

    app.action(
      { action_id: new RegExp(`^(${FEEDBACK_ACTIONS.up}|${FEEDBACK_ACTIONS.down})$`) },
      async (args) => {
        await args.ack();
        const { action, body } = args;
        if (body.type !== "block_actions" || action.type !== "button" || !("action_id" in action)) return;
        const value = action.action_id === FEEDBACK_ACTIONS.up ? "up" : "down";
        const { conversationId, answerId } = parseFeedbackTarget(action.value ?? "");
        if (!conversationId.startsWith("slack:")) return;
        const language = detectLanguage(JSON.stringify(body.message?.text ?? ""));
        // A 👎 on a recorded answer asks why, in a modal; the trigger id lives 3 seconds, so first.
        if (value === "down" && answerId && body.trigger_id) {
          const view = reasonModal(answerId, language);
          await this.deps.api
            .openView(body.trigger_id, view)
            .catch((error: unknown) => this.deps.log.warn({ err: error }, "could not ask for a reason"));
        }
        const channel = body.channel?.id ?? body.container?.channel_id ?? "";
        const messageTs = body.container?.message_ts ?? body.message?.ts ?? "";
        await this.deps.bot.recordFeedback({
          platform: "slack",
          conversationId,
          userId: body.user.id,
          messageRef: `${channel}:${messageTs}`,
          value,
          ...(answerId ? { answerId } : {}),
        });
        if (value === "up") counters.feedbackUp++;
        else counters.feedbackDown++;
        const responseUrl = body.response_url;
        if (responseUrl) {
          this.track(async () => {
            await this.deps.api.respond(responseUrl, {
              response_type: "ephemeral",
              replace_original: false,
              text: labelsFor(language).thanks,
            });
          });
        }
      },
    );

    app.view(REASON_CALLBACK_ID, async ({ ack, body, view }) => {
      await ack();
      const submitted = readReason(view);
      if (submitted)
        await this.deps.bot.explainFeedback({ platform: "slack", userId: body.user.id, ...submitted });
    });

    app.error(async (error) => {
      counters.failures++;
      this.deps.log.error({ err: error }, "Bolt listener failed");
    });
  }

  /** A message event worth answering: a DM, or a follow-up in a thread the bot answered in. */
  private async followUp(
    e: Record<string, unknown>,
    team: string,
  ): Promise<Omit<IncomingMessage, "eventId"> | undefined> {
    const subtype = str(e.subtype);
    // Edits, deletions, joins and bot posts are not questions; a reply also sent to the channel is.
    if (subtype && subtype !== "thread_broadcast") return undefined;
    const user = str(e.user);
    const botUserId = this.deps.identity.botUserId;
    if (str(e.bot_id) || !user || user === botUserId) return undefined;
    const channel = str(e.channel);
    const ts = str(e.ts);
    if (!channel || !ts) return undefined;
    const threadTs = str(e.thread_ts);
    const text = str(e.text) ?? "";
    if (str(e.channel_type) === "im") {
      return { team, channel, user, ts, threadTs, text, replyInThread: threadTs !== undefined };
    }
    if (!threadTs || !(await this.deps.threads.has(threadKey(team, channel, threadTs)))) return undefined;
    // People talking to each other in the thread ("@bob what do you think?") are not asking the bot.
    const mentions = [...text.matchAll(/<@([UW][A-Z0-9_]+)/g)].map((m) => m[1]);
    if (mentions.length > 0 && !mentions.includes(botUserId)) return undefined;
    return { team, channel, user, ts, threadTs, text, replyInThread: true };
  }

  private track(work: (signal: AbortSignal) => Promise<void>): void {
    this.deps.work.run(work, (error) => {
      this.deps.counters.failures++;
      this.deps.log.error(
        { err: error, slackError: slackErrorCode(error), cause: describeError(error) },
        "Slack request failed",
      );
    });
  }

  /** Atomically claims each key; any already claimed means this delivery is a repeat. */
  private async claimAll(keys: string[]): Promise<boolean> {
    for (const key of keys) {
      if (!(await this.deps.dedupe.claim(key, this.deps.dedupeTtlMs))) {
        this.deps.counters.duplicates++;
        this.deps.bot.metrics.dedupeHit("slack");
        this.deps.log.debug({ key }, "duplicate Slack delivery ignored");
        return false;
      }
    }
    return true;
  }

  private async answerMessage(m: IncomingMessage, signal: AbortSignal): Promise<void> {
    // The event id catches redelivery of one event; the message key catches app_mention and
    // message arriving for the same ts.
    if (!(await this.claimAll([`slack:event:${m.eventId}`, `slack:msg:${m.channel}:${m.ts}`]))) return;
    this.deps.counters.questions++;
    const root = m.threadTs ?? m.ts;
    const conversationId = `slack:${m.team}:${m.channel}:${root}`;
    const place: Place = m.replyInThread ? { channel: m.channel, threadTs: root } : { channel: m.channel };
    if (m.replyInThread) {
      await this.deps.threads.remember(threadKey(m.team, m.channel, root), this.deps.threadTtlMs);
    }
    const text = questionFromSlack(m.text, this.deps.identity.botUserId);
    await this.deps.responder.answerMessage(
      place,
      m.user,
      conversationId,
      detectLanguage(text),
      (onEvent) =>
        this.deps.bot.handle(
          {
            kind: "question",
            platform: "slack",
            conversationId,
            channelId: `slack:${m.team}:${m.channel}`,
            userId: m.user,
            text,
            requestId: m.eventId,
          },
          { onEvent, signal },
        ),
      signal,
    );
  }

  private async runCommand(
    spec: CommandSpec,
    slash: string,
    command: SlashCommandBody,
    signal: AbortSignal,
  ): Promise<void> {
    // Socket Mode redelivers an envelope whose ack was lost; the trigger id is unique per invocation.
    if (!(await this.claimAll([`slack:cmd:${command.trigger_id}`]))) return;
    this.deps.counters.commands++;
    const channel = command.channel_id;
    // A slow command's placeholder shows progress, and its ts roots the answer's thread, so
    // follow-ups there are answered with this conversation's memory.
    const placeholderTs = spec.slow
      ? await this.deps.responder.commandPlaceholder(channel, detectLanguage(command.text))
      : undefined;
    const conversationId = `slack:${command.team_id}:${channel}:${placeholderTs ?? command.trigger_id}`;
    if (placeholderTs) {
      await this.deps.threads.remember(
        threadKey(command.team_id, channel, placeholderTs),
        this.deps.threadTtlMs,
      );
    }
    await this.deps.responder.answerCommand(
      {
        text: command.text,
        channel,
        user: command.user_id,
        responseUrl: command.response_url,
        preface: `${slash} ${command.text}`.trim(),
      },
      placeholderTs,
      conversationId,
      (onEvent) =>
        this.deps.bot.handle(
          {
            kind: "command",
            platform: "slack",
            conversationId,
            channelId: `slack:${command.team_id}:${channel}`,
            userId: command.user_id,
            name: spec.name,
            text: command.text,
            requestId: command.trigger_id,
          },
          { ...(onEvent ? { onEvent } : {}), signal },
        ),
      signal,
    );
  }
}
