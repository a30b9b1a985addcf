import type { IncomingMessage, ServerResponse } from "node:http";
import { presentedSecret, secretsEqual } from "../adapters/web/auth.js";
import { BotError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { PrometheusMetrics } from "../http/metrics.js";
import type { HttpServer } from "../http/server.js";
import type { ReloadOutcome, Runtime } from "./runtime.js";

/** The admin route that reloads the knowledge base. */
export const RELOAD_PATH = "/admin/reload";

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Reloading without a restart: on SIGHUP, and on `POST /admin/reload` with
 * `Authorization: Bearer $ADMIN_TOKEN` (off without ADMIN_TOKEN). The knowledge base's version is
 * on /readyz and in /metrics. A bad data file leaves the knowledge base in use as it was.
 * Returns a function that removes the SIGHUP handler.
 */
export function mountReload(
  rt: Pick<Runtime, "kb"> & { reload: () => Promise<ReloadOutcome> },
  http: HttpServer,
  options: { adminToken?: string; logger: Logger; metrics?: PrometheusMetrics },
): () => void {
  const { logger, metrics } = options;
  metrics?.knowledgeBase(rt.kb.version);
  http.readiness("knowledge", () =>
    rt.kb.passages.length > 0
      ? {
          ready: true,
          detail: {
            version: rt.kb.version,
            articles: rt.kb.articles.length,
            projects: rt.kb.projects.length,
          },
        }
      : "knowledge base is empty",
  );

  const reload = async (trigger: string): Promise<ReloadOutcome> => {
    try {
      const outcome = await rt.reload();
      metrics?.knowledgeBase(outcome.version);
      metrics?.knowledgeReload(outcome.changed ? "changed" : "unchanged");
      return outcome;
    } catch (error) {
      metrics?.knowledgeReload("failed");
      logger.error({ err: error, trigger }, "knowledge base reload failed; the previous one stays in use");
      throw error;
    }
  };

  http.route("POST", RELOAD_PATH, async (req: IncomingMessage, res: ServerResponse) => {
    const token = options.adminToken;
    if (token === undefined) {
      send(res, 404, { error: "admin actions are off: set ADMIN_TOKEN to enable them" });
      return;
    }
    const authorization =
      typeof req.headers.authorization === "string" ? req.headers.authorization : undefined;
    const secret = presentedSecret(authorization);
    if (secret === undefined || !secretsEqual(secret, token)) {
      send(res, 401, { error: "unauthorized: send Authorization: Bearer $ADMIN_TOKEN" });
      return;
    }
    try {
      send(res, 200, await reload("http"));
    } catch (error) {
      const message = error instanceof BotError || error instanceof Error ? error.message : String(error);
      send(res, 422, { error: `reload failed, the previous knowledge base stays in use: ${message}` });
    }
  });

  const onHangUp = () => {
    logger.info({}, "SIGHUP: reloading the knowledge base");
    reload("SIGHUP").catch(() => undefined);
  };
  process.on("SIGHUP", onHangUp);
  return () => process.off("SIGHUP", onHangUp);
}
