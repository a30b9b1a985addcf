import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";

/**
 * A `fetch` for the small JSON POSTs an adapter makes after every acknowledgement (Slack's Web
 * API, response_urls), on node:http with keep-alive sockets. The global fetch costs several times
 * the CPU per call (WHATWG streams on both sides), and under a burst of commands that CPU is
 * taken from the acknowledgements. It answers with a real `Response` and fails like fetch does
 * (TypeError "fetch failed" with the cause, the signal's reason on abort); what it does not handle
 * itself (a streamed or multipart body, a redirect to follow) goes to the global fetch.
 */
export interface KeepAliveFetch {
  fetch: typeof fetch;
  /**
   * The leaner path for the calls made on every answer: a string body POSTed on the same sockets,
   * the answer read as text. No Request, Response, Headers or web streams; header and body go out
   * in one write. Fails like `fetch`; `timeoutMs` fails it with a TimeoutError.
   */
  post(url: URL, body: string, headers: Record<string, string>, timeoutMs?: number): Promise<TextResponse>;
  /** Closes the idle sockets; calls made afterwards still work, on new sockets. */
  close(): void;
}

/** What `post` answers: the status, the headers as node parsed them, the body decoded as UTF-8. */
export interface TextResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

function plainHeaders(headers: RequestInit["headers"]): Record<string, string> | undefined {
  if (headers === undefined) return {};
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(new Headers(headers));
  if (typeof headers !== "object" || headers === null) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = String(value);
  }
  return out;
}

function bodyBytes(body: RequestInit["body"]): Buffer | undefined | false {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  // FormData, Blob, streams: the global fetch knows how to send them.
  return false;
}

function decode(raw: Buffer, encoding: string | undefined): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return gunzipSync(raw);
    case "deflate":
      return inflateSync(raw);
    case "br":
      return brotliDecompressSync(raw);
    default:
      return raw;
  }
}

/** A followed redirect as fetch sends it: 303 (and 301/302 after a POST) turns into a GET without a body. */
function redirected(init: RequestInit, status: number): RequestInit {
  const method = (init.method ?? "GET").toUpperCase();
  const toGet =
    (status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST");
  if (!toGet) return init;
  const { body: _body, ...rest } = init;
  return { ...rest, method: "GET" };
}

function fetchFailed(cause: unknown): TypeError {
  return new TypeError("fetch failed", { cause });
}

export function keepAliveFetch(): KeepAliveFetch {
  const agents = {
    "http:": new http.Agent({ keepAlive: true }),
    "https:": new https.Agent({ keepAlive: true }),
  };

  const leanFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const headers = plainHeaders(init.headers);
    const body = bodyBytes(init.body);
    const url = typeof input === "string" ? new URL(input) : input instanceof URL ? input : undefined;
    const agent = url ? agents[url.protocol as keyof typeof agents] : undefined;
    if (!url || !agent || headers === undefined || body === false) return fetch(input, init);
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const module = url.protocol === "https:" ? https : http;
    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        fn();
      };
      const onAbort = () => {
        request.destroy();
        settle(() => reject(signal?.reason));
      };
      const request = module.request(
        url,
        {
          method: init.method ?? "GET",
          agent,
          headers: body ? { ...headers, "content-length": String(body.length) } : headers,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const location = res.headers.location;
          if (status >= 300 && status < 400 && location && init.redirect !== "manual") {
            res.resume();
            settle(() => {
              if (init.redirect === "error")
                reject(fetchFailed(new Error(`unexpected redirect to ${location}`)));
              else resolve(fetch(new URL(location, url), redirected(init, status)));
            });
            return;
          }
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", (error) => settle(() => reject(fetchFailed(error))));
          res.on("end", () =>
            settle(() => {
              try {
                const raw = decode(
                  Buffer.concat(chunks),
                  res.headers["content-encoding"] as string | undefined,
                );
                const responseHeaders = new Headers();
                for (const [name, value] of Object.entries(res.headers)) {
                  if (name === "content-encoding" || value === undefined) continue;
                  for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
                }
                const response = new Response(NULL_BODY_STATUSES.has(status) ? null : raw, {
                  status,
                  statusText: res.statusMessage ?? "",
                  headers: responseHeaders,
                });
                Object.defineProperty(response, "url", { value: url.href });
                resolve(response);
              } catch (error) {
                reject(fetchFailed(error));
              }
            }),
          );
        },
      );
      request.on("error", (error) => settle(() => reject(fetchFailed(error))));
      signal?.addEventListener("abort", onAbort, { once: true });
      request.end(body);
    });
  };

  const post = (
    url: URL,
    body: string,
    headers: Record<string, string>,
    timeoutMs = 0,
  ): Promise<TextResponse> => {
    const agent = agents[url.protocol as keyof typeof agents];
    if (!agent) return Promise.reject(fetchFailed(new Error(`unsupported protocol ${url.protocol}`)));
    const module = url.protocol === "https:" ? https : http;
    return new Promise<TextResponse>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const request = module.request(
        url,
        {
          method: "POST",
          agent,
          headers: { ...headers, "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", (error) => {
            clearTimeout(timer);
            reject(fetchFailed(error));
          });
          res.on("end", () => {
            clearTimeout(timer);
            try {
              const raw = decode(Buffer.concat(chunks), res.headers["content-encoding"]);
              resolve({ status: res.statusCode ?? 0, headers: res.headers, text: raw.toString("utf8") });
            } catch (error) {
              reject(fetchFailed(error));
            }
          });
        },
      );
      request.on("error", (error) => {
        clearTimeout(timer);
        reject(error.name === "TimeoutError" ? error : fetchFailed(error));
      });
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          const error = new Error(`no answer within ${timeoutMs} ms`);
          error.name = "TimeoutError";
          request.destroy(error);
        }, timeoutMs);
      }
      // A string after the headers leaves node one write for both; a Buffer would take two (writev).
      request.end(body);
    });
  };

  return {
    fetch: leanFetch as typeof fetch,
    post,
    close() {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}
