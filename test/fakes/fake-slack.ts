/**
 * A fake Slack for end-to-end tests that drive the real `@slack/bolt` against it.
 *
 * It speaks the real wire protocols (Web API over HTTP, response_url POSTs, Socket Mode over
 * WebSocket, signed HTTP requests) so the adapter under test runs exactly the code paths it runs in
 * production; only the network peer is fake. Where cheap, it enforces Slack's documented limits so a
 * test fails the same way production would instead of silently passing.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export type EnvelopeType = "slash_commands" | "events_api" | "interactive";

/** One Web API request as the fake received it. */
export interface RecordedCall {
  method: string;
  /** Parsed body: form fields (JSON-decoded for fields Slack JSON-encodes, e.g. `blocks`) or the JSON object. */
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  at: number;
  /** Bearer token (or legacy `token` body field) the call was authenticated with. */
  token: string | undefined;
  contentType: string;
  rawBody: string;
  /** What the fake answered, so tests can read e.g. the `ts` it assigned. */
  status: number;
  response: Record<string, unknown>;
}

/** One POST to a response_url. */
export interface RecordedResponse {
  id: string;
  body: unknown;
  headers: IncomingHttpHeaders;
  at: number;
  status: number;
  /** Set when the fake rejected the POST (limits, used_url, scripted failure). */
  error: string | undefined;
}

/** A scripted failure for the next call(s) to a Web API method. */
export type FailureSpec = HttpFailure | PlatformFailure;
/** An HTTP-level failure, e.g. `{ status: 429, retryAfter: 1 }` (sent with a Retry-After header). */
export interface HttpFailure {
  status: number;
  retryAfter?: number;
  body?: Record<string, unknown>;
}
/** A 200 response with `ok: false`, e.g. `{ ok: false, error: "msg_too_long" }`; extra keys are echoed. */
export interface PlatformFailure {
  ok: false;
  error: string;
  [key: string]: unknown;
}

function isHttpFailure(spec: FailureSpec): spec is HttpFailure {
  return !("ok" in spec && spec.ok === false);
}

export interface EnvelopeOptions {
  retryAttempt?: number;
  retryReason?: string;
  envelopeId?: string;
  /** Slack sends `false` for events_api and `true` for commands/interactivity; override if needed. */
  acceptsResponsePayload?: boolean;
  /**
   * Reject if no ack within this many ms. Defaults to 15 s: a hang detector, not Slack's 3 s budget,
   * which a busy shared machine can overrun; how fast acks are is measured in bench/, not asserted.
   */
  ackTimeoutMs?: number;
}

export interface EnvelopeAck {
  envelope_id: string;
  payload?: unknown;
  /** Milliseconds from sending the envelope to receiving its ack. */
  ms: number;
}

export interface SocketClose {
  code: number;
  reason: string;
  at: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text: string | undefined;
  blocks: unknown;
  thread_ts: string | undefined;
  user: string;
  bot_id: string;
  deleted: boolean;
}

export interface FakeSlackOptions {
  teamId?: string;
  teamDomain?: string;
  botUserId?: string;
  botId?: string;
  appId?: string;
  /** How many times a single response_url may be used; Slack allows 5 within 30 minutes. */
  responseUrlMaxUses?: number;
}

export type StubResponse =
  | Record<string, unknown>
  | ((call: { body: Record<string, unknown>; token: string | undefined }) => Record<string, unknown>);

// ---------------------------------------------------------------------------------------------
// Limits (https://docs.slack.dev/reference/methods/chat.postMessage, block kit reference)
// ---------------------------------------------------------------------------------------------

export const SLACK_LIMITS = {
  textChars: 40_000,
  blocksPerMessage: 50,
  sectionTextChars: 3_000,
  sectionFieldChars: 2_000,
  sectionFields: 10,
  headerTextChars: 150,
  triggerIdTtlMs: 3_000,
} as const;

// Form-encoded Web API calls JSON-encode these object-valued arguments; everything else stays a string.
const JSON_FORM_FIELDS = new Set([
  "blocks",
  "attachments",
  "metadata",
  "view",
  "unfurls",
  "user_auth_blocks",
  "chunks",
]);

const DEFAULT_ACK_TIMEOUT_MS = 15_000;
const CLOSE_GRACE_MS = 500;
const TS_BASE_SECONDS = 1_712_000_000;

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (err: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (err: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

function randomId(prefix: string, bytes = 5): string {
  return `${prefix}${randomBytes(bytes).toString("hex").toUpperCase()}`;
}

function describeCalls(calls: readonly RecordedCall[]): string {
  if (calls.length === 0) return "(none)";
  return calls
    .map((c) => `${c.method}→${c.status}${c.response.ok === false ? `:${String(c.response.error)}` : ""}`)
    .join(", ");
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Parses a Web API body the way Slack does: form (with JSON-encoded object fields) or JSON. */
export function parseApiBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes("application/json")) {
    if (raw.trim() === "") return {};
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) ? parsed : {};
  }
  // Slack treats an absent content type as form-encoded, as does curl -d.
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (JSON_FORM_FIELDS.has(key)) {
      try {
        out[key] = JSON.parse(value);
      } catch {
        // Keep the raw string so validation can report invalid_*_format like Slack does.
        out[key] = value;
      }
    } else {
      out[key] = value;
    }
  }
  return out;
}

function blockTextLength(obj: unknown): number {
  return isRecord(obj) && typeof obj.text === "string" ? obj.text.length : 0;
}

/**
 * Validates message content against Slack's limits. Returns the Slack error code (and a human
 * message like Slack's `response_metadata.messages`) or undefined when valid.
 */
export function validateMessage(
  body: Record<string, unknown>,
  requireContent: boolean,
): { error: string; detail: string } | undefined {
  const text = str(body.text);
  if (text !== undefined && text.length > SLACK_LIMITS.textChars) {
    return { error: "msg_too_long", detail: `text is ${text.length} chars (max ${SLACK_LIMITS.textChars})` };
  }
  const { blocks } = body;
  if (blocks !== undefined && blocks !== "") {
    if (!Array.isArray(blocks))
      return { error: "invalid_blocks_format", detail: "blocks must be a JSON array" };
    if (blocks.length > SLACK_LIMITS.blocksPerMessage) {
      return {
        error: "invalid_blocks",
        detail: `${blocks.length} blocks (max ${SLACK_LIMITS.blocksPerMessage})`,
      };
    }
    for (const [i, block] of blocks.entries()) {
      if (!isRecord(block) || typeof block.type !== "string") {
        return { error: "invalid_blocks", detail: `block ${i} has no type` };
      }
      if (block.type === "section") {
        const len = blockTextLength(block.text);
        if (len > SLACK_LIMITS.sectionTextChars) {
          return {
            error: "invalid_blocks",
            detail: `section block ${i} text is ${len} chars (max ${SLACK_LIMITS.sectionTextChars})`,
          };
        }
        if (block.text === undefined && block.fields === undefined) {
          return { error: "invalid_blocks", detail: `section block ${i} needs text or fields` };
        }
        if (Array.isArray(block.fields)) {
          if (block.fields.length > SLACK_LIMITS.sectionFields) {
            return {
              error: "invalid_blocks",
              detail: `section block ${i} has ${block.fields.length} fields`,
            };
          }
          for (const field of block.fields) {
            if (blockTextLength(field) > SLACK_LIMITS.sectionFieldChars) {
              return { error: "invalid_blocks", detail: `section block ${i} field too long` };
            }
          }
        }
      }
      if (block.type === "header" && blockTextLength(block.text) > SLACK_LIMITS.headerTextChars) {
        return { error: "invalid_blocks", detail: `header block ${i} text too long` };
      }
    }
  }
  if (requireContent) {
    const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
    const hasAttachments = body.attachments !== undefined && body.attachments !== "";
    if ((text === undefined || text === "") && !hasBlocks && !hasAttachments) {
      return { error: "no_text", detail: "text, blocks or attachments is required" };
    }
  }
  return undefined;
}

// Trigger ids minted by the payload helpers carry their issue time, so views.open can enforce the
// 3-second validity window the way Slack does (expired_trigger_id).
const TRIGGER_ID_RE = /^(\d{13})\.\d+\.fake[0-9a-f]+$/;

export function makeTriggerId(issuedAtMs: number = Date.now()): string {
  return `${issuedAtMs}.1.fake${randomBytes(8).toString("hex")}`;
}

let eventTsCounter = 0;
/** A unique, monotonically increasing message ts for user messages in events. */
export function nextEventTs(): string {
  eventTsCounter += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(eventTsCounter % 1_000_000).padStart(6, "0")}`;
}

// ---------------------------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------------------------

interface PendingAck {
  envelopeId: string;
  sentAt: number;
  resolve: (ack: EnvelopeAck) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  promise: Promise<EnvelopeAck>;
}

interface Waiter {
  check: () => boolean;
  fail: (err: Error) => void;
  promise: Promise<unknown>;
}

interface ApiResult {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export class FakeSlack {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;
  private readonly responseUrlMaxUses: number;

  readonly calls: RecordedCall[] = [];
  readonly responses: RecordedResponse[] = [];
  /** Every JSON message a Socket Mode client sent (acks, mostly). */
  readonly socketMessages: unknown[] = [];
  readonly socketCloses: SocketClose[] = [];
  /** Messages the bot posted, keyed by ts; chat.update/chat.delete only accept these. */
  readonly messages = new Map<string, StoredMessage>();
  /** `${channel}:${timestamp}:${name}` for reactions currently present. */
  readonly reactions = new Set<string>();
  /** Total WebSocket connections accepted so far (reconnects increase it). */
  connectionCount = 0;

  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly clients: WebSocket[] = [];
  private readonly failures = new Map<string, FailureSpec[]>();
  private readonly responseFailures: { status: number; body?: Record<string, unknown> }[] = [];
  private readonly stubs = new Map<string, StubResponse>();
  private readonly responseUrlUses = new Map<string, number>();
  private readonly pendingAcks: PendingAck[] = [];
  private readonly waiters = new Set<Waiter>();
  private tsCounter = 0;

  constructor(options: FakeSlackOptions = {}) {
    this.teamId = options.teamId ?? "T1";
    this.teamDomain = options.teamDomain ?? "fake-team";
    this.botUserId = options.botUserId ?? "U_BOT";
    this.botId = options.botId ?? "B1";
    this.appId = options.appId ?? "A1";
    this.responseUrlMaxUses = options.responseUrlMaxUses ?? 5;
  }

  // ----- lifecycle ---------------------------------------------------------------------------

  async start(): Promise<void> {
    if (this.server) throw new Error("FakeSlack already started");
    const server = createServer((req, res) => {
      this.handleHttp(req, res).catch((err: unknown) => {
        if (!res.headersSent)
          sendJson(res, 500, { ok: false, error: "fake_internal_error", detail: String(err) });
      });
    });
    // Keep-alive sockets from Bolt's fetch would otherwise hold server.close() open.
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    // noServer so we decide which paths upgrade and can tear clients down ourselves in close().
    const wss = new WebSocketServer({ noServer: true });
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
      if (path !== "/socket") {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.onSocketConnection(ws));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    this.wss = wss;
    this.port = (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Error("FakeSlack closed");
    for (const pending of this.pendingAcks.splice(0)) {
      clearTimeout(pending.timer);
      // Nobody may be awaiting a fire-and-forget envelope; don't turn shutdown into an unhandled rejection.
      pending.promise.catch(() => undefined);
      pending.reject(closed);
    }
    for (const waiter of [...this.waiters]) {
      waiter.promise.catch(() => undefined);
      waiter.fail(closed);
    }
    this.waiters.clear();
    // Close handshake first: a client whose app just called stop() has a close frame in flight, and
    // cutting the TCP connection under it makes undici log a WebSocket error into the next test.
    const clients = [...this.clients];
    let graceTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(clients.map((ws) => closeGracefully(ws))),
      new Promise<void>((resolve) => {
        graceTimer = setTimeout(resolve, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(graceTimer);
    for (const ws of clients) if (ws.readyState !== ws.CLOSED) ws.terminate();
    this.clients.length = 0;
    this.wss?.close();
    this.wss = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Clears recorded traffic and scripted behaviour so one fake can serve many tests. */
  reset(): void {
    this.calls.length = 0;
    this.responses.length = 0;
    this.socketMessages.length = 0;
    this.socketCloses.length = 0;
    this.messages.clear();
    this.reactions.clear();
    this.failures.clear();
    this.responseFailures.length = 0;
    this.stubs.clear();
    this.responseUrlUses.clear();
  }

  // ----- addresses ---------------------------------------------------------------------------

  private get origin(): string {
    if (!this.server) throw new Error("FakeSlack not started: call await fake.start() first");
    return `http://127.0.0.1:${this.port}`;
  }

  /** For `clientOptions.slackApiUrl`; ends with `/api/` like the real one. */
  get url(): string {
    return `${this.origin}/api/`;
  }

  responseUrl(id: string = randomUUID()): string {
    return `${this.origin}/response/${encodeURIComponent(id)}`;
  }

  // ----- scripting ---------------------------------------------------------------------------

  /** Make the next `times` calls to `method` fail as specified (429 with Retry-After, ok:false, 5xx). */
  failNext(method: string, spec: FailureSpec, times = 1): void {
    const queue = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(spec);
    this.failures.set(method, queue);
  }

  /** Make the next POST to any response_url fail with this HTTP status (e.g. 404 expired_url). */
  failNextResponse(spec: { status: number; body?: Record<string, unknown> }): void {
    this.responseFailures.push(spec);
  }

  /** Replace the fake's answer for `method` until reset(); the answer is still recorded. */
  stub(method: string, response: StubResponse): void {
    this.stubs.set(method, response);
  }

  // ----- inspection --------------------------------------------------------------------------

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  waitForCalls(method: string, count = 1, timeoutMs = 2_000): Promise<RecordedCall[]> {
    return this.waitFor(
      () => (this.callsTo(method).length >= count ? this.callsTo(method) : undefined),
      timeoutMs,
      () =>
        `waitForCalls: expected ${count} call(s) to ${method} within ${timeoutMs}ms, got ${this.callsTo(method).length}. Recorded: ${describeCalls(this.calls)}`,
    );
  }

  waitForResponses(count = 1, timeoutMs = 2_000): Promise<RecordedResponse[]> {
    return this.waitFor(
      () => (this.responses.length >= count ? [...this.responses] : undefined),
      timeoutMs,
      () =>
        `waitForResponses: expected ${count} response_url POST(s) within ${timeoutMs}ms, got ${this.responses.length}: ${JSON.stringify(this.responses.map((r) => r.body))}. Web API calls: ${describeCalls(this.calls)}`,
    );
  }

  /** Resolves once a Socket Mode client is connected (and has been sent hello). */
  waitForConnection(timeoutMs = 2_000): Promise<void> {
    return this.waitFor(
      () => (this.openClient() ? true : undefined),
      timeoutMs,
      () =>
        `waitForConnection: no Socket Mode client connected within ${timeoutMs}ms. Web API calls: ${describeCalls(this.calls)}`,
    ).then(() => undefined);
  }

  /** Resolves once no Socket Mode client is connected (e.g. after `app.stop()`). */
  waitForDisconnect(timeoutMs = 2_000): Promise<void> {
    return this.waitFor(
      () => (this.openClient() ? undefined : true),
      timeoutMs,
      () => `waitForDisconnect: a Socket Mode client is still connected after ${timeoutMs}ms`,
    ).then(() => undefined);
  }

  get connected(): boolean {
    return this.openClient() !== undefined;
  }

  private waitFor<T>(probe: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    const first = probe();
    if (first !== undefined) return Promise.resolve(first);
    const d = deferred<T>();
    const waiter: Waiter = {
      check: () => {
        const value = probe();
        if (value === undefined) return false;
        clearTimeout(timer);
        d.resolve(value);
        return true;
      },
      fail: (err) => {
        clearTimeout(timer);
        d.reject(err);
      },
      promise: d.promise,
    };
    const timer = setTimeout(() => {
      this.waiters.delete(waiter);
      d.reject(new Error(describe()));
    }, timeoutMs);
    this.waiters.add(waiter);
    return d.promise;
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) this.waiters.delete(waiter);
    }
  }

  // ----- Socket Mode -------------------------------------------------------------------------

  private openClient(): WebSocket | undefined {
    // Slack delivers each envelope to one connection; the newest is the one a reconnecting client uses.
    for (let i = this.clients.length - 1; i >= 0; i -= 1) {
      const ws = this.clients[i];
      if (ws && ws.readyState === ws.OPEN) return ws;
    }
    return undefined;
  }

  private onSocketConnection(ws: WebSocket): void {
    this.connectionCount += 1;
    this.clients.push(ws);
    ws.on("message", (data: RawData, isBinary: boolean) => this.onSocketMessage(data, isBinary));
    ws.on("close", (code: number, reason: Buffer) => {
      const idx = this.clients.indexOf(ws);
      if (idx >= 0) this.clients.splice(idx, 1);
      this.socketCloses.push({ code, reason: reason.toString("utf8"), at: Date.now() });
      this.notify();
    });
    // Bolt's SocketModeClient only resolves start() after this hello.
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.clients.length,
        debug_info: { host: "fake", build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    this.notify();
  }

  private onSocketMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const text = buf.toString("utf8");
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.socketMessages.push(text);
      return;
    }
    this.socketMessages.push(message);
    if (!isRecord(message) || typeof message.envelope_id !== "string") return;
    const idx = this.pendingAcks.findIndex((p) => p.envelopeId === message.envelope_id);
    const pending = idx >= 0 ? this.pendingAcks.splice(idx, 1)[0] : undefined;
    if (!pending) return;
    clearTimeout(pending.timer);
    const ack: EnvelopeAck = { envelope_id: message.envelope_id, ms: Date.now() - pending.sentAt };
    if (message.payload !== undefined) ack.payload = message.payload;
    pending.resolve(ack);
  }

  /**
   * Sends a Socket Mode envelope to the connected client and resolves with its ack. Reusing an
   * `envelopeId` (with `retryAttempt`) simulates Slack's redelivery; each send awaits its own ack.
   */
  sendEnvelope(type: EnvelopeType, payload: unknown, opts: EnvelopeOptions = {}): Promise<EnvelopeAck> {
    const ws = this.openClient();
    if (!ws) {
      return Promise.reject(
        new Error(
          `sendEnvelope(${type}): no Socket Mode client connected (connections so far: ${this.connectionCount})`,
        ),
      );
    }
    const envelopeId = opts.envelopeId ?? randomUUID();
    const ackTimeoutMs = opts.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    const envelope = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: opts.acceptsResponsePayload ?? type !== "events_api",
      retry_attempt: opts.retryAttempt ?? 0,
      retry_reason: opts.retryReason ?? "",
    };
    const d = deferred<EnvelopeAck>();
    const pending: PendingAck = {
      envelopeId,
      sentAt: Date.now(),
      resolve: d.resolve,
      reject: d.reject,
      promise: d.promise,
      timer: setTimeout(() => {
        const idx = this.pendingAcks.indexOf(pending);
        if (idx >= 0) this.pendingAcks.splice(idx, 1);
        d.reject(
          new Error(
            `sendEnvelope(${type}): no ack for envelope ${envelopeId} within ${ackTimeoutMs}ms. Messages from client: ${JSON.stringify(this.socketMessages)}`,
          ),
        );
      }, ackTimeoutMs),
    };
    this.pendingAcks.push(pending);
    ws.send(JSON.stringify(envelope));
    return d.promise;
  }

  /** Sends an arbitrary JSON message over the socket (e.g. malformed or unknown types). */
  sendRaw(message: unknown): void {
    const ws = this.openClient();
    if (!ws) throw new Error("sendRaw: no Socket Mode client connected");
    ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Slack asks clients to reconnect with this before recycling a connection. */
  sendDisconnect(reason: "warning" | "refresh_requested" | "link_disabled" = "refresh_requested"): void {
    this.sendRaw({ type: "disconnect", reason, debug_info: { host: "fake" } });
  }

  /** Sends a WebSocket ping frame to every client (Slack pings periodically). */
  pingClients(): void {
    for (const ws of this.clients) if (ws.readyState === ws.OPEN) ws.ping();
  }

  // ----- HTTP routing ------------------------------------------------------------------------

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = await readBody(req);
    if (url.pathname.startsWith("/api/")) {
      this.handleApi(decodeURIComponent(url.pathname.slice("/api/".length)), url, raw, req, res);
      return;
    }
    if (url.pathname.startsWith("/response/") && req.method === "POST") {
      this.handleResponseUrl(decodeURIComponent(url.pathname.slice("/response/".length)), raw, req, res);
      return;
    }
    sendJson(res, 404, { ok: false, error: "not_found", path: url.pathname });
  }

  private handleApi(method: string, url: URL, raw: string, req: IncomingMessage, res: ServerResponse): void {
    const contentType = req.headers["content-type"] ?? "";
    let body: Record<string, unknown>;
    let result: ApiResult | undefined;
    try {
      body = parseApiBody(raw, contentType);
    } catch {
      body = {};
      result = { status: 200, body: { ok: false, error: "invalid_json" } };
    }
    // GET-style query arguments are accepted by Slack too; body wins on conflict.
    for (const [key, value] of url.searchParams) if (!(key in body)) body[key] = value;
    const auth = req.headers.authorization;
    const token = auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length) : str(body.token);

    result ??= this.dispatch(method, body, token);
    this.calls.push({
      method,
      body,
      headers: req.headers,
      at: Date.now(),
      token,
      contentType,
      rawBody: raw,
      status: result.status,
      response: result.body,
    });
    sendJson(res, result.status, result.body, result.headers);
    this.notify();
  }

  private dispatch(method: string, body: Record<string, unknown>, token: string | undefined): ApiResult {
    const failure = this.failures.get(method)?.shift();
    if (failure) {
      if (isHttpFailure(failure)) {
        const headers: Record<string, string> = {};
        if (failure.status === 429) headers["retry-after"] = String(failure.retryAfter ?? 1);
        const fallback = failure.status === 429 ? "ratelimited" : "fatal_error";
        return { status: failure.status, body: failure.body ?? { ok: false, error: fallback }, headers };
      }
      return { status: 200, body: { ...failure } };
    }

    const authError = this.checkToken(method, token);
    if (authError) return ok200({ ok: false, error: authError });

    const stub = this.stubs.get(method);
    if (stub) return ok200(typeof stub === "function" ? stub({ body, token }) : stub);

    switch (method) {
      case "api.test":
        return ok200({ ok: true, args: body });
      case "auth.test":
        return ok200({
          ok: true,
          url: `https://${this.teamDomain}.slack.com/`,
          team: "Fake Team",
          user: "spotlight",
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
          is_enterprise_install: false,
        });
      case "apps.connections.open":
        return ok200({
          ok: true,
          url: `ws://127.0.0.1:${this.port}/socket?ticket=${randomUUID()}&app_id=${this.appId}`,
        });
      case "chat.postMessage":
        return this.postMessage(body);
      case "chat.update":
        return this.updateMessage(body);
      case "chat.postEphemeral": {
        const channel = str(body.channel);
        if (!channel) return ok200({ ok: false, error: "channel_not_found" });
        if (!str(body.user)) return ok200({ ok: false, error: "user_not_found" });
        const invalid = validateMessage(body, true);
        if (invalid) return invalidMessage(invalid);
        return ok200({ ok: true, message_ts: this.nextTs() });
      }
      case "chat.delete": {
        const ts = str(body.ts);
        const stored = ts ? this.messages.get(ts) : undefined;
        if (
          !ts ||
          !stored ||
          stored.deleted ||
          stored.channel !== this.resolveChannel(str(body.channel) ?? "")
        ) {
          return ok200({ ok: false, error: "message_not_found" });
        }
        stored.deleted = true;
        return ok200({ ok: true, channel: stored.channel, ts });
      }
      case "reactions.add":
      case "reactions.remove": {
        const channel = str(body.channel);
        const ts = str(body.timestamp);
        const name = str(body.name);
        if (!channel || !ts) return ok200({ ok: false, error: "no_item_specified" });
        if (!name) return ok200({ ok: false, error: "invalid_name" });
        const key = `${channel}:${ts}:${name}`;
        if (method === "reactions.add") {
          if (this.reactions.has(key)) return ok200({ ok: false, error: "already_reacted" });
          this.reactions.add(key);
        } else {
          if (!this.reactions.delete(key)) return ok200({ ok: false, error: "no_reaction" });
        }
        return ok200({ ok: true });
      }
      case "conversations.replies":
        return ok200({ ok: true, messages: [], has_more: false, response_metadata: { next_cursor: "" } });
      case "users.info": {
        const user = str(body.user);
        if (!user) return ok200({ ok: false, error: "user_not_found" });
        return ok200({
          ok: true,
          user: {
            id: user,
            team_id: this.teamId,
            name: `user-${user.toLowerCase()}`,
            real_name: `User ${user}`,
            tz: "UTC",
            is_bot: user === this.botUserId,
            deleted: false,
            profile: { display_name: `user-${user.toLowerCase()}`, real_name: `User ${user}` },
          },
        });
      }
      case "views.open":
        return this.openView(body);
      default:
        return ok200({ ok: true });
    }
  }

  private checkToken(method: string, token: string | undefined): string | undefined {
    if (method === "api.test" || method.startsWith("oauth.")) return undefined;
    if (!token) return "not_authed";
    const isAppToken = token.startsWith("xapp-");
    // Socket Mode's URL endpoint only accepts app-level tokens, and nothing else accepts them;
    // this catches a WebClient wired with the wrong token.
    if (method === "apps.connections.open") return isAppToken ? undefined : "not_allowed_token_type";
    if (isAppToken && method !== "auth.test") return "not_allowed_token_type";
    return undefined;
  }

  private nextTs(): string {
    this.tsCounter += 1;
    const micros = this.tsCounter * 100;
    const seconds = TS_BASE_SECONDS + Math.floor(micros / 1_000_000);
    return `${seconds}.${String(micros % 1_000_000).padStart(6, "0")}`;
  }

  private resolveChannel(channel: string): string {
    // Posting to a user id opens (or reuses) the DM, and Slack answers with the D… channel id.
    return /^U[A-Z0-9_]+$/.test(channel) ? `D${channel.slice(1)}` : channel;
  }

  private messageJson(stored: StoredMessage): Record<string, unknown> {
    const message: Record<string, unknown> = {
      type: "message",
      user: stored.user,
      bot_id: stored.bot_id,
      app_id: this.appId,
      team: this.teamId,
      text: stored.text ?? "",
      ts: stored.ts,
    };
    if (stored.blocks !== undefined) message.blocks = stored.blocks;
    if (stored.thread_ts !== undefined) message.thread_ts = stored.thread_ts;
    return message;
  }

  private postMessage(body: Record<string, unknown>): ApiResult {
    const rawChannel = str(body.channel);
    if (!rawChannel) return ok200({ ok: false, error: "channel_not_found" });
    const invalid = validateMessage(body, true);
    if (invalid) return invalidMessage(invalid);
    const channel = this.resolveChannel(rawChannel);
    const ts = this.nextTs();
    const threadTs = str(body.thread_ts);
    const stored: StoredMessage = {
      channel,
      ts,
      text: str(body.text),
      blocks: body.blocks,
      thread_ts: threadTs === "" ? undefined : threadTs,
      user: this.botUserId,
      bot_id: this.botId,
      deleted: false,
    };
    this.messages.set(ts, stored);
    return ok200({ ok: true, channel, ts, message: this.messageJson(stored) });
  }

  private updateMessage(body: Record<string, unknown>): ApiResult {
    const channel = str(body.channel);
    const ts = str(body.ts);
    if (!channel) return ok200({ ok: false, error: "channel_not_found" });
    const stored = ts ? this.messages.get(ts) : undefined;
    // Only messages the bot posted through this fake exist, which is also what Slack enforces
    // (cant_update_message for others' messages).
    if (!ts || !stored || stored.deleted || stored.channel !== this.resolveChannel(channel)) {
      return ok200({ ok: false, error: "message_not_found" });
    }
    const invalid = validateMessage(body, false);
    if (invalid) return invalidMessage(invalid);
    if (body.text !== undefined) stored.text = str(body.text);
    if (body.blocks !== undefined) stored.blocks = body.blocks;
    return ok200({
      ok: true,
      channel: stored.channel,
      ts,
      text: stored.text ?? "",
      message: this.messageJson(stored),
    });
  }

  private openView(body: Record<string, unknown>): ApiResult {
    const triggerId = str(body.trigger_id);
    if (!triggerId) return ok200({ ok: false, error: "invalid_arguments" });
    const match = TRIGGER_ID_RE.exec(triggerId);
    if (match?.[1] && Date.now() - Number(match[1]) > SLACK_LIMITS.triggerIdTtlMs) {
      return ok200({ ok: false, error: "expired_trigger_id" });
    }
    const view = body.view;
    if (!isRecord(view)) return ok200({ ok: false, error: "invalid_arguments" });
    return ok200({
      ok: true,
      view: {
        id: randomId("V"),
        team_id: this.teamId,
        app_id: this.appId,
        bot_id: this.botId,
        hash: randomId("", 6).toLowerCase(),
        state: { values: {} },
        ...view,
      },
    });
  }

  private handleResponseUrl(id: string, raw: string, req: IncomingMessage, res: ServerResponse): void {
    let body: unknown;
    let status = 200;
    let reply: Record<string, unknown> = { ok: true };
    try {
      body = raw.trim() === "" ? {} : JSON.parse(raw);
    } catch {
      body = raw;
      status = 400;
      reply = { ok: false, error: "invalid_payload" };
    }
    const uses = (this.responseUrlUses.get(id) ?? 0) + 1;
    this.responseUrlUses.set(id, uses);
    const scripted = this.responseFailures.shift();
    if (status === 200 && scripted) {
      status = scripted.status;
      reply = scripted.body ?? { ok: false, error: status === 404 ? "expired_url" : "fatal_error" };
    } else if (status === 200 && uses > this.responseUrlMaxUses) {
      status = 404;
      reply = { ok: false, error: "used_url" };
    } else if (status === 200 && isRecord(body)) {
      const invalid = validateMessage(body, false);
      if (invalid) {
        status = 400;
        reply = {
          ok: false,
          error: invalid.error,
          response_metadata: { messages: [`[ERROR] ${invalid.detail}`] },
        };
      }
    }
    this.responses.push({
      id,
      body,
      headers: req.headers,
      at: Date.now(),
      status,
      error: reply.ok === false ? str(reply.error) : undefined,
    });
    sendJson(res, status, reply);
    this.notify();
  }
}

function closeGracefully(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) {
      resolve();
      return;
    }
    ws.once("close", () => resolve());
    // 1001 "going away" is what a server sends when shutting down; a client still running will
    // try to reconnect (and fail), so tests should stop their apps before closing the fake.
    if (ws.readyState === ws.OPEN) ws.close(1001, "fake slack closing");
  });
}

function ok200(body: Record<string, unknown>): ApiResult {
  return { status: 200, body };
}

function invalidMessage(invalid: { error: string; detail: string }): ApiResult {
  // Slack explains block errors in response_metadata.messages; the WebClient logs these.
  return ok200({
    ok: false,
    error: invalid.error,
    response_metadata: { messages: [`[ERROR] ${invalid.detail}`] },
  });
}

// ---------------------------------------------------------------------------------------------
// Payload builders (shapes as Slack sends them)
// ---------------------------------------------------------------------------------------------

const FAKE_VERIFICATION_TOKEN = "fake-verification-token";
// Port 9 (discard) refuses connections: a forgotten response_url fails fast instead of reaching the internet.
const UNROUTABLE_RESPONSE_URL = "http://127.0.0.1:9/response/unset";

export interface SlashCommandInput {
  command: string;
  text?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  team_id?: string;
  team_domain?: string;
  api_app_id?: string;
  response_url?: string;
  trigger_id?: string;
}

/** Slash command fields; Slack form-encodes these over HTTP and sends the same object over Socket Mode. */
export function slashCommandPayload(input: SlashCommandInput): Record<string, string> {
  return {
    token: FAKE_VERIFICATION_TOKEN,
    team_id: input.team_id ?? "T1",
    team_domain: input.team_domain ?? "fake-team",
    channel_id: input.channel_id ?? "C1",
    channel_name: input.channel_name ?? "general",
    user_id: input.user_id ?? "U_USER",
    user_name: input.user_name ?? "alice",
    command: input.command,
    text: input.text ?? "",
    api_app_id: input.api_app_id ?? "A1",
    is_enterprise_install: "false",
    response_url: input.response_url ?? UNROUTABLE_RESPONSE_URL,
    trigger_id: input.trigger_id ?? makeTriggerId(),
  };
}

export interface EventCallbackOptions {
  team_id?: string;
  event_id?: string;
  event_time?: number;
  api_app_id?: string;
  /** The bot user the event is authorized for (authorizations[0].user_id). */
  bot_user_id?: string;
}

/** The events_api body (Socket Mode payload / HTTP JSON body) wrapping an inner event. */
export function eventCallback(
  event: Record<string, unknown>,
  opts: EventCallbackOptions = {},
): Record<string, unknown> {
  const teamId = opts.team_id ?? "T1";
  return {
    token: FAKE_VERIFICATION_TOKEN,
    team_id: teamId,
    context_team_id: teamId,
    context_enterprise_id: null,
    api_app_id: opts.api_app_id ?? "A1",
    event,
    type: "event_callback",
    event_id: opts.event_id ?? randomId("Ev", 6),
    event_time: opts.event_time ?? Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: teamId,
        user_id: opts.bot_user_id ?? "U_BOT",
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomBytes(12).toString("base64url")}`,
  };
}

/** Rich text blocks the Slack client attaches to user messages, with `<@U…>` as user elements. */
function richTextBlocks(text: string): unknown[] {
  const elements: Record<string, unknown>[] = [];
  for (const part of text.split(/(<@[A-Z0-9_]+>)/)) {
    if (part === "") continue;
    const mention = /^<@([A-Z0-9_]+)>$/.exec(part);
    elements.push(mention ? { type: "user", user_id: mention[1] } : { type: "text", text: part });
  }
  return [
    {
      type: "rich_text",
      block_id: randomBytes(3).toString("hex"),
      elements: [{ type: "rich_text_section", elements }],
    },
  ];
}

export interface MessageEventInput {
  text: string;
  user?: string;
  channel?: string;
  channel_type?: "channel" | "group" | "im" | "mpim";
  ts?: string;
  thread_ts?: string;
  team?: string;
  subtype?: string;
  bot_id?: string;
}

export function appMention(
  input: Omit<MessageEventInput, "channel_type" | "subtype">,
): Record<string, unknown> {
  const ts = input.ts ?? nextEventTs();
  const event: Record<string, unknown> = {
    type: "app_mention",
    user: input.user ?? "U_USER",
    text: input.text,
    ts,
    client_msg_id: randomUUID(),
    team: input.team ?? "T1",
    blocks: richTextBlocks(input.text),
    channel: input.channel ?? "C1",
    event_ts: ts,
  };
  if (input.thread_ts !== undefined) event.thread_ts = input.thread_ts;
  if (input.bot_id !== undefined) event.bot_id = input.bot_id;
  return event;
}

export function messageEvent(input: MessageEventInput): Record<string, unknown> {
  const ts = input.ts ?? nextEventTs();
  const event: Record<string, unknown> = {
    type: "message",
    user: input.user ?? "U_USER",
    text: input.text,
    ts,
    team: input.team ?? "T1",
    blocks: richTextBlocks(input.text),
    channel: input.channel ?? (input.channel_type === "im" ? "D1" : "C1"),
    event_ts: ts,
    channel_type: input.channel_type ?? "channel",
  };
  if (input.subtype !== undefined) event.subtype = input.subtype;
  else event.client_msg_id = randomUUID();
  if (input.bot_id !== undefined) event.bot_id = input.bot_id;
  if (input.thread_ts !== undefined) {
    event.thread_ts = input.thread_ts;
    event.parent_user_id = input.user ?? "U_USER";
  }
  return event;
}

export interface BlockActionInput {
  action_id: string;
  value?: string;
  block_id?: string;
  user_id?: string;
  channel_id?: string;
  team_id?: string;
  message_ts?: string;
  message?: Record<string, unknown>;
  response_url?: string;
  trigger_id?: string;
  api_app_id?: string;
}

/** A button click (`block_actions`) as Slack sends it: Socket Mode payload / HTTP `payload=` field. */
export function blockActionsPayload(input: BlockActionInput): Record<string, unknown> {
  const userId = input.user_id ?? "U_USER";
  const channelId = input.channel_id ?? "C1";
  const teamId = input.team_id ?? "T1";
  const messageTs = input.message_ts ?? nextEventTs();
  const now = Date.now();
  return {
    type: "block_actions",
    user: { id: userId, username: "alice", name: "alice", team_id: teamId },
    api_app_id: input.api_app_id ?? "A1",
    token: FAKE_VERIFICATION_TOKEN,
    container: { type: "message", message_ts: messageTs, channel_id: channelId, is_ephemeral: false },
    trigger_id: input.trigger_id ?? makeTriggerId(now),
    team: { id: teamId, domain: "fake-team" },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: "general" },
    message: input.message ?? { type: "message", user: "U_BOT", ts: messageTs, text: "" },
    state: { values: {} },
    response_url: input.response_url ?? UNROUTABLE_RESPONSE_URL,
    actions: [
      {
        action_id: input.action_id,
        block_id: input.block_id ?? randomBytes(3).toString("hex"),
        text: { type: "plain_text", text: "Button", emoji: true },
        value: input.value ?? "",
        type: "button",
        action_ts: `${Math.floor(now / 1000)}.${String(now % 1000).padStart(3, "0")}000`,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP (Events API / slash command / interactivity) mode
// ---------------------------------------------------------------------------------------------

/** Form-encodes fields the way Slack posts slash commands. */
export function formEncode(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** Interactivity requests are a form with one field, `payload`, holding JSON. */
export function interactivityBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded";
export const JSON_CONTENT_TYPE = "application/json";

export interface SlackSignatureHeaders {
  "x-slack-signature": string;
  "x-slack-request-timestamp": string;
}

/** Slack's v0 request signature: HMAC-SHA256 over `v0:<ts>:<raw body>`. */
export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): SlackSignatureHeaders {
  const digest = createHmac("sha256", signingSecret)
    .update(`v0:${timestampSeconds}:${rawBody}`)
    .digest("hex");
  return { "x-slack-signature": `v0=${digest}`, "x-slack-request-timestamp": String(timestampSeconds) };
}

export interface PostSignedOptions {
  /** Override the signed timestamp (seconds), e.g. to send a stale request. */
  timestamp?: number;
  /** Override the signature header, e.g. to send a forged request. */
  signature?: string;
  /** Send no signature headers at all. */
  omitHeaders?: boolean;
  /** Slack's redelivery headers for the HTTP Events API. */
  retryNum?: number;
  retryReason?: string;
}

export interface PostSignedResult {
  status: number;
  body: string;
  headers: Record<string, string>;
  ms: number;
}

/** POSTs a body to the bot's HTTP endpoint signed like Slack would, timing the round trip. */
export async function postSigned(
  url: string,
  signingSecret: string,
  body: string,
  contentType: string,
  opts: PostSignedOptions = {},
): Promise<PostSignedResult> {
  const headers: Record<string, string> = { "content-type": contentType };
  if (!opts.omitHeaders) {
    const signed = signSlackRequest(signingSecret, body, opts.timestamp);
    headers["x-slack-request-timestamp"] = signed["x-slack-request-timestamp"];
    headers["x-slack-signature"] = opts.signature ?? signed["x-slack-signature"];
  }
  if (opts.retryNum !== undefined) headers["x-slack-retry-num"] = String(opts.retryNum);
  if (opts.retryReason !== undefined) headers["x-slack-retry-reason"] = opts.retryReason;
  const started = Date.now();
  const res = await fetch(url, { method: "POST", headers, body });
  const text = await res.text();
  return {
    status: res.status,
    body: text,
    headers: Object.fromEntries(res.headers.entries()),
    ms: Date.now() - started,
  };
}
