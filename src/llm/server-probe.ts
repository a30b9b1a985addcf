import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { ServerFacts } from "../core/answer/chat-model.js";

/** Longest any one probe request may take: probes run at start and behind /readyz's cached state. */
export const PROBE_TIMEOUT_MS = 2000;
const MAX_BODY_BYTES = 1024 * 1024;

interface JsonResponse {
  status: number;
  body: unknown;
}

/**
 * One GET on a connection of its own (no pooling): after a 401 llama.cpp leaves the socket in a
 * state where the next request on it fails, so a probe must never share one with the chat calls.
 */
export function getJson(
  url: string,
  headers: Record<string, string>,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = target.protocol === "https:" ? httpsRequest : httpRequest;
    const timeout = AbortSignal.timeout(options.timeoutMs ?? PROBE_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const req = request(target, { method: "GET", headers, agent: false, signal }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) req.destroy(new Error("probe response too large"));
        else chunks.push(chunk);
      });
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown;
        try {
          body = text === "" ? undefined : JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on("error", (error: Error) =>
      reject(
        timeout.aborted ? new Error(`timed out after ${options.timeoutMs ?? PROBE_TIMEOUT_MS} ms`) : error,
      ),
    );
    req.end();
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const positiveInt = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined;

/** The server's root: llama.cpp serves /props and /slots beside /v1, not under it. */
export function serverRoot(baseURL: string): string {
  return baseURL.replace(/\/+$/, "").replace(/\/v1$/, "");
}

/** The context window a /v1/models entry states (vLLM's max_model_len and similar), if any. */
function contextOfModelEntry(entry: Record<string, unknown>): number | undefined {
  for (const key of ["max_model_len", "context_length", "context_window", "context_size"]) {
    const value = positiveInt(entry[key]);
    if (value) return value;
  }
  return undefined;
}

function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 3; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    parts.push(code && !e.message.includes(code) ? `${e.message} (${code})` : e.message);
  }
  return parts.length > 0 ? parts.join(" <- ") : String(error);
}

/**
 * Asks an OpenAI-compatible server what it can: llama.cpp's GET /props (`n_ctx`, `total_slots`)
 * and GET /slots, and GET /v1/models (the ids; vLLM adds `max_model_len`). The key is sent with
 * each: llama.cpp's /v1/models is public but /props is not, so a wrong key shows here at start
 * rather than on the first question. Never throws.
 */
export async function probeServer(
  baseURL: string,
  apiKey: string | undefined,
  model: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ServerFacts> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const root = serverRoot(baseURL);
  const facts: ServerFacts = { sources: [] };
  const get = (url: string) => getJson(url, headers, options);

  const [models, props] = await Promise.allSettled([
    get(`${baseURL.replace(/\/+$/, "")}/models`),
    get(`${root}/props`),
  ]);
  if (models.status === "rejected" && props.status === "rejected") {
    facts.unreachable = describeError(models.reason);
    return facts;
  }
  for (const settled of [models, props]) {
    if (settled.status === "fulfilled" && (settled.value.status === 401 || settled.value.status === 403))
      facts.unauthorised = true;
  }
  if (models.status === "fulfilled" && models.value.status === 200 && isRecord(models.value.body)) {
    const data = Array.isArray(models.value.body.data) ? models.value.body.data.filter(isRecord) : [];
    facts.models = data.map((m) => (typeof m.id === "string" ? m.id : "")).filter(Boolean);
    const entry = data.find((m) => m.id === model);
    const context = entry ? contextOfModelEntry(entry) : undefined;
    if (context) {
      facts.contextTokens = context;
      facts.sources.push("/v1/models");
    }
  }
  if (props.status === "fulfilled" && props.value.status === 200 && isRecord(props.value.body)) {
    const body = props.value.body;
    const defaults = isRecord(body.default_generation_settings) ? body.default_generation_settings : {};
    const context = positiveInt(defaults.n_ctx) ?? positiveInt(body.n_ctx);
    const slots = positiveInt(body.total_slots);
    if (context) facts.contextTokens = context;
    if (slots) facts.slots = slots;
    if (context || slots) facts.sources.push("/props");
  }
  if (facts.slots === undefined && !facts.unauthorised && props.status === "fulfilled") {
    // /slots exists only with --slots (on by default in recent llama.cpp builds).
    const slots = await get(`${root}/slots`).catch(() => undefined);
    if (slots?.status === 200 && Array.isArray(slots.body) && slots.body.length > 0) {
      facts.slots = slots.body.length;
      facts.sources.push("/slots");
      const first = slots.body[0];
      if (!facts.contextTokens && isRecord(first) && positiveInt(first.n_ctx))
        facts.contextTokens = first.n_ctx as number;
    }
  }
  return facts;
}
