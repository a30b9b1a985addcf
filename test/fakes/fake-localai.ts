/**
 * A fake LocalAI / llama.cpp / OpenAI-compatible server for tests that drive the real `openai` SDK.
 *
 * Real OpenAI-compatible servers deviate from OpenAI in ways that break naive clients (llama.cpp's
 * server closes the socket after a stream, cuts over-long prompts, reports errors inside 200
 * streams; LocalAI's streamed usage is often missing). Mocking the SDK would hide exactly those
 * deviations, so this fake speaks HTTP on a real socket and can reproduce each of them on demand.
 * Server-wide traits (its context, its slots, its API key, /props) are set with `configure()`.
 *
 * Typical use:
 *   const fake = await startFakeLocalAI();
 *   afterAll(() => fake.close());
 *   beforeEach(() => fake.reset());
 *   fake.queue([{ status: 429, retryAfter: 1 }]); // next request only
 *   fake.behave({ llamaCppShape: true });        // every request until reset()
 */
import { randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** `true` means "after DEFAULT_AFTER_CHUNKS content chunks"; an object picks the count. */
export type MidStream = boolean | { afterChunks: number };

/** Default fault position: after two content chunks, so a test sees some text before the fault. */
export const DEFAULT_AFTER_CHUNKS = 2;

export const DEFAULT_MODEL = "test-model";

/** Short answer citing a source, the shape Spotlight's prompt asks for. */
export const DEFAULT_REPLY = "Kubernetes is an open-source container orchestration system [1].";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface Behaviour {
  /** Reply text: fixed, or computed from the request (e.g. to echo part of the prompt). */
  reply?: string | ((req: RecordedRequest) => string);
  /** Wait before the first byte (status line included). */
  delayMs?: number;
  /** Wait between streamed SSE events. */
  chunkDelayMs?: number;
  /**
   * Answer with this HTTP error status instead of a completion. 429/404 get OpenAI-style bodies;
   * 500/503/others get llama.cpp-style bodies (`{"error":{"code","message","type"}}`, no `param`).
   */
  status?: number;
  /** `Retry-After` header (seconds, or any string such as an HTTP date) on error responses. */
  retryAfter?: number | string;
  /** Message inside the error body. */
  errorMessage?: string;
  /** `code` and `type` of an error event inside a 200 stream (`errorMidStream`). */
  errorCode?: number;
  errorType?: string;
  /** Replace the whole error body (any JSON value, or a raw string sent verbatim). */
  errorBody?: unknown;
  /** Extra response headers, for anything not covered above (e.g. `retry-after-ms`). */
  headers?: Record<string, string>;
  /** A garbage `data:` line mid-stream (non-streaming: a truncated JSON body with status 200). */
  malformedSse?: MidStream;
  /** Destroy the socket mid-stream (non-streaming: after half the body). */
  closeMidStream?: MidStream;
  /**
   * An error mid-stream inside an HTTP 200 stream. `errorLine` is llama.cpp's non-standard
   * `error: {...}` SSE field (the SDK ignores unknown fields); `dataError` is
   * `data: {"error":{...}}` as LocalAI sends it. Either is followed by `[DONE]` unless `noDone`.
   * Streaming only; use `status` for a non-streamed error.
   */
  errorMidStream?: boolean | { afterChunks?: number; style?: "errorLine" | "dataError" };
  /** End the stream without `data: [DONE]`. */
  noDone?: boolean;
  /**
   * llama.cpp stream shape: no first `role` chunk, last chunk carries `finish_reason` and `usage`
   * together whatever `stream_options` says, plus a non-standard `timings` field.
   */
  llamaCppShape?: boolean;
  /** Never send `usage` (LocalAI's streamed usage is often missing). */
  noUsage?: boolean;
  /** Override usage numbers (e.g. zeros as LocalAI sometimes reports, or a truncated prompt count). */
  usage?: Partial<Usage>;
  /** Interleave chunks with `delta: {}` and `delta: {content: ""}`. */
  emptyDeltas?: boolean;
  /** No text and `finish_reason: null` to the end, as llama.cpp after a swallowed error. */
  unfinished?: boolean;
  /** finish_reason of a finished reply; `length` simulates a reply cut by max_tokens. */
  finishReason?: "stop" | "length";
  /**
   * llama.cpp closes the connection after every streamed reply although it advertised keep-alive,
   * so a pooled client's next request on that socket fails with "socket hang up"/ECONNRESET.
   * Closing right after the reply races with the client noticing the FIN, so to make the failure
   * deterministic the fake keeps the socket open and destroys it when the next request arrives on it.
   */
  closeSocketAfterStream?: boolean;
  /**
   * Never answer (`true`) or stall after some chunks (non-streaming: never answer), until the
   * client aborts or `release()`.
   * LocalAI's watchdog is off by default, so the client must time out on its own.
   */
  hang?: MidStream;
  /** Answer 404 model_not_found for a model not in the model list (llama.cpp does not check). */
  strictModels?: boolean;
}

export interface RecordedMessage {
  role: string;
  /** Text content; array content is flattened to its text parts, null becomes "". */
  content: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Wall-clock time the request headers arrived (Date.now()). */
  receivedAt: number;
  rawBody: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
  model: string | undefined;
  stream: boolean;
  messages: RecordedMessage[];
  /** Prompt tokens as the fake's tokenizer counts them (after a cut, the cut count). */
  promptTokens: number;
  /** The prompt was cut to fit the context: its beginning (the system prompt) was dropped. */
  truncated: boolean;
  /** How long it waited in the server's queue for a slot. */
  queuedMs: number;
}

export interface Hit {
  method: string;
  path: string;
  receivedAt: number;
}

export interface ModelEntry {
  id: string;
  owned_by?: string;
  /** vLLM states the context this way in /v1/models. */
  max_model_len?: number;
}

/** What the whole server is, as opposed to how it answers one request (Behaviour). */
export interface ServerTraits {
  /**
   * The context window per request (llama.cpp's n_ctx per slot). A prompt reaching it is cut
   * (`overflow: "truncate"`, llama.cpp's default: usage reports the cut count) or refused
   * (`"refuse"`, with context shift disabled: HTTP 400, or an error event inside the 200 stream).
   */
  contextTokens?: number;
  overflow?: "truncate" | "refuse";
  /** Characters per token of the fake tokenizer (default 4; a small vocabulary counts more tokens). */
  charsPerToken?: number;
  /** Requests worked on at once; the rest wait in the server's own FIFO queue, as llama.cpp's do. */
  slots?: number;
  /** Serve llama.cpp's GET /props (n_ctx, total_slots) and GET /slots. */
  props?: boolean;
  /**
   * Require `Authorization: Bearer <apiKey>` everywhere but /health and /v1/models (as llama.cpp's
   * --api-key does). A refused request leaves the socket poisoned: the next request on it gets
   * a bare 400, as observed on llama.cpp.
   */
  apiKey?: string;
}

export interface FakeLocalAIOptions {
  models?: Array<string | ModelEntry>;
  behaviour?: Behaviour;
  server?: ServerTraits;
}

type ResolvedMidStream = { afterChunks: number } | undefined;

function resolveMidStream(value: MidStream | undefined): ResolvedMidStream {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { afterChunks: DEFAULT_AFTER_CHUNKS };
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function flattenContent(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : "")).join("");
  }
  return "";
}

function extractMessages(body: unknown): RecordedMessage[] {
  if (!isRecord(body) || !Array.isArray(body.messages)) return [];
  return body.messages.filter(isRecord).map((m) => ({
    role: typeof m.role === "string" ? m.role : "",
    content: flattenContent(m.content),
  }));
}

/** Word-sized pieces keeping their whitespace, so the concatenated deltas equal the reply. */
function splitReply(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** Resolves after `ms` or as soon as `signal` aborts, so close() never waits on a timer. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

export class FakeLocalAI {
  /** Chat-completion requests, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** Every HTTP request the server saw (any path), for e.g. counting /v1/models probes. */
  readonly hits: Hit[] = [];
  /** Chat completions currently being answered (from request arrival to response close). */
  inFlight = 0;
  maxInFlight = 0;
  /** Requests dropped because they arrived on a socket poisoned by `closeSocketAfterStream`. */
  droppedConnections = 0;
  /** Requests answered with a bare 400 because they followed a 401 on the same socket. */
  poisonedAfterAuth = 0;
  /** Most chat requests waiting for a slot at once. */
  maxQueued = 0;
  /** /readyz answers 503 while false, as LocalAI does while models load. */
  ready = true;

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly poisoned = new Set<Socket>();
  private readonly afterAuth = new Set<Socket>();
  private readonly initialTraits: ServerTraits;
  private traits: ServerTraits;
  private busySlots = 0;
  private readonly slotQueue: Array<() => void> = [];
  private readonly releasers = new Set<() => void>();
  private readonly initialModels: ModelEntry[];
  private readonly initialBehaviour: Behaviour;
  private models: ModelEntry[];
  private behaviour: Behaviour;
  private pending: Behaviour[] = [];
  private port = 0;
  private counter = 0;

  constructor(options: FakeLocalAIOptions = {}) {
    this.initialModels = (options.models ?? [DEFAULT_MODEL]).map((m) =>
      typeof m === "string" ? { id: m } : m,
    );
    this.initialBehaviour = { ...options.behaviour };
    this.initialTraits = { ...options.server };
    this.traits = { ...this.initialTraits };
    this.models = [...this.initialModels];
    this.behaviour = { ...this.initialBehaviour };
    this.server = createServer((req, res) => {
      // A client that aborts while its body is read makes route() reject; drop that exchange.
      this.route(req, res).catch(() => res.destroy());
    });
    this.server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => {
        this.sockets.delete(socket);
        this.poisoned.delete(socket);
        this.afterAuth.delete(socket);
      });
    });
  }

  get baseURL(): string {
    if (this.port === 0) throw new Error("FakeLocalAI not started");
    return `http://127.0.0.1:${this.port}/v1`;
  }

  get lastRequest(): RecordedRequest | undefined {
    return this.requests.at(-1);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Destroys every socket, hung requests included, so a test run can never hang on the fake. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Merge into the behaviour used for every request until reset(). */
  behave(behaviour: Behaviour): this {
    this.behaviour = { ...this.behaviour, ...behaviour };
    return this;
  }

  /** One-shot behaviours for the next chat requests, in order, each merged over behave(). */
  queue(behaviours: Behaviour[]): this {
    this.pending.push(...behaviours);
    return this;
  }

  /** Merge into the server's traits until reset(). */
  configure(traits: ServerTraits): this {
    this.traits = { ...this.traits, ...traits };
    return this;
  }

  setModels(models: Array<string | ModelEntry>): this {
    this.models = models.map((m) => (typeof m === "string" ? { id: m } : m));
    return this;
  }

  /** Let every request currently held by `hang` continue as a normal reply. */
  release(): void {
    for (const release of [...this.releasers]) release();
  }

  /**
   * Back to the constructor's state; counters and records cleared. Sockets poisoned by
   * `closeSocketAfterStream` are destroyed so they cannot fail the next test; others stay open.
   */
  reset(): this {
    for (const socket of this.poisoned) socket.destroy();
    this.poisoned.clear();
    this.requests.length = 0;
    this.hits.length = 0;
    this.pending = [];
    for (const socket of this.afterAuth) socket.destroy();
    this.afterAuth.clear();
    this.behaviour = { ...this.initialBehaviour };
    this.traits = { ...this.initialTraits };
    this.models = [...this.initialModels];
    this.maxInFlight = this.inFlight;
    this.droppedConnections = 0;
    this.poisonedAfterAuth = 0;
    this.maxQueued = this.slotQueue.length;
    this.ready = true;
    return this;
  }

  /** Resolves once at least `count` chat requests have arrived (for concurrency tests). */
  async waitForRequests(count: number, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`waitForRequests: ${this.requests.length}/${count} after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const socket = req.socket;
    if (this.poisoned.has(socket)) {
      this.droppedConnections++;
      socket.destroy();
      return;
    }
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    this.hits.push({ method, path, receivedAt: Date.now() });
    if (this.afterAuth.has(socket)) {
      // What llama.cpp did with the request after a 401 on the same connection: a bare 400.
      this.afterAuth.delete(socket);
      this.poisonedAfterAuth++;
      req.resume();
      res.writeHead(400, { Connection: "close", "Content-Length": 0 });
      res.end();
      return;
    }
    // Keep-alive is advertised on every reply, as llama.cpp does, so closeSocketAfterStream bites.
    res.setHeader("Connection", "keep-alive");
    res.setHeader("Keep-Alive", "timeout=5");
    const open = path === "/health" || path === "/v1/models" || path === "/models";
    const key = this.traits.apiKey;
    if (key !== undefined && !open && req.headers.authorization !== `Bearer ${key}`) {
      // llama.cpp leaves the connection unusable after a 401. The body is read here all the same,
      // so the client keeps the socket in its pool exactly as it does against llama.cpp.
      for await (const _chunk of req) {
        // drained
      }
      this.afterAuth.add(socket);
      this.sendJson(res, 401, {
        error: { code: 401, message: "Invalid API Key", type: "authentication_error" },
      });
      return;
    }
    if (method === "GET" && path === "/props" && this.traits.props) {
      this.sendJson(res, 200, {
        default_generation_settings: { n_ctx: this.traits.contextTokens ?? 4096, params: {} },
        total_slots: this.traits.slots ?? 1,
        model_path: "/models/tiny.gguf",
        chat_template: "",
        build_info: "fake",
      });
      return;
    }
    if (method === "GET" && path === "/slots" && this.traits.props) {
      const slots = this.traits.slots ?? 1;
      this.sendJson(
        res,
        200,
        Array.from({ length: slots }, (_, id) => ({
          id,
          n_ctx: this.traits.contextTokens ?? 4096,
          is_processing: id < this.busySlots,
        })),
      );
      return;
    }

    if (method === "GET" && (path === "/v1/models" || path === "/models")) {
      this.sendJson(res, 200, {
        object: "list",
        data: this.models.map((m) => ({
          id: m.id,
          object: "model",
          created: 0,
          owned_by: m.owned_by ?? "localai",
          ...(m.max_model_len ? { max_model_len: m.max_model_len } : {}),
        })),
      });
      return;
    }
    if (method === "GET" && path === "/health") {
      this.sendJson(res, 200, { status: "ok" });
      return;
    }
    if (method === "GET" && (path === "/readyz" || path === "/healthz")) {
      const ok = path === "/healthz" || this.ready;
      res.writeHead(ok ? 200 : 503, { "Content-Type": "text/plain" });
      res.end(ok ? "OK" : "Service Unavailable");
      return;
    }
    if (method === "POST" && (path === "/v1/chat/completions" || path === "/chat/completions")) {
      await this.chat(req, res, path, method);
      return;
    }
    this.sendJson(res, 404, {
      error: { code: 404, message: `no route for ${method} ${path}`, type: "not_found_error" },
    });
  }

  private async chat(req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
    const receivedAt = Date.now();
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    // Aborted when the response closes for any reason, so sleeps and hangs end with the client.
    const gone = new AbortController();
    res.on("close", () => {
      this.inFlight--;
      gone.abort();
    });

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      body = undefined;
    }
    const record: RecordedRequest = {
      method,
      path,
      headers: req.headers,
      receivedAt,
      rawBody,
      body,
      model: isRecord(body) && typeof body.model === "string" ? body.model : undefined,
      stream: isRecord(body) && body.stream === true,
      messages: extractMessages(body),
      promptTokens: 0,
      truncated: false,
      queuedMs: 0,
    };
    record.promptTokens = this.countTokens(record.messages);
    this.requests.push(record);
    const b: Behaviour = { ...this.behaviour, ...this.pending.shift() };

    await sleep(b.delayMs ?? 0, gone.signal);
    if (gone.signal.aborted) return;

    const hang = resolveMidStream(b.hang);
    // A non-streamed reply has no chunks to stall between, so any `hang` holds it whole.
    if (b.hang === true || (hang && !record.stream)) {
      await this.hold(gone.signal);
      if (gone.signal.aborted) return;
    }

    if (b.status !== undefined && b.status >= 400) {
      this.sendError(res, b, record);
      return;
    }
    // llama.cpp answers client mistakes with HTTP 500, not 400.
    if (!isRecord(body)) {
      this.sendError(res, { ...b, status: 500, errorMessage: "Failed to parse input JSON" }, record);
      return;
    }
    if (!Array.isArray(body.messages)) {
      this.sendError(res, { ...b, status: 500, errorMessage: "'messages' is required" }, record);
      return;
    }
    if (b.strictModels && !this.models.some((m) => m.id === record.model)) {
      this.sendError(res, { ...b, status: 404 }, record);
      return;
    }
    const context = this.traits.contextTokens;
    if (context !== undefined && record.promptTokens >= context) {
      if (this.traits.overflow === "refuse") {
        const message = `the request exceeds the available context size (${record.promptTokens} tokens, context ${context}), try increasing it`;
        if (record.stream) {
          // With context shift disabled, llama.cpp says so inside an HTTP 200 stream.
          await this.stream(
            res,
            {
              ...b,
              errorMidStream: { afterChunks: 0 },
              errorMessage: message,
              errorCode: 400,
              errorType: "exceed_context_size_error",
            },
            record,
            "",
            gone.signal,
            undefined,
          );
        } else {
          this.sendJson(res, 400, { error: { code: 400, message, type: "exceed_context_size_error" } });
        }
        return;
      }
      // llama.cpp's default: keep what fits, losing the beginning (the system prompt) silently.
      record.truncated = true;
      record.messages = record.messages.slice(1);
      record.promptTokens = Math.floor(context / 2);
    }
    await this.takeSlot(res, record, gone.signal);
    if (gone.signal.aborted) return;

    const reply = b.unfinished
      ? ""
      : typeof b.reply === "function"
        ? b.reply(record)
        : (b.reply ?? DEFAULT_REPLY);
    if (record.stream) {
      await this.stream(res, b, record, reply, gone.signal, b.hang === true ? undefined : hang);
    } else {
      await this.complete(res, b, record, reply, gone.signal);
    }
  }

  private hold(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.releasers.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.releasers.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** The fake tokenizer: a fixed number of characters per token, plus a few per message. */
  private countTokens(messages: RecordedMessage[]): number {
    const perToken = this.traits.charsPerToken ?? 4;
    return messages.reduce((n, m) => n + 4 + Math.ceil(m.content.length / perToken), 0);
  }

  /**
   * Waits for one of the server's slots (FIFO) when it has a slot count. A streamed reply's
   * headers go out first, as they do from a server whose queue sits behind its HTTP layer: the
   * client cannot tell queueing from thinking.
   */
  private async takeSlot(res: ServerResponse, record: RecordedRequest, signal: AbortSignal): Promise<void> {
    const slots = this.traits.slots;
    if (slots === undefined) return;
    if (this.busySlots >= slots) {
      if (record.stream) {
        res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
        res.flushHeaders();
      }
      const queuedAt = Date.now();
      await new Promise<void>((resolve) => {
        const start = (): void => {
          signal.removeEventListener("abort", leave);
          resolve();
        };
        const leave = (): void => {
          const i = this.slotQueue.indexOf(start);
          if (i >= 0) this.slotQueue.splice(i, 1);
          resolve();
        };
        this.slotQueue.push(start);
        this.maxQueued = Math.max(this.maxQueued, this.slotQueue.length);
        signal.addEventListener("abort", leave, { once: true });
      });
      record.queuedMs = Date.now() - queuedAt;
      if (signal.aborted) return;
    }
    this.busySlots++;
    res.on("close", () => {
      this.busySlots--;
      this.slotQueue.shift()?.();
    });
  }

  private usageFor(b: Behaviour, record: RecordedRequest, reply: string): Usage {
    const prompt = b.usage?.prompt_tokens ?? record.promptTokens;
    const completion = b.usage?.completion_tokens ?? splitReply(reply).length;
    return {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: b.usage?.total_tokens ?? prompt + completion,
    };
  }

  private sendError(res: ServerResponse, b: Behaviour, record: RecordedRequest): void {
    const status = b.status ?? 500;
    const headers: Record<string, string> = { ...b.headers };
    if (b.retryAfter !== undefined) headers["Retry-After"] = String(b.retryAfter);
    let body: unknown = b.errorBody;
    if (body === undefined) {
      if (status === 429) {
        body = {
          error: {
            message: b.errorMessage ?? "Rate limit reached for requests",
            type: "requests",
            param: null,
            code: "rate_limit_exceeded",
          },
        };
      } else if (status === 404) {
        const model = record.model ?? "";
        body = {
          error: {
            message:
              b.errorMessage ?? `The model \`${model}\` does not exist or you do not have access to it.`,
            type: "invalid_request_error",
            param: null,
            code: "model_not_found",
          },
        };
      } else {
        const type =
          status === 503 ? "unavailable_error" : status >= 500 ? "server_error" : "invalid_request_error";
        const fallback = status === 503 ? "Loading model" : "Internal server error";
        body = { error: { code: status, message: b.errorMessage ?? fallback, type } };
      }
    }
    this.sendJson(res, status, body, headers);
  }

  private sendJson(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  private nextId(): string {
    this.counter++;
    return `chatcmpl-fake-${this.counter}-${randomUUID().slice(0, 8)}`;
  }

  private async complete(
    res: ServerResponse,
    b: Behaviour,
    record: RecordedRequest,
    reply: string,
    signal: AbortSignal,
  ): Promise<void> {
    const finish = b.unfinished ? null : (b.finishReason ?? "stop");
    const body: Record<string, unknown> = {
      id: this.nextId(),
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      // llama.cpp echoes whatever model name was sent.
      model: record.model ?? DEFAULT_MODEL,
      choices: [
        { index: 0, message: { role: "assistant", content: reply }, finish_reason: finish, logprobs: null },
      ],
    };
    if (!b.noUsage) body.usage = this.usageFor(b, record, reply);
    if (b.llamaCppShape) body.timings = fakeTimings();
    const text = JSON.stringify(body);
    if (resolveMidStream(b.malformedSse)) {
      this.sendJson(res, 200, text.slice(0, Math.floor(text.length / 2)), b.headers);
      return;
    }
    if (resolveMidStream(b.closeMidStream)) {
      res.writeHead(200, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": Buffer.byteLength(text),
        ...b.headers,
      });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      // Let the status line and half body reach the client first, or it sees a refused request.
      await sleep(20, signal);
      res.socket?.destroy();
      return;
    }
    this.sendJson(res, 200, body, b.headers);
  }

  private async stream(
    res: ServerResponse,
    b: Behaviour,
    record: RecordedRequest,
    reply: string,
    signal: AbortSignal,
    stall: ResolvedMidStream,
  ): Promise<void> {
    const id = this.nextId();
    const created = Math.floor(Date.now() / 1000);
    const model = record.model ?? DEFAULT_MODEL;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices,
      ...extra,
    });
    const delta = (d: Record<string, unknown>, finish: string | null = null): unknown => ({
      index: 0,
      delta: d,
      finish_reason: finish,
      logprobs: null,
    });

    if (!res.headersSent) {
      res.writeHead(200, {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        ...b.headers,
      });
      res.flushHeaders();
    }

    let first = true;
    // Returns false once the client is gone, so the producer stops writing.
    const send = async (line: string): Promise<boolean> => {
      if (!first) await sleep(b.chunkDelayMs ?? 0, signal);
      first = false;
      if (signal.aborted || res.destroyed) return false;
      res.write(line);
      return true;
    };
    const sendData = (data: unknown): Promise<boolean> => send(`data: ${JSON.stringify(data)}\n\n`);

    const malformed = resolveMidStream(b.malformedSse);
    const closeMid = resolveMidStream(b.closeMidStream);
    const errorMid = resolveMidStream(
      typeof b.errorMidStream === "object"
        ? { afterChunks: b.errorMidStream.afterChunks ?? DEFAULT_AFTER_CHUNKS }
        : b.errorMidStream,
    );
    const errorStyle =
      typeof b.errorMidStream === "object" ? (b.errorMidStream.style ?? "errorLine") : "errorLine";
    const usage = b.noUsage ? undefined : this.usageFor(b, record, reply);
    const includeUsage =
      isRecord(record.body) &&
      isRecord(record.body.stream_options) &&
      record.body.stream_options.include_usage === true;

    // Runs at each position between content chunks; returns "stop" when the stream must end now.
    const faultAt = async (position: number): Promise<"go" | "stop" | "gone"> => {
      if (malformed?.afterChunks === position) {
        if (!(await send('data: {"id":"chatcmpl-broken","choices":[{"delta":{"content":"oops\n\n')))
          return "gone";
      }
      if (stall?.afterChunks === position) {
        await this.hold(signal);
        if (signal.aborted) return "gone";
      }
      if (errorMid?.afterChunks === position) {
        // llama.cpp's shape for a prompt over the context size; LocalAI wraps a server error in `data:`.
        const line =
          errorStyle === "errorLine"
            ? `error: ${JSON.stringify({
                code: b.errorCode ?? 400,
                message:
                  b.errorMessage ?? "the request exceeds the available context size, try increasing it",
                type: b.errorType ?? "exceed_context_size_error",
              })}\n\n`
            : `data: ${JSON.stringify({
                error: {
                  code: b.errorCode ?? 500,
                  message: b.errorMessage ?? "backend error mid-stream",
                  type: b.errorType ?? "server_error",
                },
              })}\n\n`;
        if (!(await send(line))) return "gone";
        if (!b.noDone && !(await send("data: [DONE]\n\n"))) return "gone";
        res.end();
        return "stop";
      }
      if (closeMid?.afterChunks === position) {
        // Give the client time to read what was sent: a fetch body stream that errors discards the
        // chunks still queued, so an instant destroy would hide the partial text a real crash leaves.
        await sleep(Math.max(b.chunkDelayMs ?? 0, 20), signal);
        res.socket?.destroy();
        return "gone";
      }
      return "go";
    };

    // llama.cpp's prompt progress (asked for with `return_progress`): the slot has started work.
    if (this.traits.props && isRecord(record.body) && record.body.return_progress === true) {
      const total = record.promptTokens;
      const progress = { total, cache: 0, processed: total, time_ms: 1 };
      if (!(await sendData(chunk([], { prompt_progress: progress })))) return;
    }
    if (!b.llamaCppShape && !(await sendData(chunk([delta({ role: "assistant", content: "" })])))) return;

    const pieces = splitReply(reply);
    for (let i = 0; i < pieces.length; i++) {
      const state = await faultAt(i);
      if (state !== "go") return;
      if (b.emptyDeltas) {
        if (!(await sendData(chunk([delta({})])))) return;
        if (!(await sendData(chunk([delta({ content: "" })])))) return;
      }
      if (!(await sendData(chunk([delta({ content: pieces[i] })])))) return;
    }
    // Faults placed beyond the reply's length fire before the final chunk.
    const tail = Math.max(
      pieces.length,
      malformed?.afterChunks ?? 0,
      stall?.afterChunks ?? 0,
      errorMid?.afterChunks ?? 0,
      closeMid?.afterChunks ?? 0,
    );
    for (let i = pieces.length; i <= tail; i++) {
      const state = await faultAt(i);
      if (state !== "go") return;
    }

    const finish = b.unfinished ? null : (b.finishReason ?? "stop");
    if (b.llamaCppShape) {
      const extra: Record<string, unknown> = { timings: fakeTimings() };
      if (usage) extra.usage = usage;
      if (!(await sendData(chunk([delta({}, finish)], extra)))) return;
    } else {
      if (!(await sendData(chunk([delta({}, finish)])))) return;
      if (usage && includeUsage && !(await sendData(chunk([], { usage })))) return;
    }
    if (!b.noDone && !(await send("data: [DONE]\n\n"))) return;
    const socket = res.socket;
    res.end();
    if (b.closeSocketAfterStream && socket) this.poisoned.add(socket);
  }
}

function fakeTimings(): Record<string, number> {
  return {
    prompt_n: 12,
    prompt_ms: 10.5,
    prompt_per_token_ms: 0.875,
    prompt_per_second: 1142.8,
    predicted_n: 9,
    predicted_ms: 50.2,
    predicted_per_token_ms: 5.57,
    predicted_per_second: 179.3,
  };
}

/** Create and start a fake; remember to `await fake.close()` in afterAll/afterEach. */
export async function startFakeLocalAI(options: FakeLocalAIOptions = {}): Promise<FakeLocalAI> {
  return new FakeLocalAI(options).start();
}
