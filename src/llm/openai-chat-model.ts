import OpenAI from "openai";
import {
  type ChatMessage,
  type ChatModel,
  ChatModelError,
  type CompleteOptions,
  type Completion,
} from "../core/answer/chat-model.js";
import { parseRetryAfter } from "../core/answer/resilience.js";

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
    // LocalAI's `data: {"error": ...}` mid-stream arrives as an APIError without a status.
    if (status === undefined) return new ChatModelError("bad-response", message, { cause: error });
    const retryAfterMs = parseRetryAfter(
      error.headers?.get("retry-after"),
      error.headers?.get("retry-after-ms"),
    );
    const extra = { status, cause: error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    if (status === 429) return new ChatModelError("rate-limited", message, extra);
    if (status === 503) return new ChatModelError("unavailable", message, extra);
    if (status === 404) return new ChatModelError("not-found", message, extra);
    if (status === 401 || status === 403) return new ChatModelError("auth", message, extra);
    return new ChatModelError("http", message, extra);
  }
  // A malformed SSE line or body.
  if (error instanceof SyntaxError) return new ChatModelError("bad-response", message, { cause: error });
  // undici's bare `TypeError: terminated` when the socket dies mid-body.
  if (error instanceof TypeError) return new ChatModelError("connection", message, { cause: error });
  return new ChatModelError("unknown", message, { cause: error });
}

/** The core's ChatModel over the `openai` package, for any OpenAI-compatible server. */
export class OpenAIChatModel implements ChatModel {
  readonly model: string;
  private readonly client: OpenAI;
  private readonly closing = new AbortController();

  constructor(options: OpenAIChatModelOptions) {
    this.model = options.model;
    this.client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? "not-needed",
      // Retries are the answerer's: the SDK would retry a llama.cpp 500 (a client mistake) and
      // wait up to a minute on Retry-After, far past the time a chat user waits.
      maxRetries: 0,
      timeout: options.timeoutMs,
      // The SDK logs unparsable SSE lines itself; the answerer logs failures once, with context.
      logLevel: "off",
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
      const stream = await this.client.chat.completions.create(
        { ...body, stream: true, stream_options: { include_usage: true } },
        { signal },
      );
      const completion: Completion = { text: "", finishReason: null };
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        const delta = choice?.delta?.content;
        if (delta) {
          completion.text += delta;
          options.onDelta?.(delta);
        }
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

  async close(): Promise<void> {
    this.closing.abort();
  }
}
