/**
 * Outbound platform calls under a hiccup: a response_url that resets the connection or answers
 * 5xx is retried until the answer is delivered; a refusal (4xx) is not retried.
 */
import { createHook } from "node:async_hooks";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { webApi } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import { keepAliveFetch } from "../../src/adapters/shared/keep-alive-fetch.js";
import { isNetworkFailure, withRetry } from "../../src/adapters/shared/retry.js";
import { describeError, SlackApi } from "../../src/adapters/slack/slack-api.js";
import { silentLogger } from "../../src/core/logger.js";
import { PrometheusMetrics } from "../../src/http/metrics.js";

const servers: Server[] = [];
const transport = keepAliveFetch();
afterEach(async () => {
  transport.close();
  for (const server of servers.splice(0)) await new Promise((r) => server.close(r));
});

/** A response_url endpoint that misbehaves in the given ways, in order, then accepts. */
async function responseUrl(
  faults: ("reset" | 500 | 503 | 400)[],
): Promise<{ url: string; delivered: string[] }> {
  const delivered: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += String(d);
    });
    req.on("end", () => {
      const fault = faults.shift();
      if (fault === "reset") {
        req.socket.destroy();
        return;
      }
      if (fault !== undefined) {
        res.writeHead(fault, { "content-type": "text/plain" });
        res.end("no");
        return;
      }
      delivered.push(body);
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/commands/1/2/abc`, delivered };
}

const api = (responseTimeoutMs?: number) =>
  new SlackApi(
    {
      client: { call: () => Promise.reject(new Error("no Web API here")) },
      web: {} as webApi.WebClient,
      transport,
    },
    silentLogger,
    { sleep: async () => {}, ...(responseTimeoutMs ? { responseTimeoutMs } : {}) },
  );

/**
 * Timers of `durationMs` created while `work` runs and still pending once it is done. A timer per
 * call that outlives the call (an AbortSignal.timeout, say) holds its closure for the whole timeout.
 */
async function timersLeftBy(durationMs: number, work: () => Promise<void>): Promise<number> {
  const pending = new Set<number>();
  const hook = createHook({
    init(id, type, _trigger, resource) {
      if (type === "Timeout" && (resource as { _idleTimeout?: number })._idleTimeout === durationMs)
        pending.add(id);
    },
    destroy(id) {
      pending.delete(id);
    },
  }).enable();
  try {
    await work();
    // Destroy hooks of cleared timers run on a later turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    hook.disable();
  }
  return pending.size;
}

describe("response_url posts", () => {
  it("survive a reset connection and 5xx answers", async () => {
    const target = await responseUrl(["reset", 503, 500]);
    await api().respond(target.url, { text: "the answer" });
    expect(target.delivered).toHaveLength(1);
    expect(JSON.parse(target.delivered[0] as string)).toMatchObject({ text: "the answer" });
  });

  it("are not retried when Slack refuses them", async () => {
    const target = await responseUrl([400]);
    await expect(api().respond(target.url, { text: "x" })).rejects.toThrow(/400/);
    expect(target.delivered).toHaveLength(0);
  });

  it("give up after a few tries, with the cause in the error", async () => {
    const target = await responseUrl(["reset", "reset", "reset", "reset", "reset"]);
    const failure = await api()
      .respond(target.url, { text: "x" })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeDefined();
    expect(describeError(failure)).toMatch(/fetch failed: .+/);
  });
});

describe("response_url timeouts", () => {
  it("are cleared once the post is answered, refused or retried, so none outlives its call", async () => {
    const TIMEOUT_MS = 9_876;
    const faults: ("reset" | 503 | 400)[] = ["reset", 503];
    const target = await responseUrl(faults);
    let refused = 0;
    const left = await timersLeftBy(TIMEOUT_MS, async () => {
      await api(TIMEOUT_MS).respond(target.url, { text: "after a reset and a 503" });
      faults.push(400, 400, 400, 400, 400);
      for (let i = 0; i < 5; i++)
        await api(TIMEOUT_MS)
          .respond(target.url, { text: "refused" })
          .catch(() => refused++);
      for (let i = 0; i < 20; i++) await api(TIMEOUT_MS).respond(target.url, { text: `answer ${i}` });
    });
    expect(target.delivered).toHaveLength(21);
    expect(refused).toBe(5);
    expect(left).toBe(0);
  });

  it("are counted by the probe while pending (the probe sees a timer that outlives its call)", async () => {
    const left = await timersLeftBy(9_875, async () => {
      AbortSignal.timeout(9_875);
    });
    expect(left).toBe(1);
  });
});

describe("retries of platform calls", () => {
  it("repeat network failures and 5xx, never refusals", async () => {
    let calls = 0;
    const flaky = () => {
      calls++;
      if (calls < 3) return Promise.reject(Object.assign(new TypeError("fetch failed"), {}));
      return Promise.resolve("ok");
    };
    expect(await withRetry(flaky, { delaysMs: [0, 0, 0] })).toBe("ok");
    expect(calls).toBe(3);
    expect(isNetworkFailure(Object.assign(new Error("Internal"), { status: 502 }))).toBe(true);
    expect(isNetworkFailure(Object.assign(new Error("Unknown Webhook"), { status: 404 }))).toBe(false);
    expect(isNetworkFailure(Object.assign(new Error("x"), { code: "ECONNRESET" }))).toBe(true);
  });
});

describe("/metrics", () => {
  it("exposes the event loop's lag", async () => {
    const metrics = new PrometheusMetrics();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/spotlight_nodejs_eventloop_lag_max_seconds/);
    expect(text).toMatch(/spotlight_nodejs_eventloop_lag_p99_seconds/);
  });
});
