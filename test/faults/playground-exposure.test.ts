/**
 * The playground is unreachable from a non-loopback Host (or peer) without PLAYGROUND_TOKEN, in
 * every configuration that turns it on: alone, beside Slack or Discord over HTTP (which bind the
 * shared server to 0.0.0.0), and with HOST set by hand.
 */
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { localRequest } from "../../src/adapters/web/auth.js";
import { WebAdapter } from "../../src/adapters/web/playground.js";
import { loadConfig } from "../../src/app/config.js";
import { silentLogger } from "../../src/core/logger.js";
import { HttpServer } from "../../src/http/server.js";
import { createTestBot } from "../helpers.js";

const TOKEN = "a-playground-token-0123456789";
const PUBLIC_KEY = "b7e72dfbd922761cedf270827daf8a6a8148fa29341d35c1febae01bfdeb417b";

const CONFIGURATIONS: [string, Record<string, string>][] = [
  ["the playground alone", {}],
  ["HOST=0.0.0.0 with PLAYGROUND=on", { HOST: "0.0.0.0", PLAYGROUND: "on" }],
  [
    "beside Slack over HTTP",
    {
      SLACK_BOT_TOKEN: "xoxb-1-2-abc",
      SLACK_SIGNING_SECRET: "0123456789abcdef0123456789abcdef",
      PLAYGROUND: "on",
    },
  ],
  [
    "beside Discord interactions over HTTP",
    { DISCORD_PUBLIC_KEY: PUBLIC_KEY, DISCORD_APPLICATION_ID: "123456789012345678", PLAYGROUND: "on" },
  ],
  ["HOST=:: with PLAYGROUND=on", { HOST: "::", PLAYGROUND: "on" }],
];

const servers: HttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(env: Record<string, string>) {
  const config = loadConfig({ PORT: "0", ...env });
  expect(config.playground.enabled).toBe(true);
  const http = new HttpServer(silentLogger);
  servers.push(http);
  const bot = await createTestBot();
  await new WebAdapter({
    host: config.host,
    ...(config.playground.token ? { token: config.playground.token } : {}),
  }).start({ bot, logger: silentLogger, http });
  const address: AddressInfo = await http.listen(0, config.host);
  return { config, port: address.port };
}

function ask(port: number, host: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/api/ask",
        method: "POST",
        headers: { host, "content-type": "application/json", ...headers },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ text: "Who uses KubeVirt?", conversation: "exposure-test" }));
  });
}

describe.each(CONFIGURATIONS)("without a token: %s", (_name, env) => {
  it("refuses a non-loopback Host and answers this machine's own requests", async () => {
    const { port } = await start(env);
    expect(await ask(port, "spotlight.example.com")).toBe(403);
    expect(await ask(port, `203.0.113.7:${port}`)).toBe(403);
    expect(await ask(port, `localhost:${port}`)).toBe(200);
  });
});

describe.each(CONFIGURATIONS)("with PLAYGROUND_TOKEN: %s", (_name, env) => {
  it("answers any Host presenting the token, and nobody without it", async () => {
    const { port } = await start({ ...env, PLAYGROUND_TOKEN: TOKEN });
    expect(await ask(port, "spotlight.example.com")).toBe(401);
    expect(await ask(port, "spotlight.example.com", { authorization: `Bearer ${TOKEN}` })).toBe(200);
  });
});

describe("a request's peer", () => {
  const req = (remoteAddress: string, host = "localhost") =>
    ({ headers: { host }, socket: { remoteAddress } }) as unknown as Parameters<typeof localRequest>[0];

  it("must be this machine, whatever the Host header says", () => {
    expect(localRequest(req("127.0.0.1"))).toBe(true);
    expect(localRequest(req("::1"))).toBe(true);
    expect(localRequest(req("::ffff:127.0.0.1"))).toBe(true);
    expect(localRequest(req("10.1.2.3"))).toBe(false);
    expect(localRequest(req("::ffff:192.168.1.9"))).toBe(false);
    expect(localRequest(req("127.0.0.1", "evil.example"))).toBe(false);
  });
});
