import type { APIModalInteractionResponseCallbackData } from "discord.js";
import type { Bot, CommandSpec, Deduplicator, Language, Logger, Reply } from "../../core/index.js";
import { detectLanguage } from "../../core/index.js";
import { EditStream } from "../shared/edit-stream.js";
import { labelsFor } from "../shared/labels.js";
import { feedbackFor } from "../shared/reply-policy.js";
import { replyOrRestartNote } from "../shared/restart-note.js";
import type { TaskSignal } from "../shared/work-tracker.js";
import { yieldToEventLoop } from "../shared/yield.js";
import { conversationId, DEDUPE_TTL_MS, type DiscordPlace, dedupeKey } from "./conversation.js";
import { parseReasonCustomId, REASON_INPUT_ID, reasonModal } from "./feedback-reason.js";
import { errorFields } from "./log-fields.js";
import {
  clip,
  type DiscordMessage,
  parseFeedbackCustomId,
  renderApology,
  renderNotice,
  renderProgress,
  renderReply,
} from "./render.js";

/** An interaction reduced to what the bot needs; built from discord.js objects or raw HTTP payloads. */
export type IncomingInteraction =
  | {
      kind: "command";
      id: string;
      name: string;
      options: Record<string, string | number | boolean>;
      userId: string;
      place: DiscordPlace;
    }
  | { kind: "autocomplete"; id: string; name: string; focused: { name: string; value: string } }
  | { kind: "button"; id: string; customId: string; messageId: string; userId: string }
  /** A submitted modal: its custom id and the values of its text inputs by custom id. */
  | { kind: "modal"; id: string; customId: string; userId: string; fields: Record<string, string> }
  | { kind: "other"; id: string };

export interface AutocompleteChoice {
  name: string;
  value: string;
}

/**
 * How answers reach Discord. The first call of defer/reply/autocomplete/acknowledge is the
 * interaction's one acknowledgement (within 3 s); edits and follow-ups use the interaction token.
 */
export interface InteractionResponder {
  defer(options: { ephemeral: boolean }): Promise<void>;
  reply(message: DiscordMessage, options: { ephemeral: boolean }): Promise<void>;
  editOriginal(message: DiscordMessage): Promise<void>;
  followUp(message: DiscordMessage, options: { ephemeral: boolean }): Promise<void>;
  autocomplete(choices: AutocompleteChoice[]): Promise<void>;
  /** Acknowledges a component interaction with no visible answer. */
  acknowledge(): Promise<void>;
  /** Answers a component interaction with a modal (e.g. the reason for a 👎). */
  showModal?(modal: APIModalInteractionResponseCallbackData): Promise<void>;
}

/** Timings; tests and benchmarks shorten them. */
export interface DiscordTiming {
  /** Minimum time between edits of a streaming answer. */
  progressIntervalMs: number;
  /** A command not marked slow that takes longer than this is deferred anyway (Discord allows 3 s). */
  fastReplyDeadlineMs: number;
  /** Discord shows "typing…" for about 10 s per request. */
  typingIntervalMs: number;
  /** A mention's answer shows a placeholder message once it takes this long (or starts streaming). */
  placeholderDelayMs: number;
}

export const DEFAULT_TIMING: DiscordTiming = {
  progressIntervalMs: 1000,
  fastReplyDeadlineMs: 2000,
  typingIntervalMs: 8000,
  placeholderDelayMs: 1500,
};

/** Counters for metrics and for tests that must see that something was ignored. */
export interface DiscordStats {
  interactions: number;
  commandsAnswered: number;
  messagesAnswered: number;
  duplicates: number;
  ignoredMessages: number;
  failures: number;
}

export function emptyStats(): DiscordStats {
  return {
    interactions: 0,
    commandsAnswered: 0,
    messagesAnswered: 0,
    duplicates: 0,
    ignoredMessages: 0,
    failures: 0,
  };
}

export interface InteractionDeps {
  bot: Bot;
  dedupe: Deduplicator;
  logger: Logger;
  timing: DiscordTiming;
  stats: DiscordStats;
  /** An abort signal for one answer, aborted when the adapter stops: answers in progress end early. */
  taskSignal: () => TaskSignal;
}

/** The render options of a public reply: feedback buttons on answers, per the shared policy. */
export function renderOptionsFor(reply: Reply, conversation: string): { feedbackFor?: string } {
  const feedback = feedbackFor(reply, conversation);
  return feedback ? { feedbackFor: feedback } : {};
}

/** Resolves with the promise's value, or with `undefined` after `ms` (the promise keeps running). */
async function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Commands, autocomplete and feedback buttons, the same for the gateway and the HTTP endpoint.
 * Never throws: failures end in an apology where Discord still lets the bot answer.
 */
export class InteractionHandler {
  private readonly specs: Map<string, CommandSpec>;

  constructor(private readonly deps: InteractionDeps) {
    this.specs = new Map(deps.bot.commands().map((spec) => [spec.name, spec]));
  }

  async handle(interaction: IncomingInteraction, responder: InteractionResponder): Promise<void> {
    const { dedupe, logger, stats } = this.deps;
    const log = logger.child({ interactionId: interaction.id, kind: interaction.kind });
    try {
      if (!(await dedupe.claim(dedupeKey.interaction(interaction.id), DEDUPE_TTL_MS))) {
        stats.duplicates++;
        this.deps.bot.metrics.dedupeHit("discord");
        log.debug({}, "duplicate interaction ignored");
        return;
      }
    } catch (error) {
      // Without the claim a replay could be answered twice; answering once late beats not at all.
      log.warn({ err: errorFields(error) }, "de-duplication failed; answering anyway");
    }
    stats.interactions++;
    switch (interaction.kind) {
      case "command":
        return this.command(interaction, responder, log);
      case "autocomplete":
        return this.autocomplete(interaction, responder, log);
      case "button":
        return this.button(interaction, responder, log);
      case "modal":
        return this.modal(interaction, responder, log);
      case "other":
        return;
    }
  }

  private async command(
    interaction: Extract<IncomingInteraction, { kind: "command" }>,
    responder: InteractionResponder,
    log: Logger,
  ): Promise<void> {
    const { bot, timing } = this.deps;
    const conversation = conversationId(interaction.place, interaction.id);
    const language: Language = detectLanguage(
      Object.values(interaction.options)
        .filter((v) => typeof v === "string")
        .join(" "),
    );
    const request = {
      kind: "command" as const,
      platform: "discord" as const,
      conversationId: conversation,
      userId: interaction.userId,
      name: interaction.name,
      options: interaction.options,
      requestId: interaction.id,
    };
    let acknowledged = false;
    let deferred = false;
    const task = this.deps.taskSignal();
    const { signal } = task;
    const defer = async (): Promise<void> => {
      await responder.defer({ ephemeral: false });
      acknowledged = true;
      deferred = true;
    };
    try {
      let reply: Reply;
      if (this.specs.get(interaction.name)?.slow) {
        await defer();
        // Deferring is the placeholder ("thinking…"); the answer streams as edits of it.
        const progress = new EditStream(
          {
            show: async () => true,
            edit: async (text) => {
              const message = renderProgress(text);
              if (message) await responder.editOriginal(message);
            },
          },
          {
            intervalMs: timing.progressIntervalMs,
            onError: (error) => log.warn({ err: errorFields(error) }, "progress edit failed"),
          },
        );
        try {
          // Acknowledged: retrieval and answering wait for the acknowledgements queued meanwhile.
          await yieldToEventLoop();
          reply = await replyOrRestartNote(
            bot.handle(request, { onEvent: progress.onEvent, signal }),
            signal,
            language,
          );
        } finally {
          await progress.close();
        }
      } else {
        const handling = replyOrRestartNote(bot.handle(request, { signal }), signal, language);
        const quick = await within(handling, timing.fastReplyDeadlineMs);
        if (quick) reply = quick.value;
        else {
          await defer();
          reply = await handling;
        }
      }
      // After a deferral, rendering is not what Discord waits for: acknowledgements go first.
      if (deferred) await yieldToEventLoop();
      const messages = renderReply(reply, renderOptionsFor(reply, conversation));
      // A deferred response's visibility was fixed when it was deferred; follow-ups match it.
      const ephemeral = !deferred && reply.ephemeral === true;
      const [first, ...rest] = messages as [DiscordMessage, ...DiscordMessage[]];
      if (deferred) await responder.editOriginal(first);
      else await responder.reply(first, { ephemeral });
      acknowledged = true;
      for (const message of rest) await responder.followUp(message, { ephemeral });
      this.deps.stats.commandsAnswered++;
    } catch (error) {
      this.deps.stats.failures++;
      log.error({ err: errorFields(error), command: interaction.name }, "answering a command failed");
      const apology = renderApology(language);
      const sent = acknowledged
        ? responder.editOriginal(apology)
        : responder.reply(apology, { ephemeral: true });
      await sent.catch((e: unknown) => log.warn({ err: errorFields(e) }, "could not send the apology"));
    } finally {
      task.done();
    }
  }

  private async autocomplete(
    interaction: Extract<IncomingInteraction, { kind: "autocomplete" }>,
    responder: InteractionResponder,
    log: Logger,
  ): Promise<void> {
    const option = this.specs.get(interaction.name)?.options.find((o) => o.name === interaction.focused.name);
    // The catalog only: fast, and never the model, so Discord's 3-second window always holds.
    const choices =
      option?.autocomplete === "project"
        ? this.deps.bot
            .suggestProjects(interaction.focused.value, 25)
            .map((p) => ({ name: clip(p.name, 100), value: clip(p.id, 100) }))
        : [];
    await responder
      .autocomplete(choices)
      .catch((error: unknown) => log.warn({ err: errorFields(error) }, "autocomplete answer failed"));
  }

  private async button(
    interaction: Extract<IncomingInteraction, { kind: "button" }>,
    responder: InteractionResponder,
    log: Logger,
  ): Promise<void> {
    const feedback = parseFeedbackCustomId(interaction.customId);
    try {
      if (!feedback) {
        await responder.acknowledge();
        return;
      }
      await this.deps.bot.recordFeedback({
        platform: "discord",
        conversationId: feedback.conversationId,
        userId: interaction.userId,
        messageRef: interaction.messageId,
        value: feedback.value,
        ...(feedback.answerId ? { answerId: feedback.answerId } : {}),
      });
      // A 👎 on a recorded answer asks why (the modal is the answer to the click); anything else thanks.
      if (feedback.value === "down" && feedback.answerId && responder.showModal)
        await responder.showModal(reasonModal(feedback.answerId));
      else await responder.reply(renderNotice(labelsFor("en").thanks), { ephemeral: true });
    } catch (error) {
      log.warn({ err: errorFields(error) }, "acknowledging a button failed");
    }
  }

  private async modal(
    interaction: Extract<IncomingInteraction, { kind: "modal" }>,
    responder: InteractionResponder,
    log: Logger,
  ): Promise<void> {
    const answerId = parseReasonCustomId(interaction.customId);
    try {
      const reason = interaction.fields[REASON_INPUT_ID]?.trim();
      if (answerId && reason)
        await this.deps.bot.explainFeedback({
          platform: "discord",
          userId: interaction.userId,
          answerId,
          reason,
        });
      await responder.reply(renderNotice(labelsFor("en").thanks), { ephemeral: true });
    } catch (error) {
      log.warn({ err: errorFields(error) }, "answering a modal failed");
    }
  }
}
