import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { BotRequest } from "../../core/index.js";
import { BotError, detectLanguage } from "../../core/index.js";
import type { Adapter, AdapterContext } from "../adapter.js";
import { type HttpRoutes, readBody, sendJson as sendServerJson } from "../shared/http.js";
import { replyOrRestartNote } from "../shared/restart-note.js";
import { type TaskSignal, WorkTracker } from "../shared/work-tracker.js";
import { type Asset, loadAssets, SECURITY_HEADERS, sendAsset, toAsset } from "./assets.js";
import { AUTH_CHALLENGE, isAuthorized, isLoopback, localRequest, sameOriginPost } from "./auth.js";
import { knowledgeBaseView } from "./catalog.js";
import { FORWARDED_HOST_HINT, sendForwardedHostPage, wantsPage } from "./host-hint.js";
import { ReplyLedger } from "./reply-ledger.js";
import { mountReport } from "./report-page.js";
import { newVisitorId, type Visitor, visitorCookie, visitorOf } from "./visitor.js";
import { NdjsonWriter, progressEvent, toWebReply } from "./wire.js";

/** The playground's settings. */
export interface PlaygroundOptions {
  /** The address the server listens on: decides who can reach the page. */
  host: string;
  /** When set, required to use the playground (Bearer header or basic-auth password). */
  token?: string;
  /** Folder of the page's files; defaults to `public/` at the package root. */
  assetsDir?: string;
}

/** Largest bodies accepted, in bytes: a question is at most a few thousand characters. */
export const BODY_LIMITS = { ask: 16 * 1024, feedback: 1024 } as const;

const conversation = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8 to 64 letters, digits, - or _");
const askBody = z.object({ text: z.string().max(10_000), conversation });
const commandBody = z.object({
  name: z.string().regex(/^\/?[A-Za-z0-9-]{1,32}$/, "must be a command name, e.g. project"),
  text: z.string().max(10_000).default(""),
  conversation,
});
const feedbackBody = z.object({
  replyId: z.string().regex(/^[A-Za-z0-9-]{8,64}$/),
  value: z.enum(["up", "down"]),
  /** An optional one-line reason with a 👎. */
  reason: z.string().max(500).optional(),
});

/** Playground JSON: the shared server's, with the page's security headers and no caching. */
function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendServerJson(res, status, body, { ...SECURITY_HEADERS, ...headers, "cache-control": "no-store" });
}

/** The body as JSON validated by `schema`; on failure the error response is sent and undefined returned. */
async function readJson<S extends z.ZodType>(
  req: IncomingMessage,
  res: ServerResponse,
  schema: S,
  limit: number,
): Promise<z.infer<S> | undefined> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) {
    sendJson(res, 413, { error: `request body over ${limit} bytes` });
    return undefined;
  }
  let raw: Buffer;
  try {
    raw = await readBody(req, limit);
  } catch {
    // Over the limit without a declared length (chunked), or the client went away.
    if (!res.destroyed) sendJson(res, 413, { error: `request body over ${limit} bytes` });
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    sendJson(res, 400, { error: "invalid JSON" });
    return undefined;
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    sendJson(res, 400, {
      error: `invalid request: ${issue?.path.join(".") || "body"} ${issue?.message ?? ""}`.trim(),
    });
    return undefined;
  }
  return result.data;
}

const requestText = (request: BotRequest) =>
  request.kind === "question" ? request.text : (request.text ?? "");

/** The web playground as an adapter: its routes on the process's HTTP server. */
export class WebAdapter implements Adapter {
  readonly name = "web";
  private readonly work = new WorkTracker();
  private stopping = false;

  constructor(private readonly options: PlaygroundOptions) {}

  async start(context: AdapterContext): Promise<void> {
    if (!context.http) throw new BotError("bad-config", "the playground needs the HTTP server on PORT");
    mountPlayground(context, context.http, this.options, {
      track: (work) => this.work.add(work),
      accepting: () => !this.stopping,
      taskSignal: () => this.work.taskSignal(),
    });
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    await this.work.drain(graceMs);
  }
}

interface Lifecycle {
  track(work: Promise<void>): void;
  accepting(): boolean;
  /**
   * A signal for one answer, aborted at the end of the shutdown grace period: answers in progress
   * end with the best one ready.
   */
  taskSignal?: () => TaskSignal;
}

/**
 * Mounts the web playground on the shared HTTP server: the page at `/`, its files under
 * `/assets/`, and a JSON API (`POST /api/ask`, `POST /api/command` streaming NDJSON,
 * `GET /api/kb`, `POST /api/feedback`). Throws when the page's files are missing.
 */
export function mountPlayground(
  context: Pick<AdapterContext, "bot" | "logger">,
  http: HttpRoutes,
  options: PlaygroundOptions,
  lifecycle: Lifecycle = { track: () => {}, accepting: () => true },
): void {
  const { bot } = context;
  const config = { host: options.host };
  const log = context.logger.child({ adapter: "web" });
  const token = options.token;
  const assets = loadAssets(options.assetsDir);
  // The knowledge base's view is serialised once per version (a reload brings a new one).
  let kbView: { version: string; asset: Asset } | undefined;
  const kbAsset = (): Asset => {
    if (kbView?.version !== bot.kb.version) {
      const body = Buffer.from(JSON.stringify(knowledgeBaseView(bot.kb)));
      kbView = { version: bot.kb.version, asset: toAsset(body, "application/json; charset=utf-8") };
    }
    return kbView.asset;
  };
  const ledger = new ReplyLedger();
  // Without a token the playground is local-only in every configuration, whatever HOST the shared
  // server binds for Slack or Discord: it answers only this machine's own requests addressed to
  // localhost (which also stops a web page from driving it through DNS rebinding). With a token,
  // the token guards it, and a reverse proxy on the same machine may use any name.
  const localOnly = token === undefined;
  if (!isLoopback(config.host) && token === undefined) {
    log.warn(
      { host: config.host },
      "the web playground has no token, so it answers only requests from this machine addressed to localhost; set PLAYGROUND_TOKEN to use it from elsewhere",
    );
  }

  /** Host and auth checks shared by every route; false when a refusal was sent. */
  const admit = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (localOnly && !localRequest(req)) {
      if (wantsPage(req)) sendForwardedHostPage(req, res);
      else sendJson(res, 403, { error: FORWARDED_HOST_HINT });
      return false;
    }
    if (!isAuthorized(req.headers, token)) {
      sendJson(res, 401, { error: "unauthorized" }, { "www-authenticate": AUTH_CHALLENGE });
      return false;
    }
    return true;
  };

  mountReport(http, bot, admit);

  /** `admit` plus the checks of a state-changing request. */
  const admitPost = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!admit(req, res)) return false;
    const origin = sameOriginPost(req.headers);
    if (!origin.ok) {
      sendJson(res, origin.status, {
        error: origin.status === 415 ? "send application/json" : "cross-site request refused",
      });
      return false;
    }
    return true;
  };

  /** Answers a request as a stream: progress lines while the answer is written, then the reply. */
  const answer = async (res: ServerResponse, request: BotRequest, visitor: Visitor): Promise<void> => {
    const controller = new AbortController();
    // A closed tab stops the answer (and the model call behind it).
    res.on("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    const writer = new NdjsonWriter(res);
    writer.start(SECURITY_HEADERS);
    const task = lifecycle.taskSignal?.();
    try {
      const handling = bot.handle(request, {
        signal: task ? AbortSignal.any([controller.signal, task.signal]) : controller.signal,
        onEvent: (event) => {
          if (event.type !== "final") writer.write(progressEvent(event));
        },
      });
      // Cut by shutdown, the stream still ends with a reply: the best one ready, or the restart note.
      const reply = task
        ? await replyOrRestartNote(handling, task.signal, detectLanguage(requestText(request)))
        : await handling;
      const id = randomUUID();
      const web = toWebReply(reply, id);
      if (!controller.signal.aborted) {
        ledger.remember(id, {
          visitorId: visitor.id,
          conversationId: request.conversationId,
          rateable: web.rateable,
          ...(reply.answerId ? { answerId: reply.answerId } : {}),
        });
      }
      writer.write({ type: "reply", reply: web });
    } catch (error) {
      // Bot.handle never throws by contract; this guards the stream, not the bot.
      log.error({ err: error, requestId: request.requestId }, "playground answer failed");
      writer.write({ type: "error", message: "Sorry, something went wrong while answering." });
    } finally {
      task?.done();
      writer.end();
    }
  };

  /** Answers through `answer`, tracked for the shutdown drain. */
  const tracked = (res: ServerResponse, request: BotRequest, visitor: Visitor): Promise<void> => {
    if (!lifecycle.accepting()) {
      sendJson(res, 503, { error: "restarting" });
      return Promise.resolve();
    }
    const work = answer(res, request, visitor);
    lifecycle.track(work);
    return work;
  };

  const requestBase = (visitor: Visitor, conversationKey: string) => ({
    platform: "web" as const,
    conversationId: `web:${visitor.id}:${conversationKey}`,
    userId: visitor.id,
    channelId: visitor.channelId,
    requestId: randomUUID(),
  });

  for (const urlPath of assets.keys()) {
    http.route("GET", urlPath, (req, res) => {
      if (!admit(req, res)) return;
      const visitor = visitorOf(req);
      // The page load names the browser; API calls then carry the cookie.
      const extra: Record<string, string> =
        urlPath === "/" && visitor.fresh ? { "set-cookie": visitorCookie(newVisitorId()) } : {};
      sendAsset(req, res, assets.get(urlPath) as Asset, extra);
    });
  }

  http.route("GET", "/api/kb", (req, res) => {
    if (admit(req, res)) sendAsset(req, res, kbAsset());
  });

  http.route("POST", "/api/ask", async (req, res) => {
    if (!admitPost(req, res)) return;
    const body = await readJson(req, res, askBody, BODY_LIMITS.ask);
    if (!body) return;
    const visitor = visitorOf(req);
    await tracked(
      res,
      { ...requestBase(visitor, body.conversation), kind: "question", text: body.text },
      visitor,
    );
  });

  http.route("POST", "/api/command", async (req, res) => {
    if (!admitPost(req, res)) return;
    const body = await readJson(req, res, commandBody, BODY_LIMITS.ask);
    if (!body) return;
    const visitor = visitorOf(req);
    await tracked(
      res,
      {
        ...requestBase(visitor, body.conversation),
        kind: "command",
        name: body.name.replace(/^\//, "").toLowerCase(),
        text: body.text,
      },
      visitor,
    );
  });

  http.route("POST", "/api/feedback", async (req, res) => {
    if (!admitPost(req, res)) return;
    const body = await readJson(req, res, feedbackBody, BODY_LIMITS.feedback);
    if (!body) return;
    const visitor = visitorOf(req);
    const outcome = ledger.rate(body.replyId, visitor.id, body.value);
    if (!outcome.ok) {
      const status = outcome.reason === "unknown" ? 404 : 409;
      sendJson(res, status, { error: outcome.reason });
      return;
    }
    const { answerId } = outcome.reply;
    await bot.recordFeedback({
      platform: "web",
      conversationId: outcome.reply.conversationId,
      userId: visitor.id,
      messageRef: body.replyId,
      value: body.value,
      ...(answerId ? { answerId } : {}),
      ...(answerId && body.value === "down" && body.reason ? { reason: body.reason } : {}),
    });
    sendJson(res, 200, { ok: true });
  });
}
