import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The cookie naming a browser: it keys the visitor's conversations and per-user rate limit. */
export const VISITOR_COOKIE = "spotlight_visitor";

const VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** Who is asking, as the core's rate limits and memory see them. */
export interface Visitor {
  /** Per-user rate limits and conversation keys; from the cookie, else from the address. */
  id: string;
  /**
   * Per-channel rate limits: the client address, so a script dropping its cookie to get a fresh
   * per-user allowance still shares one limit. Behind a proxy every visitor shares it.
   */
  channelId: string;
  /** True when the request carried no valid cookie (curl, a first visit). */
  fresh: boolean;
}

/** A new random visitor id (22 URL-safe characters). */
export function newVisitorId(): string {
  return randomBytes(16).toString("base64url");
}

/** The `Set-Cookie` value that remembers a visitor for a year; scripts cannot read it. */
export function visitorCookie(id: string): string {
  return `${VISITOR_COOKIE}=${id}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict`;
}

/** The visitor id a `Cookie` header carries, when it is well formed. */
export function cookieVisitorId(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== VISITOR_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return VISITOR_ID.test(value) ? value : undefined;
  }
  return undefined;
}

/** Addresses are hashed: ids end up in logs and rate-limit keys, which need no personal data. */
function addressKey(address: string): string {
  return `ip-${createHash("sha256").update(address).digest("base64url").slice(0, 16)}`;
}

/** Identifies the visitor of a request. */
export function visitorOf(req: IncomingMessage): Visitor {
  const address = addressKey(req.socket.remoteAddress ?? "unknown");
  const cookie = cookieVisitorId(req.headers.cookie);
  return { id: cookie ?? address, channelId: `web:${address}`, fresh: cookie === undefined };
}
