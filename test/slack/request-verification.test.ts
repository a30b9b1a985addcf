import { describe, expect, it } from "vitest";
import { verifySlackSignature } from "../../src/adapters/slack/request-verification.js";
import { signSlackRequest } from "../fakes/fake-slack.js";

// Slack's documented example (docs.slack.dev/authentication/verifying-requests-from-slack).
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const TS = 1531420618;
const SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

function verify(headers: Record<string, string | string[]>, body = BODY, nowSeconds = TS) {
  return verifySlackSignature({
    signingSecret: SECRET,
    headers,
    rawBody: Buffer.from(body),
    nowMs: nowSeconds * 1000,
  });
}

const good = { "x-slack-signature": SIGNATURE, "x-slack-request-timestamp": String(TS) };

describe("verifySlackSignature", () => {
  it("accepts Slack's documented example", () => {
    expect(verify(good)).toEqual({ ok: true });
  });

  it("refuses a changed body or a wrong signature", () => {
    expect(verify(good, `${BODY}&x=1`)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verify({ ...good, "x-slack-signature": `v0=${"0".repeat(64)}` })).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    expect(verify({ ...good, "x-slack-signature": "v0=abc" })).toEqual({
      ok: false,
      reason: "malformed-signature",
    });
    expect(verify({ ...good, "x-slack-signature": SIGNATURE.replace("v0", "v1") })).toEqual({
      ok: false,
      reason: "malformed-signature",
    });
  });

  it("refuses a timestamp more than five minutes off, in either direction", () => {
    expect(verify(good, BODY, TS + 300)).toEqual({ ok: true });
    expect(verify(good, BODY, TS - 300)).toEqual({ ok: true });
    expect(verify(good, BODY, TS + 301)).toEqual({ ok: false, reason: "stale-timestamp" });
    expect(verify(good, BODY, TS - 301)).toEqual({ ok: false, reason: "future-timestamp" });
  });

  it("refuses missing, repeated or malformed headers", () => {
    expect(verify({ "x-slack-request-timestamp": String(TS) })).toEqual({
      ok: false,
      reason: "missing-signature",
    });
    expect(verify({ "x-slack-signature": SIGNATURE })).toEqual({ ok: false, reason: "missing-timestamp" });
    expect(verify({ ...good, "x-slack-signature": [SIGNATURE, SIGNATURE] })).toEqual({
      ok: false,
      reason: "missing-signature",
    });
    expect(verify({ ...good, "x-slack-request-timestamp": "1e9" })).toEqual({
      ok: false,
      reason: "malformed-timestamp",
    });
  });

  it("verifies the exact bytes, not a re-encoding", () => {
    const body = '{"text":"caf\\u00e9 ☕ naïve"}';
    const now = Math.floor(Date.now() / 1000);
    const headers = { ...signSlackRequest("s3cret", body, now) };
    expect(
      verifySlackSignature({
        signingSecret: "s3cret",
        headers,
        rawBody: Buffer.from(body),
        nowMs: now * 1000,
      }),
    ).toEqual({ ok: true });
  });
});
