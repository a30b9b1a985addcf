import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepAliveFetch } from "../../src/adapters/shared/keep-alive-fetch.js";
import { isTransient } from "../../src/adapters/slack/slack-api.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

const seen: Seen[] = [];
let server: Server;
let origin: string;
const transport = keepAliveFetch();

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
  switch (req.url) {
    case "/json":
      res.writeHead(200, { "content-type": "application/json", "x-oauth-scopes": "chat:write" });
      res.end(JSON.stringify({ ok: true, echo: body }));
      return;
    case "/gzip":
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(gzipSync(JSON.stringify({ ok: true, zipped: true })));
      return;
    case "/empty":
      res.writeHead(204);
      res.end();
      return;
    case "/limited":
      res.writeHead(429, { "retry-after": "3" });
      res.end("slow down");
      return;
    case "/moved":
      res.writeHead(303, { location: "/json" });
      res.end();
      return;
    case "/hang":
      return; // never answers
    default:
      res.writeHead(404);
      res.end("not found");
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => route(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  transport.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("keepAliveFetch", () => {
  it("POSTs the body with its headers and answers with a Response like fetch's", async () => {
    const res = await transport.fetch(`${origin}/json`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Bearer xoxb-1" },
      body: "channel=C1&text=h%C3%A9llo",
    });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.url).toBe(`${origin}/json`);
    expect(res.headers.get("x-oauth-scopes")).toBe("chat:write");
    expect(await res.json()).toEqual({ ok: true, echo: "channel=C1&text=h%C3%A9llo" });
    const request = seen.at(-1) as Seen;
    expect(request.method).toBe("POST");
    expect(request.headers.authorization).toBe("Bearer xoxb-1");
    expect(request.headers["content-length"]).toBe(String(Buffer.byteLength("channel=C1&text=h%C3%A9llo")));
  });

  it("reuses its sockets between calls", async () => {
    const ports = new Set<number>();
    const onConnection = (socket: { remotePort?: number }) => ports.add(socket.remotePort ?? 0);
    server.on("connection", onConnection);
    try {
      for (let i = 0; i < 5; i++)
        await (await transport.fetch(`${origin}/json`, { method: "POST", body: "x" })).text();
    } finally {
      server.off("connection", onConnection);
    }
    expect(ports.size).toBeLessThanOrEqual(1);
  });

  it("decodes a compressed body and gives a body-less status a null body", async () => {
    const zipped = await transport.fetch(`${origin}/gzip`);
    expect(await zipped.json()).toEqual({ ok: true, zipped: true });
    const empty = await transport.fetch(`${origin}/empty`, { method: "POST", body: "{}" });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it("hands an error status over as a response, headers included", async () => {
    const res = await transport.fetch(`${origin}/limited`, { method: "POST", body: "{}" });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    expect(await res.text()).toBe("slow down");
  });

  it("fails like fetch: TypeError 'fetch failed' with the cause, which retries count as transient", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await transport.fetch(`http://127.0.0.1:${port}/json`, { method: "POST", body: "{}" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("fetch failed");
    expect(((error as Error).cause as { code?: string }).code).toBe("ECONNREFUSED");
    expect(isTransient(error)).toBe(true);
  });

  it("rejects with the signal's reason when it aborts", async () => {
    const error = await transport
      .fetch(`${origin}/hang`, { method: "POST", body: "{}", signal: AbortSignal.timeout(50) })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((error as Error).name).toBe("TimeoutError");
    const aborted = new AbortController();
    aborted.abort(new Error("stop"));
    await expect(transport.fetch(`${origin}/json`, { signal: aborted.signal })).rejects.toThrow("stop");
  });

  it("follows a redirect as fetch does, or refuses it when told to", async () => {
    const followed = await transport.fetch(`${origin}/moved`, { method: "POST", body: "a=1" });
    expect(followed.status).toBe(200);
    expect(seen.at(-1)?.method).toBe("GET");
    await expect(
      transport.fetch(`${origin}/moved`, { method: "POST", body: "a=1", redirect: "error" }),
    ).rejects.toThrow("fetch failed");
  });

  it("leaves bodies it does not send itself to the global fetch", async () => {
    const form = new FormData();
    form.set("channel", "C1");
    const res = await transport.fetch(`${origin}/json`, { method: "POST", body: form });
    expect(res.status).toBe(200);
    expect(seen.at(-1)?.headers["content-type"]).toMatch(/^multipart\/form-data/);
    expect(seen.at(-1)?.body).toContain('name="channel"');
  });
});

describe("keepAliveFetch().post", () => {
  it("POSTs a string body with its UTF-8 length and answers with status, headers and text", async () => {
    const body = JSON.stringify({ text: "你好, héllo" });
    const res = await transport.post(new URL(`${origin}/json`), body, { "content-type": "application/json" });
    expect(res.status).toBe(200);
    expect(res.headers["x-oauth-scopes"]).toBe("chat:write");
    expect(JSON.parse(res.text)).toEqual({ ok: true, echo: body });
    const request = seen.at(-1) as Seen;
    expect(request.method).toBe("POST");
    expect(request.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
    expect(request.headers["content-type"]).toBe("application/json");
  });

  it("shares the keep-alive sockets, and decodes a compressed answer", async () => {
    const ports = new Set<number>();
    const onConnection = (socket: { remotePort?: number }) => ports.add(socket.remotePort ?? 0);
    server.on("connection", onConnection);
    try {
      for (let i = 0; i < 5; i++) await transport.post(new URL(`${origin}/json`), "{}", {});
    } finally {
      server.off("connection", onConnection);
    }
    expect(ports.size).toBeLessThanOrEqual(1);
    const zipped = await transport.post(new URL(`${origin}/gzip`), "{}", {});
    expect(JSON.parse(zipped.text)).toEqual({ ok: true, zipped: true });
  });

  it("hands an error status over with its headers", async () => {
    const res = await transport.post(new URL(`${origin}/limited`), "{}", {});
    expect(res.status).toBe(429);
    expect(res.headers["retry-after"]).toBe("3");
    expect(res.text).toBe("slow down");
  });

  it("fails like fetch when the server is gone, and with a TimeoutError when it does not answer", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await transport.post(new URL(`http://127.0.0.1:${port}/json`), "{}", {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TypeError);
    expect(((refused as Error).cause as { code?: string }).code).toBe("ECONNREFUSED");
    expect(isTransient(refused)).toBe(true);

    const hung = await transport.post(new URL(`${origin}/hang`), "{}", {}, 50).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((hung as Error).name).toBe("TimeoutError");
    expect(isTransient(hung)).toBe(true);
  });
});
