import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { readBody, sendJson } from "../../src/http/wire.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server that reads each body with `limit` and reports what readBody gave. */
async function serve(limit: number): Promise<{ port: number; outcomes: string[] }> {
  const outcomes: string[] = [];
  server = createServer((req, res) => {
    readBody(req, limit).then(
      (body) => {
        outcomes.push(`read ${body.length}`);
        sendJson(res, 200, { bytes: body.length, text: body.toString("utf8") });
      },
      (error: Error) => {
        outcomes.push(`failed: ${error.message}`);
        if (!res.destroyed) sendJson(res, 413, { error: error.message });
      },
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { port: (server.address() as AddressInfo).port, outcomes };
}

describe("readBody", () => {
  it("joins a body sent in several chunks, multi-byte characters across them included", async () => {
    const { port } = await serve(1024);
    const req = request({ port, host: "127.0.0.1", method: "POST" });
    const text = Buffer.from("héllo, 世界");
    req.write(text.subarray(0, 2)); // splits the é
    await new Promise((resolve) => setTimeout(resolve, 20));
    req.end(text.subarray(2));
    const [res] = (await once(req, "response")) as [import("node:http").IncomingMessage];
    const json = JSON.parse((await readBody(res)).toString("utf8")) as { bytes: number; text: string };
    expect(json).toEqual({ bytes: text.length, text: "héllo, 世界" });
  });

  it("refuses a body over the limit, and the server still answers", async () => {
    const { port, outcomes } = await serve(10);
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "x".repeat(100) });
    expect(res.status).toBe(413);
    expect(outcomes).toEqual(["failed: request body over 10 bytes"]);
  });

  it("rejects, rather than hangs, when the client goes away mid-body", async () => {
    const { port, outcomes } = await serve(1024);
    const req = request({ port, host: "127.0.0.1", method: "POST", headers: { "content-length": "100" } });
    req.on("error", () => {});
    req.write("only part of it");
    await new Promise((resolve) => setTimeout(resolve, 50));
    req.destroy();
    await expect.poll(() => outcomes).toHaveLength(1);
    // Node reports the abort as the request's error ("aborted"); either way the read fails.
    expect(outcomes[0]).toMatch(/^failed: (aborted|request closed before its body ended)$/);
  });
});
