import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BotError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { sendJson } from "./wire.js";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** What a readiness check found; `detail` is shown in /readyz's body (no secrets). */
export interface ReadinessReport {
  ready: boolean;
  problem?: string;
  detail?: unknown;
}

/**
 * A readiness check: a problem description (undefined when ready) or a report. Checks should
 * answer from cached state; one that takes longer than READINESS_CHECK_MS is answered with its
 * last result while it finishes in the background.
 */
export type ReadinessCheck = () =>
  | Promise<string | undefined | ReadinessReport>
  | string
  | undefined
  | ReadinessReport;

/** Kubernetes' default probe timeout is 1 s: /readyz answers well within it whatever a check does. */
export const READINESS_CHECK_MS = 80;

interface CheckState {
  last?: ReadinessReport;
  running?: Promise<ReadinessReport>;
}

function toReport(result: string | undefined | ReadinessReport): ReadinessReport {
  if (result === undefined) return { ready: true };
  if (typeof result === "string") return { ready: false, problem: result };
  return result;
}

/**
 * The one HTTP server on PORT: health endpoints plus routes the adapters mount
 * (`/slack/events`, `/discord/interactions`).
 */
export class HttpServer {
  private readonly routes = new Map<string, RouteHandler>();
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly checkStates = new Map<string, CheckState>();
  private server: Server | undefined;
  private startup: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {
    this.route("GET", "/healthz", (_req, res) => sendJson(res, 200, { status: "ok" }));
    this.route("GET", "/readyz", async (_req, res) => {
      const results = await Promise.all(
        [...this.checks.keys()].map(async (name) => [name, await this.runCheck(name)] as const),
      );
      const problems: Record<string, string> = {};
      const checks: Record<string, unknown> = {};
      for (const [name, report] of results) {
        if (!report.ready) problems[name] = report.problem ?? "not ready";
        if (report.detail !== undefined || report.problem !== undefined)
          checks[name] = {
            ready: report.ready,
            ...(report.problem ? { problem: report.problem } : {}),
            ...(report.detail === undefined ? {} : { detail: report.detail }),
          };
      }
      const ready = Object.keys(problems).length === 0;
      const body = ready ? { status: "ready" } : { status: "not ready", problems };
      sendJson(res, ready ? 200 : 503, Object.keys(checks).length > 0 ? { ...body, checks } : body, {
        "cache-control": "no-store",
      });
    });
  }

  /** Mounts a handler for an exact method and path (query strings ignored). */
  route(method: string, path: string, handler: RouteHandler): this {
    this.routes.set(`${method.toUpperCase()} ${path}`, handler);
    return this;
  }

  readiness(name: string, check: ReadinessCheck): this {
    this.checks.set(name, check);
    return this;
  }

  /**
   * The process listens before its platforms mount their routes (/healthz answers while it starts):
   * until `startup` settles, a request for a route not mounted yet waits for it instead of a 404.
   */
  holdUnmatchedUntil(startup: Promise<unknown>): this {
    const settled = startup.then(
      () => undefined,
      () => undefined,
    );
    this.startup = settled;
    void settled.then(() => {
      if (this.startup === settled) this.startup = undefined;
    });
    return this;
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    const server = createServer((req, res) => void this.dispatch(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        const hint = `port ${port} on ${host} is already in use: stop what holds it, or set PORT to a free port (e.g. PORT=${port + 1})`;
        reject(error.code === "EADDRINUSE" ? new BotError("bad-config", hint, { cause: error }) : error);
      };
      server.once("error", onError);
      server.listen(port, host, () => {
        server.off("error", onError);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  /** Stops listening; connections still open after `forceAfterMs` (a stream, a slow client) are cut. */
  async close(forceAfterMs = 1_000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    let force: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      force = setTimeout(() => server.closeAllConnections(), forceAfterMs);
    });
    clearTimeout(force);
  }

  /** A check's report within READINESS_CHECK_MS: its own, or its last while it is still running. */
  private async runCheck(name: string): Promise<ReadinessReport> {
    const check = this.checks.get(name);
    if (!check) return { ready: true };
    let state = this.checkStates.get(name);
    if (!state) {
      state = {};
      this.checkStates.set(name, state);
    }
    const current = state;
    if (!current.running) {
      current.running = Promise.resolve()
        .then(check)
        .then(toReport, (error: unknown) => ({
          ready: false,
          problem: error instanceof Error ? error.message : String(error),
        }))
        .then((report) => {
          current.last = report;
          current.running = undefined;
          return report;
        });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<ReadinessReport>((resolve) => {
      timer = setTimeout(
        () =>
          resolve(current.last ?? { ready: false, problem: `no answer within ${READINESS_CHECK_MS} ms yet` }),
        READINESS_CHECK_MS,
      );
    });
    try {
      return await Promise.race([current.running, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const handler = this.routes.get(`${req.method ?? "GET"} ${path}`);
    if (!handler && this.startup) {
      await this.startup;
      return this.dispatch(req, res);
    }
    if (!handler) {
      const allowed = [...this.routes.keys()].filter((k) => k.endsWith(` ${path}`));
      if (allowed.length > 0) sendJson(res, 405, { error: "method not allowed" });
      else sendJson(res, 404, { error: "not found" });
      return;
    }
    try {
      await handler(req, res);
    } catch (error) {
      this.logger.error({ err: error, path }, "http handler failed");
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      else res.end();
    }
  }
}
