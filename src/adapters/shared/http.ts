import type { IncomingMessage, ServerResponse } from "node:http";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** A readiness check: resolves to a problem description, or undefined when ready. */
export type ReadinessCheck = () => Promise<string | undefined>;

/**
 * What an adapter may do with the process's one HTTP server: mount routes and readiness checks.
 * The app's server implements it; adapters never import the server itself.
 */
export interface HttpRoutes {
  route(method: string, path: string, handler: RouteHandler): unknown;
  readiness(name: string, check: ReadinessCheck): unknown;
}

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

/** Reads a request body up to a size limit (bytes); larger bodies reject. */
export async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new Error(`request body over ${limit} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
