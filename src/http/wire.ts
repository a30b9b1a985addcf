import type { IncomingMessage, ServerResponse } from "node:http";

// JSON out and bodies in: the wire helpers the HTTP server and the adapters mounted on it share.
// A leaf module (node:http only), so adapters may use it without reaching into the server.

/** A JSON response; `headers` adds to (or overrides) the defaults. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Reads a request body up to a size limit (bytes); larger bodies reject. Plain 'data' and 'end'
 * events: an async iterator over the stream costs several allocations per chunk, on every request
 * of every platform's endpoint.
 */
export function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanUp();
        // Stop reading what would be thrown away; the caller answers 413.
        req.pause();
        reject(new Error(`request body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanUp();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanUp();
      reject(error);
    };
    const onClose = () => {
      // Closed before its end: the client went away mid-body.
      if (!req.complete) onError(new Error("request closed before its body ended"));
    };
    const cleanUp = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}
