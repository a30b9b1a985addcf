import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { isIP } from "node:net";

/** Compares two secrets in constant time, whatever their lengths. */
export function secretsEqual(given: string, expected: string): boolean {
  // Digests have one length, so neither the content nor the length of the token leaks through timing.
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * The secret an `Authorization` header presents: a Bearer token, or the password of HTTP basic
 * auth (any user name), which is what a browser sends after its login prompt.
 */
export function presentedSecret(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const bearer = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization);
  if (bearer) return bearer[1];
  const basic = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(authorization);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1] as string, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/** True when no token is configured, or the request presents it. */
export function isAuthorized(headers: IncomingHttpHeaders, token: string | undefined): boolean {
  if (token === undefined) return true;
  const secret = presentedSecret(single(headers.authorization));
  return secret !== undefined && secretsEqual(secret, token);
}

/** The challenge sent with 401, so a browser shows its login prompt (password = the token). */
export const AUTH_CHALLENGE = 'Basic realm="Spotlight playground", charset="UTF-8"';

/** The host name of a `Host` header, without its port or IPv6 brackets, lower-cased. */
export function hostName(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader);
  if (bracketed) return (bracketed[1] as string).toLowerCase();
  const colon = hostHeader.lastIndexOf(":");
  const name = colon >= 0 && hostHeader.indexOf(":") === colon ? hostHeader.slice(0, colon) : hostHeader;
  return name.toLowerCase();
}

/** Whether a host name or address is this machine's loopback. */
export function isLoopback(name: string): boolean {
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (isIP(name) === 4) return name.startsWith("127.");
  return name === "::1" || name === "0:0:0:0:0:0:0:1";
}

/**
 * Whether a request may reach a server bound to `boundHost`. A server on loopback only answers
 * requests naming loopback: a web page whose domain re-resolves to 127.0.0.1 (DNS rebinding)
 * would otherwise drive the local playground from the visitor's browser.
 */
export function hostAllowed(boundHost: string, hostHeader: string | undefined): boolean {
  if (!isLoopback(boundHost)) return true;
  const name = hostName(hostHeader);
  return name !== undefined && isLoopback(name);
}

/**
 * Whether a request comes from this machine (its peer is a loopback address) and names loopback in
 * its Host header. A server bound to a wildcard for Slack or Discord still serves a token-less
 * playground to its own machine only; the Host check stops DNS rebinding.
 */
export function localRequest(req: Pick<IncomingMessage, "headers" | "socket">): boolean {
  const peer = req.socket.remoteAddress?.replace(/^::ffff:/i, "");
  if (peer === undefined || !isLoopback(peer)) return false;
  const name = hostName(req.headers.host);
  return name !== undefined && isLoopback(name);
}

/**
 * Whether a state-changing request may come from the playground page itself. Cross-site pages
 * can post simple forms carrying the visitor's cached basic-auth credentials, but they cannot send
 * JSON without a CORS preflight (never granted here); browsers also label them with Fetch Metadata.
 * Origin is not compared with Host: proxies that rewrite Host would break that check.
 */
export function sameOriginPost(
  headers: IncomingHttpHeaders,
): { ok: true } | { ok: false; status: 403 | 415 } {
  const type = single(headers["content-type"])?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") return { ok: false, status: 415 };
  const site = single(headers["sec-fetch-site"]);
  if (site !== undefined && site !== "same-origin" && site !== "none") return { ok: false, status: 403 };
  return { ok: true };
}
