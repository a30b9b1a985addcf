import OpenAI from "openai";
import {
  type ChatMessage,
  type ChatModel,
  ChatModelError,
  type CompleteOptions,
  type Completion,
  kindOfServerError,
  type ServerFacts,
} from "../core/answer/chat-model.js";
import { parseRetryAfter } from "../core/answer/resilience.js";
import { probeServer } from "./server-probe.js";

export interface OpenAIChatModelOptions {
  baseURL: string;
  /** Optional: LocalAI and llama.cpp accept any key, the SDK just needs one. */
  apiKey?: string;
  model: string;
  /** The SDK's own timeout; it covers connecting and headers only, the answerer times the rest. */
  timeoutMs: number;
}

/** The message and its causes ("Connection error. <- fetch failed <- connect ECONNREFUSED ..."), for logs. */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.length > 0 ? parts.join(" <- ") : String(error);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Rewrites whatever the SDK or undici threw into a ChatModelError the core can act on. */
export function toChatModelError(error: unknown, signal: AbortSignal): ChatModelError {
  if (error instanceof ChatModelError) return error;
  const message = describe(error);
  if (signal.aborted || error instanceof OpenAI.APIUserAbortError)
    return new ChatModelError("aborted", "the request was aborted", { cause: error });
  if (error instanceof OpenAI.APIConnectionTimeoutError)
    return new ChatModelError("timeout", message, { cause: error });
  if (error instanceof OpenAI.APIConnectionError)
    return new ChatModelError("connection", message, { cause: error });
  if (error instanceof OpenAI.APIError) {
    const status = error.status;
    const body = isRecord(error.error) ? error.error : undefined;
    // An error event inside an HTTP 200 stream (`data: {"error": ...}`, or llama.cpp's `error:`
    // line rewritten by sseErrorEvents) arrives without a status: its own code says what it was.
    if (status === undefined) {
      if (!body) return new ChatModelError("bad-response", message, { cause: error });
      const classified = kindOfServerError(body);
      return new ChatModelError(classified.kind, `error event in the stream: ${message}`, {
        cause: error,
        ...(classified.status === undefined ? {} : { status: classified.status }),
      });
    }
    const retryAfterMs = parseRetryAfter(
      error.headers?.get("retry-after"),
      error.headers?.get("retry-after-ms"),
    );
    const extra = { status, cause: error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    if (status === 429) return new ChatModelError("rate-limited", message, extra);
    if (status === 503) return new ChatModelError("unavailable", message, extra);
    if (status === 404) return new ChatModelError("not-found", message, extra);
    if (status === 401 || status === 403) return new ChatModelError("auth", message, extra);
    // llama.cpp answers the request that follows a 401 on the same socket with a bare 400: that
    // is the connection's fault, not this request's, so it is retried like a dropped connection.
    if (status === 400 && !body) return new ChatModelError("connection", message, extra);
    if (body) {
      const classified = kindOfServerError({ ...body, code: body.code ?? status });
      if (classified.kind === "context" || (status >= 400 && status < 500))
        return new ChatModelError(classified.kind, message, extra);
    }
    return new ChatModelError("http", message, extra);
  }
  // A malformed SSE line or body.
  if (error instanceof SyntaxError) return new ChatModelError("bad-response", message, { cause: error });
  // undici's bare `TypeError: terminated` when the socket dies mid-body.
  if (error instanceof TypeError) return new ChatModelError("connection", message, { cause: error });
  return new ChatModelError("unknown", message, { cause: error });
}

/** Turns one SSE line `error: {...}` (llama.cpp, ignored by the SDK) into `data: {"error": {...}}`. */
export function rewriteErrorLine(line: string): string {
  if (!line.startsWith("error:")) return line;
  const value = line.slice("error:".length).trim();
  let error: unknown;
  try {
    error = JSON.parse(value);
  } catch {
    error = { message: value };
  }
  return `data: ${JSON.stringify({ error: isRecord(error) && isRecord(error.error) ? error.error : error })}`;
}

/**
 * A fetch whose event streams carry llama.cpp's `error:` lines as `data: {"error": ...}` events,
 * which the SDK raises as errors; otherwise the stream just ends unfinished and the cause is lost.
 */
export function sseErrorEvents(fetchImpl: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    if (!response.body || !response.headers.get("content-type")?.includes("text/event-stream"))
      return response;
    let pending = "";
    const lines = new TransformStream<string, string>({
      transform(text, controller) {
        pending += text;
        const end = pending.lastIndexOf("\n");
        if (end < 0) return;
        const complete = pending.slice(0, end + 1);
        pending = pending.slice(end + 1);
        controller.enqueue(complete.split("\n").map(rewriteErrorLine).join("\n"));
      },
      flush(controller) {
        if (pending) controller.enqueue(rewriteErrorLine(pending));
      },
    });
    const body = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(lines)
      .pipeThrough(new TextEncoderStream());
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** The core's ChatModel over the `openai` package, for any OpenAI-compatible server. */
export class OpenAIChatModel implements ChatModel {
  readonly model: string;
  private readonly client: OpenAI;
  private readonly closing = new AbortController();
  private readonly baseURL: string;
  private readonly apiKey: string | undefined;
  /** Set once /props answered: llama.cpp then reports prompt progress when asked. */
  private llamaCpp = false;

  constructor(options: OpenAIChatModelOptions) {
    this.model = options.model;
    this.baseURL = options.baseURL;
    this.apiKey = options.apiKey;
    this.client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? "not-needed",
      // Retries are the answerer's: the SDK would retry a llama.cpp 500 (a client mistake) and
      // wait up to a minute on Retry-After, far past the time a chat user waits.
      maxRetries: 0,
      timeout: options.timeoutMs,
      // The SDK logs unparsable SSE lines itself; the answerer logs failures once, with context.
      logLevel: "off",
      fetch: sseErrorEvents(),
    });
  }

  async complete(messages: ChatMessage[], options: CompleteOptions): Promise<Completion> {
    const signal = AbortSignal.any([options.signal, this.closing.signal]);
    const body = {
      model: this.model,
      messages,
      max_tokens: options.maxTokens,
      temperature: options.temperature,
    };
    try {
      if (!options.stream) {
        const response = await this.client.chat.completions.create({ ...body, stream: false }, { signal });
        const choice = response.choices[0];
        const completion: Completion = {
          text: choice?.message.content ?? "",
          finishReason: choice?.finish_reason ?? null,
        };
        if (response.usage)
          completion.usage = {
            promptTokens: response.usage.prompt_tokens,
            completionTokens: response.usage.completion_tokens,
          };
        return completion;
      }
      const params: OpenAI.ChatCompletionCreateParamsStreaming = {
        ...body,
        stream: true,
        stream_options: { include_usage: true },
      };
      // llama.cpp then streams prompt-processing progress before the first token: proof that the
      // request left the server's queue. Only sent to llama.cpp: OpenAI refuses unknown fields.
      if (this.llamaCpp) Object.assign(params, { return_progress: true });
      const stream = await this.client.chat.completions.create(params, { signal });
      const completion: Completion = { text: "", finishReason: null };
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        const delta = choice?.delta?.content;
        if (delta) {
          completion.text += delta;
          options.onDelta?.(delta);
        } else options.onActivity?.();
        if (choice?.finish_reason) completion.finishReason = choice.finish_reason;
        if (chunk.usage)
          completion.usage = {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
          };
      }
      // An abort ends the SDK's stream loop silently, as if the reply were complete.
      if (signal.aborted) throw new ChatModelError("aborted", "the request was aborted");
      return completion;
    } catch (error) {
      throw toChatModelError(error, signal);
    }
  }

  async listModels(signal?: AbortSignal): Promise<string[]> {
    const combined = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    try {
      const page = await this.client.models.list({ signal: combined });
      return page.data.map((m) => m.id);
    } catch (error) {
      throw toChatModelError(error, combined);
    }
  }

  async describeServer(signal?: AbortSignal): Promise<ServerFacts> {
    const combined = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    const facts = await probeServer(this.baseURL, this.apiKey, this.model, { signal: combined });
    if (facts.sources.includes("/props")) this.llamaCpp = true;
    return facts;
  }

  async close(): Promise<void> {
    this.closing.abort();
  }
}
