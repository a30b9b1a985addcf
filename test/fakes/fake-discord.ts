/**
 * A fake Discord (REST API + gateway WebSocket) for end-to-end tests that drive the real discord.js client.
 *
 * Point discord.js at it with:
 *   new Client({ intents, rest: { api: fake.restUrl, retries: 0 } })
 * and `client.login(FAKE_TOKEN)`. discord.js asks `GET /gateway/bot` for the gateway URL, so the gateway needs
 * no extra configuration. REST and gateway share one HTTP server on 127.0.0.1 (random port).
 *
 * The fake is deliberately strict where real Discord is strict (message limits, the 3-second interaction ack
 * window, double acks, the MESSAGE_CONTENT intent, intent-gated events), so adapter bugs surface in tests
 * instead of in production.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  APIApplicationCommandAutocompleteInteraction,
  APIApplicationCommandInteractionDataOption,
  APIAttachment,
  APIAuthorizingIntegrationOwnersMap,
  APIChatInputApplicationCommandInteraction,
  APIDMChannel,
  APIEmbed,
  APIGuildMember,
  APIGuildTextChannel,
  APIInteractionGuildMember,
  APIMessage,
  APIMessageComponentButtonInteraction,
  APIMessageTopLevelComponent,
  APIThreadChannel,
  APIUser,
  ApplicationFlags,
  ChannelFlags,
  ChannelType,
  GatewayMessageCreateDispatchData,
  GatewayReadyDispatchData,
  GuildMemberFlags,
  InteractionType,
  Locale,
  MessageFlags,
  ThreadMemberFlags,
} from "discord.js";
import { type RawData, WebSocket, WebSocketServer } from "ws";

// ---------------------------------------------------------------------------------------------------------
// Constants: ids are valid snowflakes so discord.js can derive creation timestamps from them.
// ---------------------------------------------------------------------------------------------------------

export const FAKE_TOKEN = "test-token";
export const BOT_USER_ID = "1180000000000000001";
/** Deliberately different from BOT_USER_ID so adapters that confuse the two fail loudly. */
export const APP_ID = "1180000000000000002";
export const GUILD_ID = "1180000000000000010";
export const TEXT_CHANNEL_ID = "1180000000000000020";
/** A public thread under TEXT_CHANNEL_ID that exists from the start (sent in GUILD_CREATE). */
export const THREAD_CHANNEL_ID = "1180000000000000021";
/** The DM channel between the bot and HUMAN_USER. */
export const DM_CHANNEL_ID = "1180000000000000030";
export const HUMAN_USER_ID = "1180000000000000100";

/** Gateway intent bits the fake understands (same values as discord.js GatewayIntentBits). */
export const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  GuildMessageReactions: 1 << 10,
  GuildMessageTyping: 1 << 11,
  DirectMessages: 1 << 12,
  DirectMessageReactions: 1 << 13,
  DirectMessageTyping: 1 << 14,
  MessageContent: 1 << 15,
} as const;
const PRIVILEGED_INTENTS = Intent.GuildMembers | Intent.GuildPresences | Intent.MessageContent;
/** Every intent bit Discord defines today (0..25); anything above is rejected with close code 4013. */
const ALL_INTENTS = (1 << 26) - 1;

const MessageFlag = {
  SuppressEmbeds: 1 << 2,
  SuppressNotifications: 1 << 12,
  HasThread: 1 << 5,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  ComponentsV2: 1 << 15,
};

/** Discord's permission bits are > 2^32, so they are built with BigInt and sent as decimal strings. */
const DEFAULT_PERMISSIONS = [6n, 10n, 11n, 14n, 15n, 16n, 18n, 31n, 35n, 38n]
  .reduce((acc, bit) => acc | (1n << bit), 0n)
  .toString();
const DISCORD_EPOCH = 1_420_070_400_000n;
const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

// discord-api-types models flag fields as enums with no 0 member; this keeps "no flags" type-safe without casts
// sprinkled around.
function flags<T extends number>(n: number): T {
  return n as T;
}
const EN_US = "en-US" as Locale;

// ---------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------

export type UserInput = Pick<APIUser, "id" | "username"> & Partial<APIUser>;
export type FakeTextChannel = APIGuildTextChannel<ChannelType.GuildText>;
export type FakeChannel = FakeTextChannel | APIThreadChannel | APIDMChannel;

export interface FakeGuild {
  id: string;
  name: string;
  channels: FakeTextChannel[];
  threads: APIThreadChannel[];
  /** Members besides the bot, which is always a member. */
  members: APIUser[];
}

export interface FakeDiscordOptions {
  /** Token the bot must use (REST `Authorization: Bot <token>` and IDENTIFY). null disables the checks. */
  token?: string | null;
  /** Sent in HELLO. discord.js heartbeats at a random point in the first interval, then every interval. */
  heartbeatIntervalMs?: number;
  guilds?: FakeGuild[];
  /** Privileged intents the "developer portal" allows; requesting others closes with 4014. Default: all. */
  allowedPrivilegedIntents?: number;
  /** Blank content/embeds/attachments/components of guild messages without MESSAGE_CONTENT (like Discord). */
  enforceMessageContentIntent?: boolean;
  /** Send MESSAGE_CREATE/UPDATE/DELETE over the gateway for the bot's own messages (like Discord). */
  echoBotMessages?: boolean;
  /** Interaction callbacks later than this after delivery get 404 Unknown interaction (Discord: 3 s). */
  interactionAckTimeoutMs?: number;
  /** Delay before every REST response, to make ordering/timeout bugs visible. */
  latencyMs?: number;
  /** Receives one line per REST call and gateway frame; handy when a test hangs. */
  log?: (line: string) => void;
}

export interface RecordedFile {
  field: string;
  filename: string;
  size: number;
  contentType: string;
  data: Buffer;
}

export interface RecordedCall {
  /** Upper case. */
  method: string;
  /** Path without the `/api/v10` prefix, e.g. `/channels/123/messages`. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body; for multipart requests the parsed `payload_json`; undefined when there was none. */
  body: unknown;
  files: RecordedFile[];
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Status the fake answered with. */
  status: number;
  /** Body the fake answered with (undefined for 204). */
  response: unknown;
  /** Date.now() when the request arrived. */
  at: number;
}

export interface ScriptedFailure {
  status: number;
  /** Response body; defaults to Discord's shape for the status. */
  body?: unknown;
  /** Seconds, for 429: sent as `retry_after` in the body and the Retry-After/X-RateLimit-* headers. */
  retryAfter?: number;
  /** For 429: a global rate limit (X-RateLimit-Global), which stalls every request of the client. */
  global?: boolean;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface IdentifyRecord {
  token: string;
  intents: number;
  properties: unknown;
  shard: unknown;
  compress: unknown;
  sessionId: string;
  at: number;
}

export interface ResumeRecord {
  sessionId: string;
  /** The seq the client said it had seen. */
  seq: number;
  /** Dispatches re-sent before RESUMED. */
  replayed: number;
  at: number;
}

export interface GatewayFrame {
  op: number;
  d: unknown;
  at: number;
}

export interface DroppedDispatch {
  t: string;
  reason: string;
}

export interface InteractionState {
  id: string;
  token: string;
  /** 2 command, 3 component, 4 autocomplete, 5 modal submit. */
  type: number;
  commandName: string | null;
  channelId: string;
  guildId: string | null;
  user: APIUser;
  deliveredAt: number;
  ackedAt: number | null;
  /** The interaction callback type the bot answered with (4, 5, 6, 7, 8, 9...). */
  responseType: number | null;
  originalMessageId: string | null;
  /** For component interactions: the message holding the component. */
  componentMessageId: string | null;
  /** Original response plus follow-ups. */
  messageIds: string[];
}

export interface RegisteredCommand {
  id: string;
  application_id: string;
  version: string;
  type: number;
  name: string;
  description: string;
  guild_id?: string;
  [key: string]: unknown;
}

interface InteractionInput {
  id?: string;
  token?: string;
  application_id?: string;
  /** null: a DM interaction. Default: the guild of channel_id (GUILD_ID for TEXT_CHANNEL_ID). */
  guild_id?: string | null;
  channel_id?: string;
  /** The invoking user (member.user in guilds). Default HUMAN_USER. */
  user?: UserInput;
  /** Guild interactions: overrides for the invoking member (roles, permissions as a decimal string...). */
  member?: Partial<Omit<APIInteractionGuildMember, "user">>;
}

type CommandOption = APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>;
/** Autocomplete options differ: the focused one may hold a partial (not yet valid) value. */
type AutocompleteOption =
  APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommandAutocomplete>;

export interface ChatInputInput extends InteractionInput {
  data: { id?: string; name: string; type?: 1; options?: CommandOption[]; guild_id?: string };
}

export interface AutocompleteInput extends InteractionInput {
  data: { id?: string; name: string; type?: 1; options?: AutocompleteOption[] };
  /** The option being typed; appended with `focused: true` (string options only). */
  focused?: { name: string; value: string };
}

export interface ButtonInput extends InteractionInput {
  custom_id: string;
  /** The message carrying the button. Default: a bot message in the channel with that button. */
  message?: APIMessage;
}

export interface MessageInput {
  id?: string;
  channel_id?: string;
  /** null: a DM. Default: the guild of channel_id. */
  guild_id?: string | null;
  content?: string;
  author?: UserInput;
  /** Default: users referenced as <@id> in content. */
  mentions?: UserInput[];
  embeds?: APIEmbed[];
  attachments?: APIAttachment[];
  message_reference?: { message_id: string; channel_id?: string; guild_id?: string };
}

// ---------------------------------------------------------------------------------------------------------
// Payload builders that need no fake state
// ---------------------------------------------------------------------------------------------------------

export function makeUser(input: UserInput): APIUser {
  return { discriminator: "0", global_name: null, avatar: null, public_flags: flags(0), ...input };
}

export const BOT_USER: APIUser = makeUser({ id: BOT_USER_ID, username: "spotlight", bot: true });
export const HUMAN_USER: APIUser = makeUser({ id: HUMAN_USER_ID, username: "alice", global_name: "Alice" });

export function textChannel(id: string, name: string, guildId = GUILD_ID): FakeTextChannel {
  return {
    id,
    type: 0,
    guild_id: guildId,
    name,
    position: 0,
    permission_overwrites: [],
    parent_id: null,
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    default_thread_rate_limit_per_user: 0,
    flags: flags<ChannelFlags>(0),
  };
}

export function threadChannel(opts: {
  id: string;
  name: string;
  parentId: string;
  guildId?: string;
  ownerId?: string;
  type?: ChannelType.PublicThread | ChannelType.PrivateThread;
}): APIThreadChannel {
  const now = new Date().toISOString();
  return {
    id: opts.id,
    type: opts.type ?? 11,
    guild_id: opts.guildId ?? GUILD_ID,
    parent_id: opts.parentId,
    owner_id: opts.ownerId ?? HUMAN_USER_ID,
    name: opts.name,
    last_message_id: null,
    rate_limit_per_user: 0,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    flags: flags<ChannelFlags>(0),
    thread_metadata: {
      archived: false,
      auto_archive_duration: 1440,
      archive_timestamp: now,
      locked: false,
      create_timestamp: now,
    },
  };
}

export function defaultGuild(): FakeGuild {
  return {
    id: GUILD_ID,
    name: "Spotlight Test Guild",
    channels: [textChannel(TEXT_CHANNEL_ID, "general")],
    threads: [threadChannel({ id: THREAD_CHANNEL_ID, name: "existing thread", parentId: TEXT_CHANNEL_ID })],
    members: [HUMAN_USER],
  };
}

function guildMember(user: APIUser, joinedAt: string): APIGuildMember {
  return {
    user,
    roles: [],
    joined_at: joinedAt,
    deaf: false,
    mute: false,
    flags: flags<GuildMemberFlags>(0),
    nick: null,
    avatar: null,
    premium_since: null,
    pending: false,
    communication_disabled_until: null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------------------

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function errMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Discord counts characters as code points (it is a Python API), not UTF-16 units. */
function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

interface FieldError {
  code: string;
  message: string;
}
/** Discord's nested `errors` object: keys are field names / array indexes, leaves are `{ _errors: [...] }`. */
export type ErrorTree = { [key: string]: ErrorTree | FieldError[] };

class FormErrors {
  readonly tree: ErrorTree = {};
  count = 0;

  add(path: ReadonlyArray<string | number>, code: string, message: string): void {
    let node = this.tree;
    for (const key of path) {
      const next = node[String(key)];
      if (next === undefined || Array.isArray(next)) {
        const created: ErrorTree = {};
        node[String(key)] = created;
        node = created;
      } else {
        node = next;
      }
    }
    const existing = node._errors;
    if (Array.isArray(existing)) existing.push({ code, message });
    else node._errors = [{ code, message }];
    this.count++;
  }

  /** A string field: returns its length in characters for the embed total. */
  checkString(value: unknown, path: ReadonlyArray<string | number>, max: number, required = false): number {
    if (value === undefined || value === null) {
      if (required) this.add(path, "BASE_TYPE_REQUIRED", "This field is required");
      return 0;
    }
    if (typeof value !== "string") {
      this.add(path, "BASE_TYPE_STRING", "Must be a string.");
      return 0;
    }
    const length = charLength(value);
    if (required && value.trim().length === 0) this.add(path, "BASE_TYPE_REQUIRED", "This field is required");
    if (length > max) this.add(path, "BASE_TYPE_MAX_LENGTH", `Must be ${max} or fewer in length.`);
    return length;
  }
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

function jsonError(status: number, code: number, message: string): Reply {
  return { status, body: { message, code } };
}

const unknownChannel = (): Reply => jsonError(404, 10003, "Unknown Channel");
const unknownMessage = (): Reply => jsonError(404, 10008, "Unknown Message");
const unknownWebhook = (): Reply => jsonError(404, 10015, "Unknown Webhook");
const unknownInteraction = (): Reply => jsonError(404, 10062, "Unknown interaction");
const invalidForm = (errors: FormErrors): Reply => ({
  status: 400,
  body: { code: 50035, message: "Invalid Form Body", errors: errors.tree },
});

function defaultFailureBody(status: number): unknown {
  switch (status) {
    case 400:
      return { message: "400: Bad Request", code: 0 };
    case 401:
      return { message: "401: Unauthorized", code: 0 };
    case 403:
      return { message: "Missing Permissions", code: 50013 };
    case 404:
      return { message: "404: Not Found", code: 0 };
    default:
      return { message: `${status}: Server Error`, code: 0 };
  }
}

/** Validates the message-like fields shared by channel messages, interaction responses and webhooks. */
function validateMessageFields(
  body: JsonRecord,
  errors: FormErrors,
  prefix: ReadonlyArray<string | number>,
): void {
  errors.checkString(body.content, [...prefix, "content"], 2000);
  const messageFlags = typeof body.flags === "number" ? body.flags : 0;
  if (messageFlags & MessageFlag.ComponentsV2) {
    if (typeof body.content === "string" && body.content.length > 0) {
      errors.add(
        [...prefix, "content"],
        "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
        "The 'content' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
      );
    }
    if (Array.isArray(body.embeds) && body.embeds.length > 0) {
      errors.add(
        [...prefix, "embeds"],
        "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
        "The 'embeds' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
      );
    }
  }
  const embeds = body.embeds;
  if (embeds !== undefined && embeds !== null) {
    if (!Array.isArray(embeds)) {
      errors.add([...prefix, "embeds"], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType");
    } else {
      if (embeds.length > 10) {
        errors.add([...prefix, "embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.");
      }
      let total = 0;
      embeds.forEach((embed: unknown, index: number) => {
        total += validateEmbed(embed, errors, [...prefix, "embeds", index]);
      });
      if (total > 6000) {
        errors.add(
          [...prefix, "embeds"],
          "MAX_EMBED_SIZE_EXCEEDED",
          "Embed size exceeds maximum size of 6000",
        );
      }
    }
  }
  const components = body.components;
  if (Array.isArray(components)) {
    const v2 = (messageFlags & MessageFlag.ComponentsV2) !== 0;
    if (!v2 && components.length > 5) {
      errors.add([...prefix, "components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.");
    }
    components.forEach((row: unknown, index: number) => {
      validateComponent(row, errors, [...prefix, "components", index]);
    });
  }
}

/** Returns the characters the embed contributes to the 6000-character total. */
function validateEmbed(embed: unknown, errors: FormErrors, path: ReadonlyArray<string | number>): number {
  if (!isRecord(embed)) {
    errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType");
    return 0;
  }
  let total = 0;
  total += errors.checkString(embed.title, [...path, "title"], 256);
  total += errors.checkString(embed.description, [...path, "description"], 4096);
  if (isRecord(embed.footer))
    total += errors.checkString(embed.footer.text, [...path, "footer", "text"], 2048, true);
  if (isRecord(embed.author))
    total += errors.checkString(embed.author.name, [...path, "author", "name"], 256, true);
  if (Array.isArray(embed.fields)) {
    if (embed.fields.length > 25) {
      errors.add([...path, "fields"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
    }
    embed.fields.forEach((field: unknown, index: number) => {
      const fieldPath = [...path, "fields", index];
      if (!isRecord(field)) {
        errors.add(fieldPath, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType");
        return;
      }
      total += errors.checkString(field.name, [...fieldPath, "name"], 256, true);
      total += errors.checkString(field.value, [...fieldPath, "value"], 1024, true);
    });
  }
  return total;
}

function validateComponent(
  component: unknown,
  errors: FormErrors,
  path: ReadonlyArray<string | number>,
): void {
  if (!isRecord(component)) {
    errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType");
    return;
  }
  if (component.custom_id !== undefined)
    errors.checkString(component.custom_id, [...path, "custom_id"], 100, true);
  if (component.type === 2) errors.checkString(component.label, [...path, "label"], 80);
  if (component.type === 3 && Array.isArray(component.options) && component.options.length > 25) {
    errors.add([...path, "options"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
  }
  if (Array.isArray(component.components)) {
    if (component.type === 1 && component.components.length > 5) {
      errors.add([...path, "components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.");
    }
    component.components.forEach((child: unknown, index: number) => {
      validateComponent(child, errors, [...path, "components", index]);
    });
  }
}

/** Discord refuses messages with nothing to show (code 50006); whitespace-only content counts as nothing. */
function isEmptyMessage(body: JsonRecord, fileCount: number): boolean {
  const hasContent = typeof body.content === "string" && body.content.trim().length > 0;
  const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
  const hasComponents = Array.isArray(body.components) && body.components.length > 0;
  const hasStickers = Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0;
  return (
    !hasContent && !hasEmbeds && !hasComponents && !hasStickers && body.poll === undefined && fileCount === 0
  );
}

const COMMAND_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function validateCommandName(name: unknown, errors: FormErrors, path: ReadonlyArray<string | number>): void {
  if (typeof name !== "string" || !COMMAND_NAME.test(name) || name !== name.toLowerCase()) {
    errors.add(path, "APPLICATION_COMMAND_INVALID_NAME", `Command name is invalid`);
  }
}

function validateCommandOptions(
  options: unknown,
  errors: FormErrors,
  path: ReadonlyArray<string | number>,
): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    errors.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType");
    return;
  }
  if (options.length > 25) errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
  let sawOptional = false;
  options.forEach((option: unknown, index: number) => {
    const optionPath = [...path, index];
    if (!isRecord(option)) {
      errors.add(optionPath, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType");
      return;
    }
    validateCommandName(option.name, errors, [...optionPath, "name"]);
    errors.checkString(option.description, [...optionPath, "description"], 100, true);
    if (Array.isArray(option.choices) && option.choices.length > 25) {
      errors.add([...optionPath, "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
    }
    if (option.required === true && sawOptional) {
      errors.add(
        optionPath,
        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
        "Required options must be placed before non-required options",
      );
    }
    if (option.required !== true) sawOptional = true;
    validateCommandOptions(option.options, errors, [...optionPath, "options"]);
  });
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function rawToString(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString("utf8");
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString("utf8");
  return raw.toString("utf8");
}

function decodePath(path: string): string {
  return path
    .split("/")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join("/");
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

class HttpBodyError extends Error {}

/** JSON or multipart (discord.js sends multipart with `payload_json` + `files[n]` when attaching files). */
async function parseBody(
  raw: Buffer,
  contentType: string,
): Promise<{ body: unknown; files: RecordedFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  if (contentType.startsWith("multipart/form-data")) {
    // The WHATWG Request parser in Node 20 understands multipart, so no dependency is needed.
    const form = await new Request("http://fake.invalid/", {
      method: "POST",
      headers: { "content-type": contentType },
      body: raw,
    }).formData();
    let body: unknown;
    const files: RecordedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === "string") {
        if (field === "payload_json") body = JSON.parse(value);
        continue;
      }
      files.push({
        field,
        filename: value.name,
        size: value.size,
        contentType: value.type,
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
    return { body, files };
  }
  try {
    return { body: JSON.parse(raw.toString("utf8")), files: [] };
  } catch {
    throw new HttpBodyError("The request body contains invalid JSON.");
  }
}

// ---------------------------------------------------------------------------------------------------------
// Internal state types
// ---------------------------------------------------------------------------------------------------------

interface LoggedDispatch {
  s: number;
  t: string;
  d: unknown;
}

interface Session {
  id: string;
  intents: number;
  seq: number;
  /** Everything dispatched in this session except READY/RESUMED, for RESUME replays. */
  log: LoggedDispatch[];
  socket: WebSocket | null;
  resumable: boolean;
  /** Set by forceReconnect({ replayFrom }): the next RESUME replays from here even if the client saw more. */
  replayFromOverride: number | null;
}

interface Connection {
  ws: WebSocket;
  session: Session | null;
}

interface Waiter {
  check: () => boolean;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  files: RecordedFile[];
}

interface Route {
  method: string;
  pattern: RegExp;
  /** Interaction callbacks and webhooks are authenticated by the token in the path, not the header. */
  auth: boolean;
  handle: (ctx: RouteContext) => Reply;
}

interface PendingFailure extends ScriptedFailure {
  method: string;
  pathRegex: RegExp;
  remaining: number;
}

// ---------------------------------------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------------------------------------

export class FakeDiscord {
  /** Every REST request, in arrival order. */
  readonly calls: RecordedCall[] = [];
  /** Every IDENTIFY, in order. */
  readonly identifies: IdentifyRecord[] = [];
  readonly resumes: ResumeRecord[] = [];
  /** The request path+query of every gateway connection, e.g. `/?v=10&encoding=json`, `/resume?v=10&...`. */
  readonly gatewayConnects: string[] = [];
  /** Every frame a client sent over the gateway (heartbeats included). */
  readonly gatewayReceived: GatewayFrame[] = [];
  /** Dispatches not sent because the session lacked the intent, or no session existed. */
  readonly dropped: DroppedDispatch[] = [];
  /** Things a real Discord would reject or that indicate a misconfigured client (unrouted requests...). */
  readonly protocolErrors: string[] = [];
  heartbeats = 0;
  readyCount = 0;
  resumedCount = 0;
  /** Flip to false to simulate a zombie connection (discord.js then reconnects and resumes). */
  ackHeartbeats = true;

  private readonly token: string | null;
  private readonly heartbeatIntervalMs: number;
  private readonly allowedPrivilegedIntents: number;
  private readonly enforceMessageContentIntent: boolean;
  private readonly echoBotMessages: boolean;
  private readonly interactionAckTimeoutMs: number;
  private readonly latencyMs: number;
  private readonly log: (line: string) => void;

  private readonly guilds: FakeGuild[];
  private readonly channels = new Map<string, FakeChannel>();
  private readonly users = new Map<string, APIUser>();
  private readonly messages = new Map<string, APIMessage>();
  private readonly interactionsByToken = new Map<string, InteractionState>();
  private readonly globalCommandList: RegisteredCommand[] = [];
  private readonly guildCommandLists = new Map<string, RegisteredCommand[]>();
  private readonly commandIds = new Map<string, string>();
  private readonly failures: PendingFailure[] = [];
  private readonly sessions = new Map<string, Session>();
  private readonly connections = new Set<Connection>();
  private readonly waiters = new Set<Waiter>();
  private readonly routes: Route[];
  private readonly joinedAt = new Date().toISOString();
  private currentSession: Session | null = null;
  private lastSnowflake = 0n;
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private portNumber = 0;

  constructor(options: FakeDiscordOptions = {}) {
    this.token = options.token === undefined ? FAKE_TOKEN : options.token;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
    this.allowedPrivilegedIntents = options.allowedPrivilegedIntents ?? PRIVILEGED_INTENTS;
    this.enforceMessageContentIntent = options.enforceMessageContentIntent ?? true;
    this.echoBotMessages = options.echoBotMessages ?? true;
    this.interactionAckTimeoutMs = options.interactionAckTimeoutMs ?? 3000;
    this.latencyMs = options.latencyMs ?? 0;
    this.log = options.log ?? (() => {});
    // Copies, so tests can reuse guild specs without the fake's mutations leaking between tests.
    this.guilds = structuredClone(options.guilds ?? [defaultGuild()]);
    for (const user of [BOT_USER, HUMAN_USER]) this.users.set(user.id, user);
    for (const guild of this.guilds) {
      for (const channel of [...guild.channels, ...guild.threads]) this.channels.set(channel.id, channel);
      for (const member of guild.members) this.users.set(member.id, member);
    }
    const dm: APIDMChannel = {
      id: DM_CHANNEL_ID,
      type: 1,
      name: null,
      recipients: [HUMAN_USER],
      last_message_id: null,
      flags: flags<ChannelFlags>(0),
    };
    this.channels.set(dm.id, dm);
    this.routes = this.buildRoutes();
  }

  // ----- lifecycle -------------------------------------------------------------------------------------

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.handleHttp(req, res).catch((error: unknown) => {
        this.protocolErrors.push(`REST handler crashed: ${errMessage(error)}`);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "500: Internal Server Error", code: 0 }));
      });
    });
    const wss = new WebSocketServer({ noServer: true });
    server.on("upgrade", (req, socket, head) => {
      wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.wss = wss;
    this.portNumber = (server.address() as AddressInfo).port;
    return this;
  }

  /** Terminates sockets and the server; pending waits reject. Safe to call twice. */
  async close(): Promise<void> {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error("FakeDiscord closed"));
    }
    this.waiters.clear();
    for (const conn of this.connections) conn.ws.terminate();
    this.connections.clear();
    this.wss?.close();
    this.wss = null;
    const server = this.server;
    this.server = null;
    if (server) {
      // Keep-alive sockets from discord.js' undici agent would otherwise keep close() pending.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  get port(): number {
    return this.portNumber;
  }
  /** Pass as `rest.api`; discord.js appends `/v10/...`. */
  get restUrl(): string {
    return `http://127.0.0.1:${this.portNumber}/api`;
  }
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.portNumber}`;
  }

  // ----- REST inspection & scripting -------------------------------------------------------------------

  callsMatching(method: string, pathRegex: RegExp): RecordedCall[] {
    const wanted = method.toUpperCase();
    return this.calls.filter((c) => (wanted === "*" || c.method === wanted) && pathRegex.test(c.path));
  }

  /** Resolves with the first `count` matching calls; rejects after `timeoutMs` listing everything recorded. */
  async waitForCalls(
    method: string,
    pathRegex: RegExp,
    count = 1,
    timeoutMs = 2000,
  ): Promise<RecordedCall[]> {
    await this.waitUntil(
      () => this.callsMatching(method, pathRegex).length >= count,
      timeoutMs,
      () =>
        `expected ${count} × ${method.toUpperCase()} ${pathRegex}, got ${this.callsMatching(method, pathRegex).length}. ` +
        `Recorded: ${this.describeCalls()}`,
    );
    return this.callsMatching(method, pathRegex).slice(0, count);
  }

  describeCalls(): string {
    if (this.calls.length === 0) return "(none)";
    return this.calls.map((c) => `${c.method} ${c.path} → ${c.status}`).join("; ");
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  /** The next `times` (default 1) matching requests fail with the given status, without side effects. */
  failNext(method: string, pathRegex: RegExp, failure: ScriptedFailure): void {
    this.failures.push({
      ...failure,
      method: method.toUpperCase(),
      pathRegex,
      remaining: failure.times ?? 1,
    });
  }

  // ----- state inspection ------------------------------------------------------------------------------

  getChannel(id: string): FakeChannel | undefined {
    return this.channels.get(id);
  }
  getMessage(id: string): APIMessage | undefined {
    return this.messages.get(id);
  }
  /** Messages in a channel, oldest first (user messages that were dispatched and bot messages). */
  channelMessages(channelId: string): APIMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId);
  }
  interaction(idOrToken: string): InteractionState | undefined {
    return (
      this.interactionsByToken.get(idOrToken) ??
      [...this.interactionsByToken.values()].find((i) => i.id === idOrToken)
    );
  }
  get globalCommands(): RegisteredCommand[] {
    return [...this.globalCommandList];
  }
  guildCommands(guildId = GUILD_ID): RegisteredCommand[] {
    return [...(this.guildCommandLists.get(guildId) ?? [])];
  }
  /** The seq of the last dispatch in the current session (0 before READY). */
  get lastSeq(): number {
    return this.currentSession?.seq ?? 0;
  }

  /** A new snowflake, strictly increasing, with the current time in it. */
  snowflake(): string {
    let next = (BigInt(Date.now()) - DISCORD_EPOCH) << 22n;
    if (next <= this.lastSnowflake) next = this.lastSnowflake + 1n;
    this.lastSnowflake = next;
    return next.toString();
  }

  // ----- gateway control -------------------------------------------------------------------------------

  /**
   * Sends a dispatch (op 0) with the next seq to every live session; sessions that are disconnected but
   * resumable get it on RESUME, like Discord. Returns the seq in the current session, or null if dropped.
   */
  dispatch(t: string, d: unknown): number | null {
    if (t === "INTERACTION_CREATE") this.registerInteraction(d);
    if (t === "MESSAGE_CREATE") this.storeIncomingMessage(d);
    return this.fanOut(t, d);
  }

  /** Re-sends an earlier dispatch of the current session with its original seq (a duplicate delivery). */
  replay(seq: number): void {
    const session = this.requireCurrentSession();
    const entry = session.log.find((e) => e.s === seq);
    if (!entry)
      throw new Error(
        `FakeDiscord.replay: no dispatch with seq ${seq} (have ${session.log.map((e) => e.s)})`,
      );
    if (!session.socket) throw new Error("FakeDiscord.replay: the session has no open socket");
    this.send(session.socket, { op: 0, t: entry.t, s: entry.s, d: entry.d });
  }

  /**
   * Sends op 7 RECONNECT; discord.js closes (code 4200), reconnects to resume_gateway_url ~500 ms later and
   * RESUMEs. With `replayFrom`, the RESUME replays every dispatch after that seq even if the client had seen
   * them, which is how tests get duplicate events after a resume.
   */
  forceReconnect(options: { replayFrom?: number } = {}): void {
    const session = this.requireCurrentSession();
    if (!session.socket) throw new Error("FakeDiscord.forceReconnect: the session has no open socket");
    session.replayFromOverride = options.replayFrom ?? null;
    this.send(session.socket, { op: 7, d: null, s: null, t: null });
  }

  /** Sends op 9 INVALID_SESSION. Not resumable → discord.js re-IDENTIFYs (after its ~5 s identify throttle). */
  invalidateSession(resumable: boolean): void {
    const session = this.requireCurrentSession();
    if (!session.socket) throw new Error("FakeDiscord.invalidateSession: the session has no open socket");
    if (!resumable) session.resumable = false;
    this.send(session.socket, { op: 9, d: resumable, s: null, t: null });
  }

  /** Closes the current socket from the server side; 4000 (default) makes discord.js resume. */
  disconnect(code = 4000, reason = "Unknown error"): void {
    const session = this.requireCurrentSession();
    session.socket?.close(code, reason);
  }

  /** Resolves once `count` sessions got READY and their GUILD_CREATEs (the client emits clientReady next). */
  async waitForReady(options: { count?: number; timeoutMs?: number } = {}): Promise<void> {
    const count = options.count ?? 1;
    await this.waitUntil(
      () => this.readyCount >= count,
      options.timeoutMs ?? 5000,
      () =>
        `expected ${count} READY, sent ${this.readyCount}. Protocol errors: ${this.protocolErrors.join("; ")}`,
    );
  }

  /** Resolves once `count` RESUMED dispatches have been sent in total. */
  async waitForResumed(options: { count?: number; timeoutMs?: number } = {}): Promise<void> {
    const count = options.count ?? 1;
    await this.waitUntil(
      () => this.resumedCount >= count,
      options.timeoutMs ?? 5000,
      () => `expected ${count} RESUMED, sent ${this.resumedCount}`,
    );
  }

  // ----- payload builders (they know the fake's channels) ----------------------------------------------

  /** A MESSAGE_CREATE payload as Discord sends it (guild_id, member, mentions, channel_type included). */
  messageCreate(input: MessageInput = {}): GatewayMessageCreateDispatchData {
    const channelId = input.channel_id ?? TEXT_CHANNEL_ID;
    const channel = this.channels.get(channelId);
    const guildId = input.guild_id === null ? undefined : (input.guild_id ?? guildIdOf(channel));
    const author = makeUser(input.author ?? HUMAN_USER);
    this.users.set(author.id, author);
    const content = input.content ?? "";
    const mentions = input.mentions ? input.mentions.map(makeUser) : this.mentionsIn(content);
    const timestamp = new Date().toISOString();
    const data: GatewayMessageCreateDispatchData = {
      id: input.id ?? this.snowflake(),
      channel_id: channelId,
      author,
      content,
      timestamp,
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: guildId
        ? mentions.map((u) => ({ ...u, member: memberNoUser(guildMember(u, this.joinedAt)) }))
        : mentions,
      mention_roles: [],
      attachments: input.attachments ?? [],
      embeds: input.embeds ?? [],
      pinned: false,
      type: input.message_reference ? 19 : 0,
      flags: flags<MessageFlags>(0),
      components: [],
      channel_type: channel?.type === 11 || channel?.type === 12 ? channel.type : guildId ? 0 : 1,
    };
    if (input.message_reference) {
      data.message_reference = { type: 0, channel_id: channelId, ...input.message_reference };
      data.referenced_message = this.messages.get(input.message_reference.message_id) ?? null;
    }
    if (guildId) {
      data.guild_id = guildId;
      data.member = memberNoUser(guildMember(author, this.joinedAt));
    } else if (!channel) {
      // A DM from someone new: Discord creates the DM channel implicitly.
      this.channels.set(channelId, {
        id: channelId,
        type: 1,
        name: null,
        recipients: [author],
        last_message_id: null,
        flags: flags<ChannelFlags>(0),
      });
    }
    return data;
  }

  /** Builds a MESSAGE_CREATE and dispatches it. */
  deliverMessage(input: MessageInput = {}): { data: GatewayMessageCreateDispatchData; seq: number | null } {
    const data = this.messageCreate(input);
    return { data, seq: this.dispatch("MESSAGE_CREATE", data) };
  }

  chatInputInteraction(input: ChatInputInput): APIChatInputApplicationCommandInteraction {
    const base = this.interactionBase(input);
    const data = {
      id: input.data.id ?? this.commandIdFor(input.data.name, 1),
      name: input.data.name,
      type: 1 as const,
      ...(input.data.options ? { options: input.data.options } : {}),
      ...(input.data.guild_id ? { guild_id: input.data.guild_id } : {}),
    };
    return { ...base, type: 2, data };
  }

  autocompleteInteraction(input: AutocompleteInput): APIApplicationCommandAutocompleteInteraction {
    const base = this.interactionBase(input);
    const options: AutocompleteOption[] = [...(input.data.options ?? [])];
    if (input.focused)
      options.push({ name: input.focused.name, type: 3, value: input.focused.value, focused: true });
    if (!hasFocused(options)) {
      throw new Error("autocompleteInteraction: give `focused` or an option with focused: true");
    }
    const data = {
      id: input.data.id ?? this.commandIdFor(input.data.name, 1),
      name: input.data.name,
      type: 1 as const,
      options,
    };
    return { ...base, type: 4, data };
  }

  buttonInteraction(input: ButtonInput): APIMessageComponentButtonInteraction {
    const base = this.interactionBase(input);
    const message: APIMessage = input.message ?? {
      ...this.newBotMessage(base.channel_id),
      content: "button host",
      components: [{ type: 1, components: [{ type: 2, style: 1, label: "Go", custom_id: input.custom_id }] }],
    };
    this.messages.set(message.id, message);
    return { ...base, type: 3, message, data: { custom_id: input.custom_id, component_type: 2 } };
  }

  /** Dispatches INTERACTION_CREATE (registering the token so callbacks/webhooks work). */
  deliverInteraction<T extends { id: string; token: string }>(payload: T): { data: T; seq: number | null } {
    return { data: payload, seq: this.dispatch("INTERACTION_CREATE", payload) };
  }

  // ----- gateway internals -----------------------------------------------------------------------------

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const query = new URL(req.url ?? "/", "http://fake.invalid").searchParams;
    const conn: Connection = { ws, session: null };
    this.connections.add(conn);
    this.gatewayConnects.push(req.url ?? "/");
    this.log(`gateway: connect ${req.url}`);
    if (query.get("v") !== "10") this.protocolErrors.push(`gateway: client asked for v=${query.get("v")}`);
    if (query.get("encoding") !== "json")
      this.protocolErrors.push(`gateway: encoding=${query.get("encoding")}`);
    if (query.has("compress")) {
      // The fake never compresses; a client expecting zlib-stream would silently drop every payload.
      this.protocolErrors.push(`gateway: client asked for compress=${query.get("compress")} (unsupported)`);
    }
    ws.on("message", (raw, isBinary) => this.onSocketMessage(conn, raw, isBinary));
    ws.on("close", (code) => {
      this.connections.delete(conn);
      this.log(`gateway: close ${code}`);
      const session = conn.session;
      if (session && session.socket === ws) {
        session.socket = null;
        // Discord invalidates a session when the client closes with 1000/1001; other codes keep it resumable.
        if (code === 1000 || code === 1001) session.resumable = false;
      }
    });
    ws.on("error", (error) => this.protocolErrors.push(`gateway socket error: ${errMessage(error)}`));
    this.send(ws, { op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs }, s: null, t: null });
  }

  private onSocketMessage(conn: Connection, raw: RawData, isBinary: boolean): void {
    let payload: unknown;
    try {
      payload = JSON.parse(rawToString(raw));
    } catch {
      payload = undefined;
    }
    if (isBinary || !isRecord(payload) || typeof payload.op !== "number") {
      this.protocolErrors.push("gateway: undecodable payload");
      conn.ws.close(4002, "Error while decoding payload.");
      return;
    }
    this.gatewayReceived.push({ op: payload.op, d: payload.d, at: Date.now() });
    this.log(`gateway ← op ${payload.op}`);
    switch (payload.op) {
      case 1:
        this.heartbeats++;
        if (this.ackHeartbeats) this.send(conn.ws, { op: 11, d: null, s: null, t: null });
        return;
      case 2:
        this.onIdentify(conn, payload.d);
        return;
      case 6:
        this.onResume(conn, payload.d);
        return;
      case 3: // presence update
      case 4: // voice state update
      case 8: // request guild members
        if (!conn.session) conn.ws.close(4003, "Not authenticated.");
        return;
      default:
        this.protocolErrors.push(`gateway: unknown opcode ${payload.op}`);
        conn.ws.close(4001, "Unknown opcode.");
    }
  }

  private onIdentify(conn: Connection, d: unknown): void {
    if (conn.session) {
      conn.ws.close(4005, "Already authenticated.");
      return;
    }
    if (!isRecord(d) || typeof d.token !== "string" || typeof d.intents !== "number") {
      this.protocolErrors.push("gateway: malformed IDENTIFY");
      conn.ws.close(4002, "Error while decoding payload.");
      return;
    }
    if (this.token !== null && d.token !== this.token) {
      conn.ws.close(4004, "Authentication failed.");
      return;
    }
    if (!Number.isInteger(d.intents) || d.intents < 0 || (d.intents & ~ALL_INTENTS) !== 0) {
      conn.ws.close(4013, "Invalid intent(s).");
      return;
    }
    if ((d.intents & PRIVILEGED_INTENTS & ~this.allowedPrivilegedIntents) !== 0) {
      conn.ws.close(4014, "Disallowed intent(s).");
      return;
    }
    if (Array.isArray(d.shard) && (d.shard[0] !== 0 || d.shard[1] !== 1)) {
      conn.ws.close(4010, "Invalid shard.");
      return;
    }
    if (d.compress === true) {
      // The client would expect zlib-deflated binary frames, which the fake never sends.
      this.protocolErrors.push("gateway: IDENTIFY asked for payload compression (unsupported)");
    }
    const session: Session = {
      id: randomBytes(16).toString("hex"),
      intents: d.intents,
      seq: 0,
      log: [],
      socket: conn.ws,
      resumable: true,
      replayFromOverride: null,
    };
    this.sessions.set(session.id, session);
    this.currentSession = session;
    conn.session = session;
    this.identifies.push({
      token: d.token,
      intents: d.intents,
      properties: d.properties,
      shard: d.shard,
      compress: d.compress,
      sessionId: session.id,
      at: Date.now(),
    });
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: BOT_USER,
      guilds: this.guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      // A distinct path, so tests can see that the client resumes where READY told it to.
      resume_gateway_url: `${this.gatewayUrl}/resume`,
      shard: [0, 1],
      application: { id: APP_ID, flags: flags<ApplicationFlags>(0), flags_new: "0" },
    };
    this.sendDispatch(session, "READY", ready, false);
    // A tick between READY and GUILD_CREATE, as on a real network: discord.js handles frames asynchronously,
    // and a GUILD_CREATE processed before READY would leave the client waiting 15 s for its guilds.
    setTimeout(() => {
      if (session.socket !== conn.ws) return;
      for (const guild of this.guilds)
        this.sendDispatch(session, "GUILD_CREATE", this.guildCreatePayload(guild), true);
      this.readyCount++;
      this.notify();
    }, 5).unref();
  }

  private onResume(conn: Connection, d: unknown): void {
    if (conn.session) {
      conn.ws.close(4005, "Already authenticated.");
      return;
    }
    if (!isRecord(d) || typeof d.session_id !== "string" || typeof d.seq !== "number") {
      this.protocolErrors.push("gateway: malformed RESUME");
      conn.ws.close(4002, "Error while decoding payload.");
      return;
    }
    const session = this.sessions.get(d.session_id);
    if (!session?.resumable || (this.token !== null && d.token !== this.token)) {
      this.send(conn.ws, { op: 9, d: false, s: null, t: null });
      return;
    }
    // A second connection resuming the same session takes it over, as on Discord.
    if (session.socket && session.socket !== conn.ws) session.socket.close(4000, "Session taken over");
    session.socket = conn.ws;
    conn.session = session;
    this.currentSession = session;
    const from = Math.min(d.seq, session.replayFromOverride ?? Number.POSITIVE_INFINITY);
    session.replayFromOverride = null;
    const replay = session.log.filter((e) => e.s > from);
    for (const entry of replay) this.send(conn.ws, { op: 0, t: entry.t, s: entry.s, d: entry.d });
    this.sendDispatch(session, "RESUMED", null, false);
    this.resumes.push({ sessionId: session.id, seq: d.seq, replayed: replay.length, at: Date.now() });
    this.resumedCount++;
    this.notify();
  }

  private sendDispatch(session: Session, t: string, d: unknown, logIt: boolean): number {
    session.seq++;
    const s = session.seq;
    if (logIt) session.log.push({ s, t, d });
    if (session.socket) this.send(session.socket, { op: 0, t, s, d });
    return s;
  }

  private send(ws: WebSocket, payload: { op: number; d: unknown; s: number | null; t: string | null }): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    this.log(`gateway → op ${payload.op}${payload.t ? ` ${payload.t} s=${payload.s}` : ""}`);
    ws.send(JSON.stringify(payload));
  }

  private requireCurrentSession(): Session {
    if (!this.currentSession) throw new Error("FakeDiscord: no gateway session yet (did the client log in?)");
    return this.currentSession;
  }

  /** Without MESSAGE_CONTENT, guild messages that neither mention the bot nor come from it arrive blank. */
  private redactForIntents(session: Session, t: string, d: unknown): unknown {
    if (!this.enforceMessageContentIntent || (session.intents & Intent.MessageContent) !== 0) return d;
    if ((t !== "MESSAGE_CREATE" && t !== "MESSAGE_UPDATE") || !isRecord(d) || d.guild_id === undefined)
      return d;
    const author = isRecord(d.author) ? d.author.id : undefined;
    const mentioned =
      Array.isArray(d.mentions) && d.mentions.some((u) => isRecord(u) && u.id === BOT_USER_ID);
    if (author === BOT_USER_ID || mentioned) return d;
    const { poll: _poll, ...rest } = d;
    return { ...rest, content: "", embeds: [], attachments: [], components: [] };
  }

  private guildCreatePayload(guild: FakeGuild): JsonRecord {
    const members = [BOT_USER, ...guild.members].map((u) => guildMember(u, this.joinedAt));
    const inGuild = [...this.channels.values()].filter((c) => "guild_id" in c && c.guild_id === guild.id);
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: HUMAN_USER_ID,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      premium_tier: 0,
      premium_subscription_count: 0,
      premium_progress_bar_enabled: false,
      preferred_locale: "en-US",
      features: [],
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      public_updates_channel_id: null,
      safety_alerts_channel_id: null,
      vanity_url_code: null,
      max_members: 500_000,
      max_video_channel_users: 25,
      roles: [
        {
          id: guild.id,
          name: "@everyone",
          color: 0,
          colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
          hoist: false,
          icon: null,
          unicode_emoji: null,
          position: 0,
          permissions: DEFAULT_PERMISSIONS,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      emojis: [],
      stickers: [],
      joined_at: this.joinedAt,
      large: false,
      unavailable: false,
      member_count: members.length,
      members,
      channels: inGuild.filter((c) => c.type !== 11 && c.type !== 12),
      threads: inGuild.filter((c) => c.type === 11 || c.type === 12),
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  // ----- waiting -----------------------------------------------------------------------------------------

  private waitUntil(check: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`FakeDiscord: timed out after ${timeoutMs} ms: ${describe()}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  private notify(): void {
    for (const waiter of this.waiters) {
      if (!waiter.check()) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  // ----- REST internals --------------------------------------------------------------------------------

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    const headers = headerRecord(req);
    const raw = await readBody(req);
    const versioned = /^\/api\/v(\d+)(\/.*)$/.exec(url.pathname);
    // discord.js (undici) percent-encodes path characters such as the `@` of `@original`; record and route
    // the decoded form so tests can write /@original/.
    const path = decodePath(versioned?.[2] ?? url.pathname);
    if (versioned && versioned[1] !== "10")
      this.protocolErrors.push(`REST: API v${versioned[1]} used for ${path}`);

    let body: unknown;
    let files: RecordedFile[] = [];
    let reply: Reply;
    try {
      ({ body, files } = await parseBody(raw, headers["content-type"] ?? ""));
      reply = versioned
        ? this.route(method, path, headers, url.searchParams, body, files)
        : this.unrouted(method, path);
    } catch (error) {
      reply =
        error instanceof HttpBodyError
          ? jsonError(400, 50109, error.message)
          : jsonError(500, 0, `500: Internal Server Error (${errMessage(error)})`);
      if (!(error instanceof HttpBodyError))
        this.protocolErrors.push(`REST ${method} ${path}: ${errMessage(error)}`);
    }

    this.calls.push({
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body,
      files,
      headers,
      status: reply.status,
      response: reply.body,
      at,
    });
    this.log(`REST ${method} ${path} → ${reply.status}`);
    this.notify();

    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    if (reply.status === 204 || reply.body === undefined) {
      // discord.js parses any application/json response as JSON, so a 204 must not claim a JSON type.
      res.writeHead(reply.status, reply.headers ?? {});
      res.end();
      return;
    }
    res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }

  private route(
    method: string,
    path: string,
    headers: Record<string, string>,
    query: URLSearchParams,
    body: unknown,
    files: RecordedFile[],
  ): Reply {
    const failure = this.failures.find(
      (f) => (f.method === "*" || f.method === method) && f.pathRegex.test(path),
    );
    if (failure) {
      failure.remaining--;
      if (failure.remaining <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
      return scriptedReply(failure);
    }
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(path);
      if (!match) continue;
      if (route.auth && this.token !== null && headers.authorization !== `Bot ${this.token}`) {
        return jsonError(401, 0, "401: Unauthorized");
      }
      return route.handle({ params: { ...match.groups }, query, body, files });
    }
    return this.unrouted(method, path);
  }

  private unrouted(method: string, path: string): Reply {
    this.protocolErrors.push(`REST: no fake route for ${method} ${path}`);
    return jsonError(404, 0, "404: Not Found");
  }

  private buildRoutes(): Route[] {
    const r = (
      method: string,
      pattern: RegExp,
      auth: boolean,
      handle: (ctx: RouteContext) => Reply,
    ): Route => ({
      method,
      pattern,
      auth,
      handle,
    });
    const ID = "(?<id>\\d+)";
    return [
      r("GET", /^\/gateway$/, false, () => ({ status: 200, body: { url: this.gatewayUrl } })),
      r("GET", /^\/gateway\/bot$/, true, () => ({
        status: 200,
        body: {
          url: this.gatewayUrl,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
        },
      })),
      r("GET", /^\/users\/@me$/, true, () => ({
        status: 200,
        body: { ...BOT_USER, verified: true, mfa_enabled: false },
      })),
      r("GET", /^\/(oauth2\/)?applications\/@me$/, true, () => ({
        status: 200,
        body: this.applicationPayload(),
      })),
      r("POST", /^\/users\/@me\/channels$/, true, (ctx) => this.openDm(ctx)),

      // Application commands (global and guild).
      r("GET", /^\/applications\/(?<app>\d+)(\/guilds\/(?<guild>\d+))?\/commands$/, true, (ctx) =>
        this.withApp(ctx, () => ({ status: 200, body: this.commandList(ctx.params.guild) })),
      ),
      r("PUT", /^\/applications\/(?<app>\d+)(\/guilds\/(?<guild>\d+))?\/commands$/, true, (ctx) =>
        this.withApp(ctx, () => this.putCommands(ctx)),
      ),
      r("POST", /^\/applications\/(?<app>\d+)(\/guilds\/(?<guild>\d+))?\/commands$/, true, (ctx) =>
        this.withApp(ctx, () => this.postCommand(ctx)),
      ),
      r(
        "DELETE",
        /^\/applications\/(?<app>\d+)(\/guilds\/(?<guild>\d+))?\/commands\/(?<cmd>\d+)$/,
        true,
        (ctx) => this.withApp(ctx, () => this.deleteCommand(ctx)),
      ),

      // Interactions and their webhooks.
      r("POST", /^\/interactions\/(?<id>\d+)\/(?<token>[^/]+)\/callback$/, false, (ctx) =>
        this.interactionCallback(ctx),
      ),
      r("POST", /^\/webhooks\/(?<app>\d+)\/(?<token>[^/]+)$/, false, (ctx) => this.followup(ctx)),
      r("GET", /^\/webhooks\/(?<app>\d+)\/(?<token>[^/]+)\/messages\/(?<mid>@original|\d+)$/, false, (ctx) =>
        this.webhookMessage(ctx, "GET"),
      ),
      r(
        "PATCH",
        /^\/webhooks\/(?<app>\d+)\/(?<token>[^/]+)\/messages\/(?<mid>@original|\d+)$/,
        false,
        (ctx) => this.webhookMessage(ctx, "PATCH"),
      ),
      r(
        "DELETE",
        /^\/webhooks\/(?<app>\d+)\/(?<token>[^/]+)\/messages\/(?<mid>@original|\d+)$/,
        false,
        (ctx) => this.webhookMessage(ctx, "DELETE"),
      ),

      // Channels, messages, threads.
      r("GET", new RegExp(`^/channels/${ID}$`), true, (ctx) => {
        const channel = this.channels.get(ctx.params.id ?? "");
        return channel ? { status: 200, body: channel } : unknownChannel();
      }),
      r("GET", new RegExp(`^/channels/${ID}/messages$`), true, (ctx) => this.listMessages(ctx)),
      r("POST", new RegExp(`^/channels/${ID}/messages$`), true, (ctx) => this.postChannelMessage(ctx)),
      r("GET", new RegExp(`^/channels/${ID}/messages/(?<mid>\\d+)$`), true, (ctx) => {
        const message = this.messageIn(ctx);
        return message ? { status: 200, body: message } : unknownMessage();
      }),
      r("PATCH", new RegExp(`^/channels/${ID}/messages/(?<mid>\\d+)$`), true, (ctx) =>
        this.patchChannelMessage(ctx),
      ),
      r("DELETE", new RegExp(`^/channels/${ID}/messages/(?<mid>\\d+)$`), true, (ctx) => {
        const message = this.messageIn(ctx);
        if (!message) return unknownMessage();
        this.deleteMessage(message);
        return { status: 204 };
      }),
      r("POST", new RegExp(`^/channels/${ID}/messages/(?<mid>\\d+)/threads$`), true, (ctx) =>
        this.startThread(ctx, ctx.params.mid ?? null),
      ),
      r("POST", new RegExp(`^/channels/${ID}/threads$`), true, (ctx) => this.startThread(ctx, null)),
      r("POST", new RegExp(`^/channels/${ID}/typing$`), true, (ctx) =>
        this.channels.has(ctx.params.id ?? "") ? { status: 204 } : unknownChannel(),
      ),
      r("PUT", new RegExp(`^/channels/${ID}/thread-members/@me$`), true, () => ({ status: 204 })),
      r("DELETE", new RegExp(`^/channels/${ID}/thread-members/@me$`), true, () => ({ status: 204 })),
      r("PUT", new RegExp(`^/channels/${ID}/messages/(?<mid>\\d+)/reactions/[^/]+/@me$`), true, (ctx) =>
        this.messageIn(ctx) ? { status: 204 } : unknownMessage(),
      ),
      r("DELETE", new RegExp(`^/channels/${ID}/messages/(?<mid>\\d+)/reactions/[^/]+/@me$`), true, (ctx) =>
        this.messageIn(ctx) ? { status: 204 } : unknownMessage(),
      ),
    ];
  }

  private applicationPayload(): JsonRecord {
    return {
      id: APP_ID,
      name: "Spotlight",
      icon: null,
      description: "",
      summary: "",
      type: null,
      bot: BOT_USER,
      bot_public: true,
      bot_require_code_grant: false,
      verify_key: "0".repeat(64),
      flags: 0,
      team: null,
      owner: HUMAN_USER,
      approximate_guild_count: this.guilds.length,
      integration_types_config: { "0": {} },
    };
  }

  private openDm(ctx: RouteContext): Reply {
    const recipientId =
      isRecord(ctx.body) && typeof ctx.body.recipient_id === "string" ? ctx.body.recipient_id : null;
    if (!recipientId) {
      const errors = new FormErrors();
      errors.add(["recipient_id"], "BASE_TYPE_REQUIRED", "This field is required");
      return invalidForm(errors);
    }
    const existing = [...this.channels.values()].find(
      (c) => c.type === 1 && c.recipients?.some((u) => u.id === recipientId),
    );
    if (existing) return { status: 200, body: existing };
    const recipient =
      this.users.get(recipientId) ?? makeUser({ id: recipientId, username: `user${recipientId}` });
    const dm: APIDMChannel = {
      id: this.snowflake(),
      type: 1,
      name: null,
      recipients: [recipient],
      last_message_id: null,
      flags: flags<ChannelFlags>(0),
    };
    this.channels.set(dm.id, dm);
    return { status: 200, body: dm };
  }

  // ----- commands -----

  private withApp(ctx: RouteContext, then: () => Reply): Reply {
    if (ctx.params.app !== APP_ID) return jsonError(403, 50001, "Missing Access");
    if (ctx.params.guild !== undefined && !this.guilds.some((g) => g.id === ctx.params.guild)) {
      return jsonError(403, 50001, "Missing Access");
    }
    return then();
  }

  private commandList(guildId: string | undefined): RegisteredCommand[] {
    if (guildId === undefined) return this.globalCommandList;
    let list = this.guildCommandLists.get(guildId);
    if (!list) {
      list = [];
      this.guildCommandLists.set(guildId, list);
    }
    return list;
  }

  private commandIdFor(name: string, type: number, guildId?: string): string {
    const key = `${guildId ?? "global"}:${type}:${name}`;
    let id = this.commandIds.get(key);
    if (!id) {
      id = this.snowflake();
      this.commandIds.set(key, id);
    }
    return id;
  }

  private validateCommand(command: unknown, errors: FormErrors, path: ReadonlyArray<string | number>): void {
    if (!isRecord(command)) {
      errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType");
      return;
    }
    const type = typeof command.type === "number" ? command.type : 1;
    if (type === 1) {
      validateCommandName(command.name, errors, [...path, "name"]);
      errors.checkString(command.description, [...path, "description"], 100, true);
    } else {
      errors.checkString(command.name, [...path, "name"], 32, true);
      if (typeof command.description === "string" && command.description.length > 0) {
        errors.add(
          [...path, "description"],
          "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
          "Context menu commands cannot have description",
        );
      }
    }
    validateCommandOptions(command.options, errors, [...path, "options"]);
  }

  private toRegistered(command: JsonRecord, guildId: string | undefined): RegisteredCommand {
    const type = typeof command.type === "number" ? command.type : 1;
    const name = String(command.name);
    return {
      name_localizations: null,
      description_localizations: null,
      default_member_permissions: null,
      nsfw: false,
      integration_types: [0],
      contexts: null,
      ...(guildId === undefined ? { dm_permission: true } : {}),
      ...command,
      id: this.commandIdFor(name, type, guildId),
      application_id: APP_ID,
      version: this.snowflake(),
      type,
      name,
      description: typeof command.description === "string" ? command.description : "",
      ...(guildId === undefined ? {} : { guild_id: guildId }),
    };
  }

  private putCommands(ctx: RouteContext): Reply {
    const errors = new FormErrors();
    if (!Array.isArray(ctx.body)) {
      errors.add([], "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType");
      return invalidForm(errors);
    }
    if (ctx.body.length > 100) errors.add([], "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.");
    const seen = new Set<string>();
    ctx.body.forEach((command: unknown, index: number) => {
      this.validateCommand(command, errors, [index]);
      if (isRecord(command)) {
        const key = `${command.type ?? 1}:${String(command.name)}`;
        if (seen.has(key))
          errors.add(
            [index, "name"],
            "APPLICATION_COMMANDS_DUPLICATE_NAME",
            "Application command names must be unique",
          );
        seen.add(key);
      }
    });
    if (errors.count > 0) return invalidForm(errors);
    const list = this.commandList(ctx.params.guild);
    list.length = 0;
    for (const command of ctx.body)
      if (isRecord(command)) list.push(this.toRegistered(command, ctx.params.guild));
    return { status: 200, body: list };
  }

  private postCommand(ctx: RouteContext): Reply {
    const errors = new FormErrors();
    this.validateCommand(ctx.body, errors, []);
    if (errors.count > 0 || !isRecord(ctx.body)) return invalidForm(errors);
    const list = this.commandList(ctx.params.guild);
    const registered = this.toRegistered(ctx.body, ctx.params.guild);
    const existing = list.findIndex((c) => c.id === registered.id);
    if (existing >= 0) list[existing] = registered;
    else list.push(registered);
    return { status: existing >= 0 ? 200 : 201, body: registered };
  }

  private deleteCommand(ctx: RouteContext): Reply {
    const list = this.commandList(ctx.params.guild);
    const index = list.findIndex((c) => c.id === ctx.params.cmd);
    if (index < 0) return jsonError(404, 10063, "Unknown application command");
    list.splice(index, 1);
    return { status: 204 };
  }

  // ----- interactions -----

  private registerInteraction(d: unknown): void {
    if (!isRecord(d) || typeof d.id !== "string" || typeof d.token !== "string") return;
    if (this.interactionsByToken.has(d.token)) return; // a replay keeps the original delivery time
    const member = isRecord(d.member) ? d.member : undefined;
    const rawUser = member && isRecord(member.user) ? member.user : d.user;
    const user =
      isRecord(rawUser) && typeof rawUser.id === "string" ? (rawUser as unknown as APIUser) : HUMAN_USER;
    const data = isRecord(d.data) ? d.data : {};
    const message = isRecord(d.message) && typeof d.message.id === "string" ? d.message.id : null;
    this.interactionsByToken.set(d.token, {
      id: d.id,
      token: d.token,
      type: typeof d.type === "number" ? d.type : 0,
      commandName: typeof data.name === "string" ? data.name : null,
      channelId: typeof d.channel_id === "string" ? d.channel_id : TEXT_CHANNEL_ID,
      guildId: typeof d.guild_id === "string" ? d.guild_id : null,
      user,
      deliveredAt: Date.now(),
      ackedAt: null,
      responseType: null,
      originalMessageId: null,
      componentMessageId: message,
      messageIds: [],
    });
  }

  private interactionCallback(ctx: RouteContext): Reply {
    const state = this.interactionsByToken.get(ctx.params.token ?? "");
    if (!state || state.id !== ctx.params.id) return unknownInteraction();
    if (Date.now() - state.deliveredAt > this.interactionAckTimeoutMs) return unknownInteraction();
    if (state.ackedAt !== null) return jsonError(400, 40060, "Interaction has already been acknowledged.");
    const errors = new FormErrors();
    if (!isRecord(ctx.body) || typeof ctx.body.type !== "number") {
      errors.add(["type"], "BASE_TYPE_REQUIRED", "This field is required");
      return invalidForm(errors);
    }
    const type = ctx.body.type;
    const data = isRecord(ctx.body.data) ? ctx.body.data : {};
    const wrongFor = (allowed: number[]): boolean => {
      if (allowed.includes(state.type)) return false;
      errors.add(
        ["type"],
        "INTERACTION_CALLBACK_TYPE_INVALID",
        `Callback type ${type} is invalid for interaction type ${state.type}`,
      );
      return true;
    };
    let message: APIMessage | null = null;
    switch (type) {
      case 4: {
        if (wrongFor([2, 3, 5])) break;
        validateMessageFields(data, errors, ["data"]);
        if (errors.count > 0) break;
        if (isEmptyMessage(data, ctx.files.length))
          return jsonError(400, 50006, "Cannot send an empty message");
        message = this.createInteractionMessage(state, data, ctx.files, 0);
        state.originalMessageId = message.id;
        break;
      }
      case 5: {
        if (wrongFor([2, 3, 5])) break;
        const ephemeral = typeof data.flags === "number" ? data.flags & MessageFlag.Ephemeral : 0;
        message = this.createInteractionMessage(state, {}, [], MessageFlag.Loading | ephemeral);
        state.originalMessageId = message.id;
        break;
      }
      case 6: {
        if (wrongFor([3, 5])) break;
        state.originalMessageId = state.componentMessageId;
        break;
      }
      case 7: {
        if (wrongFor([3, 5])) break;
        validateMessageFields(data, errors, ["data"]);
        if (errors.count > 0) break;
        const target = state.componentMessageId ? this.messages.get(state.componentMessageId) : undefined;
        if (!target) return unknownMessage();
        message = this.editMessage(target, data, ctx.files);
        state.originalMessageId = target.id;
        break;
      }
      case 8: {
        if (wrongFor([4])) break;
        const choices = data.choices;
        if (!Array.isArray(choices)) {
          errors.add(["data", "choices"], "BASE_TYPE_REQUIRED", "This field is required");
          break;
        }
        if (choices.length > 25)
          errors.add(["data", "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
        choices.forEach((choice: unknown, index: number) => {
          const path = ["data", "choices", index];
          if (!isRecord(choice)) {
            errors.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType");
            return;
          }
          errors.checkString(choice.name, [...path, "name"], 100, true);
          if (typeof choice.value === "string") errors.checkString(choice.value, [...path, "value"], 100);
        });
        break;
      }
      case 9: {
        if (wrongFor([2, 3])) break;
        errors.checkString(data.custom_id, ["data", "custom_id"], 100, true);
        errors.checkString(data.title, ["data", "title"], 45, true);
        if (!Array.isArray(data.components) || data.components.length === 0 || data.components.length > 5) {
          errors.add(["data", "components"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.");
        }
        break;
      }
      default:
        errors.add(["type"], "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 6, 7, 8, 9, 10, 12}.");
    }
    if (errors.count > 0) return invalidForm(errors);

    state.ackedAt = Date.now();
    state.responseType = type;
    if (ctx.query.get("with_response") !== "true") return { status: 204 };
    const original = state.originalMessageId ? this.messages.get(state.originalMessageId) : undefined;
    const messageFlags = original?.flags ?? 0;
    return {
      status: 200,
      body: {
        interaction: {
          id: state.id,
          type: state.type,
          activity_instance_id: null,
          response_message_id: original?.id ?? null,
          response_message_loading: (messageFlags & MessageFlag.Loading) !== 0,
          response_message_ephemeral: (messageFlags & MessageFlag.Ephemeral) !== 0,
        },
        resource: { type, ...(message ? { message } : {}) },
      },
    };
  }

  /** The interaction behind a webhook route, or the error Discord gives before the interaction is acked. */
  private webhookState(ctx: RouteContext): InteractionState | Reply {
    const state = this.interactionsByToken.get(ctx.params.token ?? "");
    if (ctx.params.app !== APP_ID || !state || state.ackedAt === null) return unknownWebhook();
    return state;
  }

  private followup(ctx: RouteContext): Reply {
    const state = this.webhookState(ctx);
    if (!("token" in state)) return state;
    const body = isRecord(ctx.body) ? ctx.body : {};
    const errors = new FormErrors();
    validateMessageFields(body, errors, []);
    if (errors.count > 0) return invalidForm(errors);
    if (isEmptyMessage(body, ctx.files.length)) return jsonError(400, 50006, "Cannot send an empty message");
    const message = this.createInteractionMessage(state, body, ctx.files, 0);
    return ctx.query.get("wait") === "true" ? { status: 200, body: message } : { status: 204 };
  }

  private webhookMessage(ctx: RouteContext, method: "GET" | "PATCH" | "DELETE"): Reply {
    const state = this.webhookState(ctx);
    if (!("token" in state)) return state;
    const id = ctx.params.mid === "@original" ? state.originalMessageId : (ctx.params.mid ?? null);
    const message = id ? this.messages.get(id) : undefined;
    const owned = id !== null && (id === state.originalMessageId || state.messageIds.includes(id));
    if (!message || !owned) return unknownMessage();
    if (method === "GET") return { status: 200, body: message };
    if (method === "DELETE") {
      this.deleteMessage(message);
      return { status: 204 };
    }
    const body = isRecord(ctx.body) ? ctx.body : {};
    const errors = new FormErrors();
    validateMessageFields(body, errors, []);
    if (errors.count > 0) return invalidForm(errors);
    return { status: 200, body: this.editMessage(message, body, ctx.files) };
  }

  // ----- messages -----

  private messageIn(ctx: RouteContext): APIMessage | undefined {
    const message = this.messages.get(ctx.params.mid ?? "");
    return message && message.channel_id === ctx.params.id ? message : undefined;
  }

  private listMessages(ctx: RouteContext): Reply {
    if (!this.channels.has(ctx.params.id ?? "")) return unknownChannel();
    const limit = Math.min(Number(ctx.query.get("limit") ?? 50) || 50, 100);
    // Discord lists newest first.
    return {
      status: 200,
      body: this.channelMessages(ctx.params.id ?? "")
        .reverse()
        .slice(0, limit),
    };
  }

  private postChannelMessage(ctx: RouteContext): Reply {
    const channelId = ctx.params.id ?? "";
    const channel = this.channels.get(channelId);
    if (!channel) return unknownChannel();
    const body = isRecord(ctx.body) ? ctx.body : {};
    const errors = new FormErrors();
    validateMessageFields(body, errors, []);
    if (errors.count > 0) return invalidForm(errors);
    if (isEmptyMessage(body, ctx.files.length)) return jsonError(400, 50006, "Cannot send an empty message");
    if ("thread_metadata" in channel && channel.thread_metadata?.locked) {
      return jsonError(400, 50083, "Thread is archived");
    }
    const message = this.newBotMessage(channelId);
    this.applyBody(message, body, ctx.files);
    const reference = body.message_reference;
    if (isRecord(reference) && typeof reference.message_id === "string") {
      const referenced = this.messages.get(reference.message_id);
      if (!referenced && reference.fail_if_not_exists !== false) {
        const refErrors = new FormErrors();
        refErrors.add(["message_reference"], "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message");
        return invalidForm(refErrors);
      }
      message.type = 19;
      message.message_reference = { type: 0, message_id: reference.message_id, channel_id: channelId };
      message.referenced_message = referenced ?? null;
    }
    this.storeBotMessage(message);
    return { status: 200, body: message };
  }

  private patchChannelMessage(ctx: RouteContext): Reply {
    const message = this.messageIn(ctx);
    if (!message) return unknownMessage();
    if (message.author.id !== BOT_USER_ID)
      return jsonError(403, 50005, "Cannot edit a message authored by another user");
    const body = isRecord(ctx.body) ? ctx.body : {};
    const errors = new FormErrors();
    validateMessageFields(body, errors, []);
    if (errors.count > 0) return invalidForm(errors);
    return { status: 200, body: this.editMessage(message, body, ctx.files) };
  }

  private startThread(ctx: RouteContext, messageId: string | null): Reply {
    const parentId = ctx.params.id ?? "";
    const parent = this.channels.get(parentId);
    if (!parent) return unknownChannel();
    if (parent.type !== 0) return jsonError(400, 50024, "Cannot execute action on this channel type");
    const body = isRecord(ctx.body) ? ctx.body : {};
    const errors = new FormErrors();
    errors.checkString(body.name, ["name"], 100, true);
    if (errors.count > 0) return invalidForm(errors);
    let starter: APIMessage | undefined;
    if (messageId !== null) {
      starter = this.messages.get(messageId);
      if (!starter || starter.channel_id !== parentId) return unknownMessage();
      if (starter.thread) return jsonError(400, 160004, "A thread has already been created for this message");
    }
    const threadType = messageId === null && body.type === 12 ? 12 : 11;
    const thread = threadChannel({
      // Discord gives a thread started from a message the message's id.
      id: messageId ?? this.snowflake(),
      name: String(body.name),
      parentId,
      guildId: parent.guild_id ?? GUILD_ID,
      ownerId: BOT_USER_ID,
      type: threadType,
    });
    if (typeof body.auto_archive_duration === "number" && thread.thread_metadata) {
      thread.thread_metadata.auto_archive_duration = body.auto_archive_duration as 60 | 1440 | 4320 | 10080;
    }
    if (typeof body.rate_limit_per_user === "number") thread.rate_limit_per_user = body.rate_limit_per_user;
    thread.member = {
      id: thread.id,
      user_id: BOT_USER_ID,
      join_timestamp: new Date().toISOString(),
      flags: flags<ThreadMemberFlags>(0),
    };
    this.channels.set(thread.id, thread);
    if (starter) {
      starter.thread = thread;
      starter.flags = flags<MessageFlags>((starter.flags ?? 0) | MessageFlag.HasThread);
    }
    // Discord also announces the thread over the gateway, which is what puts it in discord.js' cache for
    // clients that did not create it; newly_created distinguishes it from "you were added to a thread".
    this.dispatch("THREAD_CREATE", { ...thread, newly_created: true });
    return { status: 201, body: thread };
  }

  private newBotMessage(channelId: string): APIMessage {
    return {
      id: this.snowflake(),
      channel_id: channelId,
      author: BOT_USER,
      content: "",
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
      flags: flags<MessageFlags>(0),
      components: [],
    };
  }

  private createInteractionMessage(
    state: InteractionState,
    body: JsonRecord,
    files: RecordedFile[],
    extraFlags: number,
  ): APIMessage {
    const message = this.newBotMessage(state.channelId);
    this.applyBody(message, body, files);
    message.flags = flags<MessageFlags>((message.flags ?? 0) | extraFlags);
    message.webhook_id = APP_ID;
    message.application_id = APP_ID;
    message.type = state.type === 2 ? 20 : 0;
    const owners: APIAuthorizingIntegrationOwnersMap = state.guildId
      ? { 0: state.guildId }
      : { 1: state.user.id };
    if (state.type === 2) {
      message.interaction_metadata = {
        id: state.id,
        type: 2,
        user: state.user,
        authorizing_integration_owners: owners,
      };
      message.interaction = { id: state.id, type: 2, name: state.commandName ?? "", user: state.user };
    }
    state.messageIds.push(message.id);
    this.storeBotMessage(message);
    return message;
  }

  /** Copies the message fields of a create/edit body onto a message (validation already happened). */
  private applyBody(message: APIMessage, body: JsonRecord, files: RecordedFile[]): void {
    if (typeof body.content === "string" || body.content === null) message.content = body.content ?? "";
    // Validated above; discord-api-types is the contract for what the bot sends.
    if (Array.isArray(body.embeds)) message.embeds = body.embeds as APIEmbed[];
    if (Array.isArray(body.components)) message.components = body.components as APIMessageTopLevelComponent[];
    if (typeof body.tts === "boolean") message.tts = body.tts;
    if (typeof body.flags === "number") {
      // Only these flags can be set by a bot; the rest are Discord's to set.
      const settable =
        MessageFlag.SuppressEmbeds |
        MessageFlag.Ephemeral |
        MessageFlag.ComponentsV2 |
        MessageFlag.SuppressNotifications;
      message.flags = flags<MessageFlags>(((message.flags ?? 0) & ~settable) | (body.flags & settable));
    }
    message.mentions = this.mentionsIn(message.content);
    if (files.length > 0) {
      message.attachments = files.map((file) => {
        const id = this.snowflake();
        const url = `https://cdn.discordapp.com/attachments/${message.channel_id}/${id}/${file.filename}`;
        return {
          id,
          filename: file.filename,
          size: file.size,
          url,
          proxy_url: url,
          content_type: file.contentType,
        };
      });
    } else if (Array.isArray(body.attachments) && body.attachments.length === 0) {
      message.attachments = [];
    }
  }

  private editMessage(message: APIMessage, body: JsonRecord, files: RecordedFile[]): APIMessage {
    this.applyBody(message, body, files);
    // The first edit of a deferred response replaces the "thinking..." state.
    message.flags = flags<MessageFlags>((message.flags ?? 0) & ~MessageFlag.Loading);
    message.edited_timestamp = new Date().toISOString();
    this.echo("MESSAGE_UPDATE", message);
    return message;
  }

  private storeBotMessage(message: APIMessage): void {
    this.messages.set(message.id, message);
    const channel = this.channels.get(message.channel_id);
    if (channel) channel.last_message_id = message.id;
    if (channel && (channel.type === 11 || channel.type === 12)) {
      channel.message_count = (channel.message_count ?? 0) + 1;
      channel.total_message_sent = (channel.total_message_sent ?? 0) + 1;
    }
    this.echo("MESSAGE_CREATE", message);
  }

  private deleteMessage(message: APIMessage): void {
    this.messages.delete(message.id);
    const guildId = guildIdOf(this.channels.get(message.channel_id));
    if (this.shouldEcho(message)) {
      this.dispatch("MESSAGE_DELETE", {
        id: message.id,
        channel_id: message.channel_id,
        ...(guildId ? { guild_id: guildId } : {}),
      });
    }
  }

  private shouldEcho(message: APIMessage): boolean {
    return (
      this.echoBotMessages && ((message.flags ?? 0) & MessageFlag.Ephemeral) === 0 && this.sessions.size > 0
    );
  }

  /** Discord sends the bot its own messages too; adapters must ignore them (or loop forever). */
  private echo(t: "MESSAGE_CREATE" | "MESSAGE_UPDATE", message: APIMessage): void {
    if (!this.shouldEcho(message)) return;
    const channel = this.channels.get(message.channel_id);
    const guildId = guildIdOf(channel);
    const data: JsonRecord = { ...structuredClone(message) };
    if (guildId) {
      data.guild_id = guildId;
      data.member = memberNoUser(guildMember(BOT_USER, this.joinedAt));
    }
    if (channel) data.channel_type = channel.type;
    // dispatch() would store it as an incoming message, replacing the stored object; it is stored already.
    this.fanOut(t, data);
  }

  /** Sends a dispatch to every live session that has the intent for it; returns the current session's seq. */
  private fanOut(t: string, d: unknown): number | null {
    const live = [...this.sessions.values()].filter((s) => s.socket !== null || s.resumable);
    if (live.length === 0) {
      this.dropped.push({ t, reason: "no gateway session" });
      return null;
    }
    let seq: number | null = null;
    for (const session of live) {
      const required = requiredIntent(t, d);
      if (required !== null && (session.intents & required) === 0) {
        this.dropped.push({ t, reason: `session ${session.id} lacks intent ${required}` });
        continue;
      }
      const sent = this.sendDispatch(session, t, this.redactForIntents(session, t, d), true);
      if (session === this.currentSession) seq = sent;
    }
    return seq;
  }

  /** Keeps user messages that were dispatched so threads can be started from them and replies resolve. */
  private storeIncomingMessage(d: unknown): void {
    if (!isRecord(d) || typeof d.id !== "string" || typeof d.channel_id !== "string") return;
    const { guild_id: _guild, member: _member, channel_type: _type, ...rest } = d;
    // The gateway payload is an APIMessage plus the extra fields removed above.
    this.messages.set(d.id, rest as unknown as APIMessage);
    if (isRecord(d.author) && typeof d.author.id === "string") {
      this.users.set(d.author.id, d.author as unknown as APIUser);
    }
  }

  private mentionsIn(content: string): APIUser[] {
    const ids = new Set([...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1] ?? ""));
    return [...ids].map((id) => this.users.get(id) ?? makeUser({ id, username: `user${id}` }));
  }

  private interactionBase(input: InteractionInput) {
    const channelId = input.channel_id ?? TEXT_CHANNEL_ID;
    const channel = this.channels.get(channelId);
    const guildId = input.guild_id === null ? undefined : (input.guild_id ?? guildIdOf(channel));
    const user = makeUser(input.user ?? HUMAN_USER);
    this.users.set(user.id, user);
    const channelPayload =
      channel ?? (guildId ? textChannel(channelId, "unknown", guildId) : dmChannel(channelId, user));
    const common = {
      id: input.id ?? this.snowflake(),
      application_id: input.application_id ?? APP_ID,
      token: input.token ?? `itoken-${randomBytes(12).toString("hex")}`,
      version: 1 as const,
      app_permissions: DEFAULT_PERMISSIONS,
      locale: EN_US,
      entitlements: [],
      attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
      channel_id: channelId,
      channel: channelPayload,
    };
    if (!guildId) {
      return { ...common, user, context: 1, authorizing_integration_owners: { 1: user.id } };
    }
    const member: APIInteractionGuildMember = {
      ...guildMember(user, this.joinedAt),
      permissions: DEFAULT_PERMISSIONS,
      ...input.member,
      user,
    };
    return {
      ...common,
      guild_id: guildId,
      guild: { id: guildId, locale: EN_US, features: [] },
      guild_locale: EN_US,
      member,
      context: 0,
      authorizing_integration_owners: { 0: guildId },
    };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Module-private helpers that need the types above
// ---------------------------------------------------------------------------------------------------------

function guildIdOf(channel: FakeChannel | undefined): string | undefined {
  return channel && "guild_id" in channel ? channel.guild_id : undefined;
}

function dmChannel(id: string, recipient: APIUser): APIDMChannel {
  return {
    id,
    type: 1,
    name: null,
    recipients: [recipient],
    last_message_id: null,
    flags: flags<ChannelFlags>(0),
  };
}

/** Whether some option, at any subcommand depth, is the one being typed. */
function hasFocused(options: unknown): boolean {
  if (!Array.isArray(options)) return false;
  return options.some(
    (option: unknown) => isRecord(option) && (option.focused === true || hasFocused(option.options)),
  );
}

function memberNoUser(member: APIGuildMember): Omit<APIGuildMember, "user"> {
  const { user: _user, ...rest } = member;
  return rest;
}

/** The intent a session needs to receive an event (null: always sent). */
function requiredIntent(t: string, d: unknown): number | null {
  const inGuild = isRecord(d) && typeof d.guild_id === "string";
  if (t.startsWith("MESSAGE_REACTION_"))
    return inGuild ? Intent.GuildMessageReactions : Intent.DirectMessageReactions;
  if (t.startsWith("MESSAGE_")) return inGuild ? Intent.GuildMessages : Intent.DirectMessages;
  if (t === "TYPING_START") return inGuild ? Intent.GuildMessageTyping : Intent.DirectMessageTyping;
  if (t.startsWith("GUILD_MEMBER_")) return Intent.GuildMembers;
  if (t === "PRESENCE_UPDATE") return Intent.GuildPresences;
  if (t.startsWith("THREAD_") || t.startsWith("CHANNEL_") || t.startsWith("GUILD_")) return Intent.Guilds;
  return null;
}

function scriptedReply(failure: ScriptedFailure): Reply {
  if (failure.status !== 429)
    return { status: failure.status, body: failure.body ?? defaultFailureBody(failure.status) };
  const retryAfter = failure.retryAfter ?? 1;
  const global = failure.global === true;
  // Real Discord rounds the Retry-After header up to whole seconds; sending the exact value keeps tests fast
  // (discord.js sleeps Retry-After * 1000 + 50 ms and retries on its own, without counting it as a retry).
  const headers: Record<string, string> = {
    "retry-after": String(retryAfter),
    "x-ratelimit-limit": "5",
    "x-ratelimit-remaining": "0",
    "x-ratelimit-reset-after": String(retryAfter),
    "x-ratelimit-reset": String(Date.now() / 1000 + retryAfter),
    "x-ratelimit-bucket": "fakebucket0000000000000000000000",
    "x-ratelimit-scope": global ? "global" : "user",
    ...(global ? { "x-ratelimit-global": "true" } : {}),
  };
  return {
    status: 429,
    headers,
    body: failure.body ?? { message: "You are being rate limited.", retry_after: retryAfter, global },
  };
}
