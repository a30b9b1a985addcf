import { describe, expect, it } from "vitest";
import {
  hostAllowed,
  hostName,
  isAuthorized,
  isLoopback,
  presentedSecret,
  sameOriginPost,
  secretsEqual,
} from "../../src/adapters/web/auth.js";
import { cookieVisitorId, newVisitorId, visitorCookie } from "../../src/adapters/web/visitor.js";

const TOKEN = "s3cret-token-0123456789";
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;

describe("playground token", () => {
  it("compares secrets of any lengths", () => {
    expect(secretsEqual(TOKEN, TOKEN)).toBe(true);
    expect(secretsEqual(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(secretsEqual("", TOKEN)).toBe(false);
    expect(secretsEqual(TOKEN.slice(0, -1), TOKEN)).toBe(false);
  });

  it("reads a Bearer token or the password of basic auth", () => {
    expect(presentedSecret(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(presentedSecret(`bearer ${TOKEN}`)).toBe(TOKEN);
    expect(presentedSecret(basic("anyone", TOKEN))).toBe(TOKEN);
    // A password may itself hold colons: only the first separates the user name.
    expect(presentedSecret(basic("me", "a:b:c"))).toBe("a:b:c");
    expect(presentedSecret(basic("", TOKEN))).toBe(TOKEN);
  });

  it("finds no secret in malformed headers", () => {
    expect(presentedSecret(undefined)).toBeUndefined();
    expect(presentedSecret("")).toBeUndefined();
    expect(presentedSecret("Bearer")).toBeUndefined();
    expect(presentedSecret(`Token ${TOKEN}`)).toBeUndefined();
    expect(presentedSecret("Basic !!!not-base64")).toBeUndefined();
    expect(presentedSecret(`Basic ${Buffer.from("no-colon").toString("base64")}`)).toBeUndefined();
  });

  it("lets everyone in without a token, and only the token's holders with one", () => {
    expect(isAuthorized({}, undefined)).toBe(true);
    expect(isAuthorized({}, TOKEN)).toBe(false);
    expect(isAuthorized({ authorization: `Bearer ${TOKEN}` }, TOKEN)).toBe(true);
    expect(isAuthorized({ authorization: basic("x", TOKEN) }, TOKEN)).toBe(true);
    expect(isAuthorized({ authorization: `Bearer ${TOKEN}x` }, TOKEN)).toBe(false);
    expect(isAuthorized({ authorization: basic(TOKEN, "wrong") }, TOKEN)).toBe(false);
  });
});

describe("host names", () => {
  it("parses Host headers with ports and IPv6 brackets", () => {
    expect(hostName("localhost:3000")).toBe("localhost");
    expect(hostName("LOCALHOST")).toBe("localhost");
    expect(hostName("127.0.0.1:8080")).toBe("127.0.0.1");
    expect(hostName("[::1]:3000")).toBe("::1");
    expect(hostName("[::1]")).toBe("::1");
    expect(hostName(undefined)).toBeUndefined();
  });

  it("knows loopback names and addresses", () => {
    for (const name of ["localhost", "app.localhost", "127.0.0.1", "127.1.2.3", "::1"]) {
      expect(isLoopback(name), name).toBe(true);
    }
    for (const name of ["0.0.0.0", "10.0.0.1", "example.com", "localhost.example.com", "::"]) {
      expect(isLoopback(name), name).toBe(false);
    }
  });

  it("refuses other host names on a loopback server (DNS rebinding)", () => {
    expect(hostAllowed("127.0.0.1", "127.0.0.1:3000")).toBe(true);
    expect(hostAllowed("127.0.0.1", "localhost:3000")).toBe(true);
    expect(hostAllowed("127.0.0.1", "[::1]:3000")).toBe(true);
    expect(hostAllowed("127.0.0.1", "attacker.example:3000")).toBe(false);
    expect(hostAllowed("127.0.0.1", undefined)).toBe(false);
    // A server bound to all interfaces has no one name to expect.
    expect(hostAllowed("0.0.0.0", "spotlight.example.com")).toBe(true);
  });
});

describe("state-changing requests", () => {
  it("accept JSON from the page itself", () => {
    expect(sameOriginPost({ "content-type": "application/json" })).toEqual({ ok: true });
    expect(
      sameOriginPost({ "content-type": "application/json; charset=utf-8", "sec-fetch-site": "same-origin" }),
    ).toEqual({ ok: true });
  });

  it("refuse what a cross-site form could send", () => {
    expect(sameOriginPost({ "content-type": "text/plain" })).toEqual({ ok: false, status: 415 });
    expect(sameOriginPost({ "content-type": "application/x-www-form-urlencoded" })).toEqual({
      ok: false,
      status: 415,
    });
    expect(sameOriginPost({})).toEqual({ ok: false, status: 415 });
    expect(sameOriginPost({ "content-type": "application/json", "sec-fetch-site": "cross-site" })).toEqual({
      ok: false,
      status: 403,
    });
    expect(sameOriginPost({ "content-type": "application/json", "sec-fetch-site": "same-site" })).toEqual({
      ok: false,
      status: 403,
    });
  });
});

describe("visitor cookie", () => {
  it("round-trips a new id and keeps scripts from reading it", () => {
    const id = newVisitorId();
    const cookie = visitorCookie(id);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookieVisitorId(`theme=dark; ${cookie.split(";")[0]}`)).toBe(id);
  });

  it("ignores malformed ids", () => {
    expect(cookieVisitorId("spotlight_visitor=short")).toBeUndefined();
    expect(cookieVisitorId("spotlight_visitor=<script>alert(1)</script>abcdefgh")).toBeUndefined();
    expect(cookieVisitorId(undefined)).toBeUndefined();
    expect(cookieVisitorId("other=abcdefghijklmnopqrstuv")).toBeUndefined();
  });
});
