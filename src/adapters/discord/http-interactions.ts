import { createPublicKey, type KeyObject, verify } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type APIInteractionResponse,
  type APIModalInteractionResponseCallbackData,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  REST,
  type RESTOptions,
  Routes,
} from "discord.js";
import { z } from "zod";
import type { Logger } from "../../core/index.js";
import { type HttpRoutes, readBody, sendJson } from "../shared/http.js";
import { isNetworkFailure, withRetry } from "../shared/retry.js";
import type { DiscordPlace } from "./conversation.js";
import { ed25519KeyProblem } from "./ed25519-key.js";
import type { IncomingInteraction, InteractionHandler, InteractionResponder } from "./interaction-flow.js";
import type { DiscordMessage } from "./render.js";

/** Where Discord posts interactions when the application's Interactions Endpoint URL points here. */
export const INTERACTIONS_PATH = "/discord/interactions";
/** Requests signed longer ago (or further ahead) than this are replays or clock trouble: refused. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
/** Waits before retrying a webhook edit or follow-up that failed on the network. */
const WEBHOOK_RETRY = { delaysMs: [250, 1_000, 3_000] } as const;
/** Discord's "Unknown Webhook": the interaction token has no acknowledged interaction behind it (yet). */
const UNKNOWN_WEBHOOK = 10015;

function isUnknownWebhook(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === UNKNOWN_WEBHOOK;
}
/** Interactions are small; anything bigger is not Discord. */
const MAX_BODY_BYTES = 256 * 1024;
const THREAD_TYPES = new Set([10, 11, 12]);

// An Ed25519 public key in SubjectPublicKeyInfo DER form is this fixed prefix plus the 32 raw bytes.
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** The application's public key (64 hex characters, from the developer portal) as a KeyObject. */
export function discordPublicKey(hex: string): KeyObject {
  const problem = ed25519KeyProblem(hex);
  if (problem) throw new Error(`the Discord public key ${problem}`);
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, "hex")]),
    format: "der",
    type: "spki",
  });
}

export interface SignedRequest {
  /** `X-Signature-Ed25519`: hex. */
  signature: string | undefined;
  /** `X-Signature-Timestamp`: unix seconds, as sent. */
  timestamp: string | undefined;
  /** The raw body, byte for byte: re-serialised JSON would not verify. */
  body: Buffer;
}

/** Whether Discord signed this request (Ed25519 over timestamp + body) within the allowed clock skew. */
export function verifyInteractionRequest(key: KeyObject, request: SignedRequest, nowMs: number): boolean {
  const { signature, timestamp, body } = request;
  if (!signature || !timestamp || !/^[0-9a-f]{128}$/i.test(signature) || !/^\d{1,12}$/.test(timestamp)) {
    return false;
  }
  // Whole seconds, as Discord sends them: exactly five minutes off is still in time.
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) return false;
  try {
    return verify(
      null,
      Buffer.concat([Buffer.from(timestamp, "utf8"), body]),
      key,
      Buffer.from(signature, "hex"),
    );
  } catch {
    return false;
  }
}

const userSchema = z.object({ id: z.string() });
const optionSchema = z.object({
  name: z.string(),
  type: z.number(),
  value: z.union([z.string(), z.number(), z.boolean()]).optional(),
  focused: z.boolean().optional(),
});
/** The fields of an interaction the bot reads; Discord signed it, but shapes are still checked. */
const interactionSchema = z.object({
  id: z.string(),
  token: z.string(),
  type: z.number(),
  guild_id: z.string().optional(),
  channel_id: z.string().optional(),
  channel: z.object({ id: z.string(), type: z.number(), parent_id: z.string().nullish() }).optional(),
  member: z.object({ user: userSchema }).optional(),
  user: userSchema.optional(),
  data: z
    .object({
      name: z.string().optional(),
      type: z.number().optional(),
      options: z.array(optionSchema).optional(),
      custom_id: z.string().optional(),
      component_type: z.number().optional(),
      /** A submitted modal's rows of text inputs. */
      components: z
        .array(
          z.object({
            components: z.array(z.object({ custom_id: z.string(), value: z.string().optional() })).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  message: z.object({ id: z.string() }).optional(),
});
type RawInteraction = z.infer<typeof interactionSchema>;

/** A raw interaction payload → the handler's neutral form. */
export function fromApi(raw: RawInteraction): IncomingInteraction {
  const userId = raw.member?.user.id ?? raw.user?.id ?? "";
  const channelId = raw.channel?.id ?? raw.channel_id ?? "";
  const place: DiscordPlace = {
    guildId: raw.guild_id ?? null,
    channelId,
    threadParentId:
      raw.channel && THREAD_TYPES.has(raw.channel.type) ? (raw.channel.parent_id ?? null) : null,
  };
  const options = raw.data?.options ?? [];
  if (raw.type === InteractionType.ApplicationCommand && (raw.data?.type ?? 1) === 1 && raw.data?.name) {
    const values: Record<string, string | number | boolean> = {};
    for (const option of options) if (option.value !== undefined) values[option.name] = option.value;
    return { kind: "command", id: raw.id, name: raw.data.name, options: values, userId, place };
  }
  if (raw.type === InteractionType.ApplicationCommandAutocomplete && raw.data?.name) {
    const focused = options.find((o) => o.focused) ?? { name: "", value: "" };
    return {
      kind: "autocomplete",
      id: raw.id,
      name: raw.data.name,
      focused: { name: focused.name, value: String(focused.value ?? "") },
    };
  }
  if (raw.type === InteractionType.MessageComponent && raw.data?.custom_id && raw.message) {
    return { kind: "button", id: raw.id, customId: raw.data.custom_id, messageId: raw.message.id, userId };
  }
  if (raw.type === InteractionType.ModalSubmit && raw.data?.custom_id) {
    const fields: Record<string, string> = {};
    for (const row of raw.data.components ?? [])
      for (const input of row.components ?? [])
        if (input.value !== undefined) fields[input.custom_id] = input.value;
    return { kind: "modal", id: raw.id, customId: raw.data.custom_id, userId, fields };
  }
  return { kind: "other", id: raw.id };
}

function apiMessage(message: DiscordMessage, ephemeral: boolean) {
  const flags =
    (message.suppressEmbeds ? MessageFlags.SuppressEmbeds : 0) | (ephemeral ? MessageFlags.Ephemeral : 0);
  return {
    ...(message.content ? { content: message.content } : {}),
    embeds: message.embeds,
    components: message.components,
    allowed_mentions: { parse: [] },
    ...(flags ? { flags } : {}),
  };
}

/** The HTTP side of an interaction: the first answer is the HTTP response, later ones use the token. */
class HttpResponder implements InteractionResponder {
  private answered = false;
  /**
   * Whether Discord has shown it applied the acknowledgement (a webhook call succeeded). Our response
   * being sent is not that: Discord applies it on its side, and an answer ready at once can reach the
   * webhook routes first and be refused as an unknown webhook. Until then that refusal is retried.
   */
  private applied = false;

  constructor(
    private readonly rest: REST,
    private readonly applicationId: string,
    private readonly token: string,
    private readonly respond: (body: APIInteractionResponse) => Promise<void>,
  ) {}

  private async initial(body: APIInteractionResponse): Promise<void> {
    if (this.answered) throw new Error("the interaction was already acknowledged");
    this.answered = true;
    await this.respond(body);
  }

  defer({ ephemeral }: { ephemeral: boolean }): Promise<void> {
    return this.initial({
      type: InteractionResponseType.DeferredChannelMessageWithSource,
      ...(ephemeral ? { data: { flags: MessageFlags.Ephemeral } } : {}),
    });
  }

  reply(message: DiscordMessage, { ephemeral }: { ephemeral: boolean }): Promise<void> {
    return this.initial({
      type: InteractionResponseType.ChannelMessageWithSource,
      data: apiMessage(message, ephemeral),
    });
  }

  autocomplete(choices: { name: string; value: string }[]): Promise<void> {
    return this.initial({
      type: InteractionResponseType.ApplicationCommandAutocompleteResult,
      data: { choices },
    });
  }

  showModal(modal: APIModalInteractionResponseCallbackData): Promise<void> {
    return this.initial({ type: InteractionResponseType.Modal, data: modal });
  }

  acknowledge(): Promise<void> {
    return this.initial({ type: InteractionResponseType.DeferredMessageUpdate });
  }

  async editOriginal(message: DiscordMessage): Promise<void> {
    // Content and flags always explicit: an edit replaces progress text and may clear SUPPRESS_EMBEDS.
    const body = {
      ...apiMessage(message, false),
      content: message.content,
      flags: message.suppressEmbeds ? MessageFlags.SuppressEmbeds : 0,
    };
    await this.webhookCall(() =>
      this.rest.patch(Routes.webhookMessage(this.applicationId, this.token, "@original"), {
        body,
        auth: false,
      }),
    );
  }

  async followUp(message: DiscordMessage, { ephemeral }: { ephemeral: boolean }): Promise<void> {
    // discord.js retries 5xx and honours 429; a connection lost under load is retried here, within
    // the interaction token's 15 minutes.
    await this.webhookCall(() =>
      this.rest.post(Routes.webhook(this.applicationId, this.token), {
        body: apiMessage(message, ephemeral),
        auth: false,
      }),
    );
  }

  private async webhookCall(call: () => Promise<unknown>): Promise<void> {
    await withRetry(call, {
      ...WEBHOOK_RETRY,
      transient: (error) => isNetworkFailure(error) || (!this.applied && isUnknownWebhook(error)),
    });
    this.applied = true;
  }
}

export interface InteractionsEndpointOptions {
  publicKey: string;
  applicationId: string;
  /** A REST proxy (DISCORD_API_URL) for edits and follow-ups. */
  apiUrl?: string;
  interactions: InteractionHandler;
  logger: Logger;
  track: (work: Promise<void>) => void;
  rest?: Partial<RESTOptions>;
  now?: () => number;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Mounts POST /discord/interactions on the shared server: Ed25519-verified over the raw body, PING
 * answered, everything else through the same handler as the gateway. Returns a function that makes
 * the endpoint refuse new work (503) while the process stops.
 */
export function mountInteractionsEndpoint(
  http: HttpRoutes,
  options: InteractionsEndpointOptions,
): () => void {
  const key = discordPublicKey(options.publicKey);
  const now = options.now ?? Date.now;
  const rest = new REST({ ...(options.apiUrl ? { api: options.apiUrl } : {}), ...options.rest });
  const log = options.logger.child({ endpoint: INTERACTIONS_PATH });
  let open = true;

  http.route("POST", INTERACTIONS_PATH, async (req: IncomingMessage, res: ServerResponse) => {
    if (!open) return sendJson(res, 503, { error: "shutting down" });
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch {
      return sendJson(res, 413, { error: "request body too large" });
    }
    const signed = {
      signature: header(req, "x-signature-ed25519"),
      timestamp: header(req, "x-signature-timestamp"),
      body,
    };
    if (!verifyInteractionRequest(key, signed, now())) {
      log.debug({}, "interaction with a bad signature or timestamp refused");
      return sendJson(res, 401, { error: "invalid request signature" });
    }
    let raw: RawInteraction;
    try {
      raw = interactionSchema.parse(JSON.parse(body.toString("utf8")));
    } catch {
      return sendJson(res, 400, { error: "not an interaction" });
    }
    if (raw.type === InteractionType.Ping) return sendJson(res, 200, { type: InteractionResponseType.Pong });

    // The handler's first answer becomes this response; it resumes once the response is out, so an
    // edit can never reach Discord before the acknowledgement it edits.
    const responder = new HttpResponder(
      rest,
      options.applicationId,
      raw.token,
      (response) =>
        new Promise<void>((resolve) => {
          res.once("finish", resolve);
          sendJson(res, 200, response);
        }),
    );
    const work = options.interactions.handle(fromApi(raw), responder);
    options.track(work);
    const answered = new Promise<void>((resolve) => res.once("finish", resolve));
    await Promise.race([answered, work]);
    // A duplicate, or an interaction the bot does not handle: nothing to say.
    if (!res.headersSent) {
      res.writeHead(204);
      res.end();
    }
  });
  return () => {
    open = false;
  };
}
