import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type App,
  HTTPResponseAck,
  type Receiver,
  type ReceiverEvent,
  type Logger as SlackLogger,
} from "@slack/bolt";
import type { Logger } from "../../core/index.js";
import { type HttpRoutes, readBody, sendJson } from "../shared/http.js";
import { parseForm, parseSlackBody, type SlackBody } from "./request-body.js";
import { verifySlackSignature } from "./request-verification.js";

export interface SharedServerReceiverOptions {
  http: HttpRoutes;
  path: string;
  signingSecret: string;
  logger: Logger;
  /** Bolt's logger, for the ack helper it owns. */
  boltLogger: SlackLogger;
  now?: () => number;
  /** Largest body accepted; Slack's payloads are far smaller. */
  bodyLimit?: number;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === "string" ? value : undefined;
}

function isSslCheck(raw: Buffer, contentType: string): boolean {
  // Looked for before parsing: every slash command would otherwise be parsed twice.
  return (
    contentType.startsWith("application/x-www-form-urlencoded") &&
    raw.includes("ssl_check") &&
    parseForm(raw).ssl_check === "1"
  );
}

function noBody(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

/**
 * A Bolt receiver that serves Slack's HTTP requests on the shared HTTP server (beside /healthz)
 * instead of opening its own port. Every request is verified before Bolt sees it: a missing header,
 * a bad signature or a timestamp more than five minutes off in either direction is a 401 and no
 * listener runs. Acks go out through Bolt's own HTTPResponseAck, so Bolt behaves as with its
 * HTTPReceiver (ack bodies, the 3-second unhandled-request timeout).
 */
export class SharedServerReceiver implements Receiver {
  private app: App | undefined;
  private accepting = false;
  private readonly now: () => number;
  /** Requests refused by signature checks (for tests and metrics). */
  rejected = 0;

  constructor(private readonly options: SharedServerReceiverOptions) {
    this.now = options.now ?? Date.now;
  }

  init(app: App): void {
    this.app = app;
    this.options.http.route("POST", this.options.path, (req, res) => this.handle(req, res));
  }

  async start(): Promise<void> {
    this.accepting = true;
  }

  async stop(): Promise<void> {
    this.accepting = false;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const log = this.options.logger;
    if (!this.accepting || !this.app) {
      // Slack retries a 503 later, which is what a restarting bot wants.
      sendJson(res, 503, { error: "not accepting Slack requests" });
      return;
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, this.options.bodyLimit ?? 1024 * 1024);
    } catch (error) {
      log.warn({ err: error }, "Slack request body unreadable or too large");
      noBody(res, 413);
      return;
    }
    // Slack's SSL check may come unsigned (Bolt accepts it so); it is answered and nothing else.
    if (isSslCheck(raw, header(req, "content-type") ?? "")) {
      noBody(res, 200);
      return;
    }
    const verdict = verifySlackSignature({
      signingSecret: this.options.signingSecret,
      headers: req.headers,
      rawBody: raw,
      nowMs: this.now(),
    });
    if (!verdict.ok) {
      this.rejected++;
      log.warn({ reason: verdict.reason, path: this.options.path }, "refused an unverified Slack request");
      noBody(res, 401);
      return;
    }
    let body: SlackBody;
    try {
      body = parseSlackBody(raw, header(req, "content-type") ?? "");
    } catch {
      log.warn({ path: this.options.path }, "malformed Slack request body");
      noBody(res, 400);
      return;
    }
    if (body.type === "url_verification") {
      sendJson(res, 200, { challenge: body.challenge });
      return;
    }
    const ack = new HTTPResponseAck({
      logger: this.options.boltLogger,
      processBeforeResponse: false,
      httpRequest: req,
      httpRequestBody: body,
      httpResponse: res,
    });
    const retryNum = header(req, "x-slack-retry-num");
    const retryReason = header(req, "x-slack-retry-reason");
    const event: ReceiverEvent = {
      body,
      ack: ack.bind(),
      ...(retryNum !== undefined && /^\d+$/.test(retryNum) ? { retryNum: Number(retryNum) } : {}),
      ...(retryReason !== undefined ? { retryReason } : {}),
    };
    try {
      await this.app.processEvent(event);
    } catch (error) {
      log.error({ err: error }, "Bolt failed to process a Slack request");
      if (!res.headersSent) noBody(res, 500);
    }
  }
}
