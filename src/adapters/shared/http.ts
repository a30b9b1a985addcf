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

export { readBody, sendJson } from "../../http/wire.js";
