import { request as httpRequest } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountPlayground } from "../../src/adapters/web/playground.js";
import type { StreamEvent, WebReply } from "../../src/adapters/web/wire.js";
import { silentLogger } from "../../src/core/logger.js";
import { InMemoryRateLimiter } from "../../src/core/rate-limit.js";
import { HttpServer } from "../../src/http/server.js";
import { createTestBot, loadRepoKb, repoRoot } from "../helpers.js";
import { deferred, type Playground, parseNdjson, startPlayground } from "./fixture.js";

const TOKEN = "playground-token-for-tests-0123";
const CONVERSATION = "conversation-1";

function post(
  base: string,
  route: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(new URL(route, base), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function events(res: Response): Promise<StreamEvent[]> {
  return parseNdjson(await res.text());
}

function finalReply(list: StreamEvent[]): WebReply {
  const last = list.at(-1);
  if (last?.type !== "reply") throw new Error(`no reply at the end: ${JSON.stringify(list)}`);
  return last.reply;
}

/** A fresh visitor: the cookie the page load hands out. */
async function visit(base: string): Promise<string> {
  const res = await fetch(base);
  const cookie = res.headers.get("set-cookie");
  if (!cookie) throw new Error("no visitor cookie");
  return cookie.split(";")[0] as string;
}

/** A GET with a chosen Host header (fetch will not send one). */
function getWithHost(url: string, host: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host, ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("playground API", () => {
  let pg: Playground;

  beforeAll(async () => {
    pg = await startPlayground();
  });
  afterAll(() => pg.close());

  it("streams progress as NDJSON lines before the answer is finished, then the reply", async () => {
    const hold = deferred();
    pg.answerer.enqueue({
      chunks: ["KubeVirt is used by Nvidia", " and Cloudflare [1]."],
      hold: hold.promise,
    });
    const res = await post(pg.url, "api/ask", { text: "Who uses KubeVirt?", conversation: CONVERSATION });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-accel-buffering")).toBe("no");

    // The first line arrives while the answerer is still held after its first chunk.
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let received = "";
    while (!received.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    expect(JSON.parse(received.split("\n")[0] as string)).toEqual({
      type: "delta",
      text: "KubeVirt is used by Nvidia",
    });
    hold.resolve();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    const list = parseNdjson(received);
    expect(list.map((e) => e.type)).toEqual(["delta", "delta", "reply"]);
    expect(list[1]).toEqual({ type: "delta", text: " and Cloudflare [1]." });
    const reply = finalReply(list);
    expect(reply).toMatchObject({
      text: "KubeVirt is used by Nvidia and Cloudflare [1].",
      mode: "llm",
      rateable: true,
      ephemeral: false,
      language: "en",
    });
    expect(reply.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.sources[0]).toMatchObject({
      n: 1,
      section: expect.any(String),
      url: expect.stringMatching(/^https:/),
    });
  });

  it("answers extractively without a model, with the mode and notice", async () => {
    const reply = finalReply(
      await events(
        await post(pg.url, "api/ask", {
          text: "How many stars does vCluster have?",
          conversation: CONVERSATION,
        }),
      ),
    );
    expect(reply.mode).toBe("extractive");
    expect(reply.notice).toMatch(/^Extractive answer/);
    expect(reply.text).toMatch(/\[1\]/);
  });

  it("stops the answer when the client goes away", async () => {
    const hold = deferred();
    pg.answerer.enqueue({ chunks: ["KubeVirt is", " used by Nvidia."], hold: hold.promise });
    const res = await post(pg.url, "api/ask", { text: "Who uses KubeVirt?", conversation: CONVERSATION });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const signal = pg.answerer.signals.at(-1);
    expect(signal?.aborted).toBe(false);
    const aborted = new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve()));
    // Cancelling the body closes the connection, as closing the tab does.
    await reader.cancel();
    await aborted;
    expect(signal?.aborted).toBe(true);
    hold.resolve();
  });

  it("runs slash commands: cards and comparisons come as parts, not as markdown", async () => {
    const project = finalReply(
      await events(
        await post(pg.url, "api/command", { name: "project", text: "kubevirt", conversation: CONVERSATION }),
      ),
    );
    expect(project.parts.map((p) => (p.type === "card" ? p.card.projectId : p.type))).toEqual(["kubevirt"]);
    expect(project.rateable).toBe(false);

    const compare = finalReply(
      await events(
        await post(pg.url, "api/command", {
          name: "/compare",
          text: "capi vcluster",
          conversation: CONVERSATION,
        }),
      ),
    );
    const [comparison] = compare.parts;
    expect(
      comparison?.type === "comparison" && comparison.comparison.projects.map((p) => p.projectId),
    ).toEqual(["cluster-api", "vcluster"]);

    const unknown = finalReply(
      await events(await post(pg.url, "api/command", { name: "nope", conversation: CONVERSATION })),
    );
    expect(unknown.ephemeral).toBe(true);
    expect(unknown.text).toMatch(/^Unknown command `\/nope`/);
  });

  it("refuses bodies that are too large, not JSON, malformed or cross-site", async () => {
    const big = await post(pg.url, "api/ask", { text: "x".repeat(20_000), conversation: CONVERSATION });
    expect(big.status).toBe(413);
    const form = await fetch(new URL("api/ask", pg.url), {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: '{"text":"hi","conversation":"conversation-1"}',
    });
    expect(form.status).toBe(415);
    expect((await post(pg.url, "api/ask", "{not json")).status).toBe(400);
    const invalid = await post(pg.url, "api/ask", { text: "hi", conversation: "x" });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({ error: expect.stringMatching(/^invalid request: conversation/) });
    expect((await post(pg.url, "api/command", { name: "../etc", conversation: CONVERSATION })).status).toBe(
      400,
    );
    const crossSite = await post(
      pg.url,
      "api/ask",
      { text: "hi", conversation: CONVERSATION },
      { "sec-fetch-site": "cross-site" },
    );
    expect(crossSite.status).toBe(403);
  });

  it("records 👍/👎 once, for the visitor who got the answer, and only on answers", async () => {
    const alice = await visit(pg.url);
    const bob = await visit(pg.url);
    expect(alice).not.toBe(bob);
    const answer = finalReply(
      await events(
        await post(
          pg.url,
          "api/ask",
          { text: "Who uses KubeVirt?", conversation: CONVERSATION },
          { cookie: alice },
        ),
      ),
    );
    const vote = (cookie: string, replyId: string, value = "up") =>
      post(pg.url, "api/feedback", { replyId, value }, { cookie });

    expect((await vote(bob, answer.id)).status).toBe(404);
    const before = pg.feedback.length;
    expect((await vote(alice, answer.id, "down")).status).toBe(200);
    expect(pg.feedback.slice(before)).toEqual([
      {
        platform: "web",
        conversationId: `web:${alice.split("=")[1]}:${CONVERSATION}`,
        userId: alice.split("=")[1],
        messageRef: answer.id,
        value: "down",
      },
    ]);
    expect((await vote(alice, answer.id)).status).toBe(409);
    expect((await vote(alice, "00000000-0000-0000-0000-000000000000")).status).toBe(404);
    expect(
      (await post(pg.url, "api/feedback", { replyId: answer.id, value: "meh" }, { cookie: alice })).status,
    ).toBe(400);

    const card = finalReply(
      await events(
        await post(
          pg.url,
          "api/command",
          { name: "project", text: "capi", conversation: CONVERSATION },
          { cookie: alice },
        ),
      ),
    );
    const refused = await vote(alice, card.id);
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({ error: "not-rateable" });
    expect(pg.feedback.length).toBe(before + 1);
  });

  it("serves the page and its files with a strict CSP, a visitor cookie and revalidation", async () => {
    const page = await fetch(pg.url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("require-trusted-types-for 'script'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("set-cookie")).toMatch(
      /^spotlight_visitor=[\w-]{22}; .*HttpOnly; SameSite=Strict$/,
    );

    const again = await fetch(pg.url, {
      headers: { cookie: (page.headers.get("set-cookie") ?? "").split(";")[0] as string },
    });
    expect(again.headers.get("set-cookie")).toBeNull();

    const script = await fetch(new URL("assets/playground.js", pg.url));
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const etag = script.headers.get("etag") ?? "";
    expect(
      (await fetch(new URL("assets/playground.js", pg.url), { headers: { "if-none-match": etag } })).status,
    ).toBe(304);
    expect((await fetch(new URL("assets/../package.json", pg.url))).status).toBe(404);
    expect((await fetch(new URL("assets/nothing.js", pg.url))).status).toBe(404);
  });

  it("lists every project and the article sections at GET /api/kb", async () => {
    const kb = await loadRepoKb();
    const view = (await (await fetch(new URL("api/kb", pg.url))).json()) as {
      projects: { projectId: string; facts: unknown[]; aliases: string[] }[];
      articles: { sections: { heading: string; paragraphs: string[] }[] }[];
    };
    expect(view.projects.map((p) => p.projectId)).toEqual(kb.projects.map((p) => p.id));
    expect(view.projects.find((p) => p.projectId === "cluster-api")?.aliases).toContain("CAPI");
    const headings = view.articles.flatMap((a) => a.sections.map((s) => s.heading));
    for (const heading of kb.articles.flatMap((a) => a.headings)) expect(headings).toContain(heading);
    const paragraphs = view.articles.flatMap((a) => a.sections.flatMap((s) => s.paragraphs));
    expect(paragraphs.length).toBe(kb.articles.reduce((n, a) => n + a.blocks.length, 0));
  });

  it("answers only requests addressed to localhost when it is local-only", async () => {
    expect(await getWithHost(pg.url, new URL(pg.url).host)).toBe(200);
    expect(await getWithHost(pg.url, `localhost:${new URL(pg.url).port}`)).toBe(200);
    expect(await getWithHost(pg.url, "attacker.example")).toBe(403);
    expect(await getWithHost(new URL("api/kb", pg.url).href, "attacker.example")).toBe(403);
  });
});

describe("playground with a token", () => {
  let pg: Playground;

  beforeAll(async () => {
    pg = await startPlayground({ env: { PLAYGROUND_TOKEN: TOKEN } });
  });
  afterAll(() => pg.close());

  it("refuses every route without the token, with a basic-auth challenge", async () => {
    for (const route of ["", "assets/playground.js", "api/kb"]) {
      const res = await fetch(new URL(route, pg.url));
      expect(res.status, route).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Basic realm="Spotlight playground", charset="UTF-8"');
    }
    expect(
      (await post(pg.url, "api/ask", { text: "Who uses KubeVirt?", conversation: CONVERSATION })).status,
    ).toBe(401);
    expect((await post(pg.url, "api/feedback", { replyId: "00000000-0000", value: "up" })).status).toBe(401);
    const wrong = await fetch(pg.url, { headers: { authorization: `Bearer ${TOKEN}0` } });
    expect(wrong.status).toBe(401);
  });

  it("accepts the token as a Bearer header or a basic-auth password", async () => {
    expect((await fetch(pg.url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const basic = `Basic ${Buffer.from(`anyone:${TOKEN}`).toString("base64")}`;
    const res = await post(
      pg.url,
      "api/ask",
      { text: "Who uses KubeVirt?", conversation: CONVERSATION },
      { authorization: basic },
    );
    expect(res.status).toBe(200);
    expect(finalReply(await events(res)).mode).toBe("extractive");
  });

  it("accepts any host name once a token guards it (a reverse proxy on the same machine)", async () => {
    expect(await getWithHost(pg.url, "spotlight.example.com", { authorization: `Bearer ${TOKEN}` })).toBe(
      200,
    );
    expect(await getWithHost(pg.url, "spotlight.example.com")).toBe(401);
  });
});

describe("playground rate limits", () => {
  it("are the bot's: per visitor (cookie) and per client address", async () => {
    const pg = await startPlayground({
      bot: {
        rateLimits: { perUser: 1, perChannel: 2, windowMs: 60_000 },
        rateLimiter: new InMemoryRateLimiter(),
      },
    });
    try {
      const ask = async (cookie: string) =>
        finalReply(
          await events(
            await post(
              pg.url,
              "api/ask",
              { text: "Who uses KubeVirt?", conversation: CONVERSATION },
              { cookie },
            ),
          ),
        );
      const [alice, bob, carol] = [await visit(pg.url), await visit(pg.url), await visit(pg.url)];
      expect((await ask(alice)).mode).toBe("extractive");
      const limited = await ask(alice);
      expect(limited.ephemeral).toBe(true);
      expect(limited.text).toMatch(/^You're asking faster than I can answer/);
      // Another visitor has an allowance of their own...
      expect((await ask(bob)).mode).toBe("extractive");
      // ...but dropping cookies does not escape the limit of the address they all share.
      expect((await ask(carol)).text).toMatch(/^You're asking faster than I can answer/);
    } finally {
      await pg.close();
    }
  });
});

describe("mounting the playground", () => {
  it("fails naming the folder when the page's files are missing", async () => {
    const http = new HttpServer(silentLogger);
    const context = { logger: silentLogger, bot: await createTestBot() };
    const missing = path.join(repoRoot, "no-such-public-dir");
    expect(() => mountPlayground(context, http, { host: "127.0.0.1", assetsDir: missing })).toThrow(
      `cannot read ${path.join(missing, "index.html")}`,
    );
  });
});
