import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** Slack signs requests with a timestamp; older or newer than this (seconds) is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

export type VerificationFailure =
  | "missing-signature"
  | "missing-timestamp"
  | "malformed-timestamp"
  | "stale-timestamp"
  | "future-timestamp"
  | "malformed-signature"
  | "bad-signature";

export type Verification = { ok: true } | { ok: false; reason: VerificationFailure };

export interface VerifyInput {
  signingSecret: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received: the signature covers its bytes. */
  rawBody: Buffer;
  nowMs: number;
}

function single(value: string | string[] | undefined): string | undefined {
  // A repeated header is as suspicious as a missing one.
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * Verifies Slack's v0 request signature: HMAC-SHA256 over `v0:<timestamp>:<body>`, compared in
 * constant time. Unlike Bolt's own check, a timestamp too far in the future is refused as well as
 * a stale one, so a captured request cannot be replayed later by predating it.
 */
export function verifySlackSignature(input: VerifyInput): Verification {
  const signature = single(input.headers["x-slack-signature"]);
  const timestamp = single(input.headers["x-slack-request-timestamp"]);
  if (!signature) return { ok: false, reason: "missing-signature" };
  if (!timestamp) return { ok: false, reason: "missing-timestamp" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "malformed-timestamp" };
  const skew = Number(timestamp) - Math.floor(input.nowMs / 1000);
  if (skew < -MAX_CLOCK_SKEW_SECONDS) return { ok: false, reason: "stale-timestamp" };
  if (skew > MAX_CLOCK_SKEW_SECONDS) return { ok: false, reason: "future-timestamp" };
  const match = /^v0=([0-9a-fA-F]{64})$/.exec(signature);
  if (!match) return { ok: false, reason: "malformed-signature" };
  const expected = createHmac("sha256", input.signingSecret)
    .update(`v0:${timestamp}:`)
    .update(input.rawBody)
    .digest();
  const given = Buffer.from(match[1] as string, "hex");
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: "bad-signature" };
}
