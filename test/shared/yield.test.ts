import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { stepsWaiting, yieldToEventLoop } from "../../src/adapters/shared/yield.js";

function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // stands for a heavy step: retrieval, answering, rendering
  }
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A loopback connection: what the client writes arrives as I/O on the server's side. */
async function loopback(): Promise<{ client: Socket; server: Socket }> {
  const listener = createServer();
  listener.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const { port } = listener.address() as { port: number };
  const accepted = once(listener, "connection");
  const client = connect(port, "127.0.0.1");
  const [server] = (await accepted) as [Socket];
  await once(client, "connect").catch(() => undefined);
  closers.push(() => {
    client.destroy();
    server.destroy();
    listener.close();
  });
  return { client, server };
}

describe("yieldToEventLoop", () => {
  it("lets I/O that arrived during one heavy step in before the next step", async () => {
    const { client, server } = await loopback();
    const log: string[] = [];
    server.on("data", () => log.push("request"));
    const step = (name: string, work?: () => void) =>
      yieldToEventLoop().then(() => {
        log.push(name);
        work?.();
      });
    await Promise.all([
      step("A", () => {
        client.write("x");
        busyFor(20);
      }),
      step("B"),
      step("C"),
    ]);
    // With one setImmediate per step, B and C would run in A's check phase, before the request.
    expect(log).toEqual(["A", "request", "B", "C"]);
  });

  it("takes waiting steps first come first served and leaves none behind", async () => {
    const order: number[] = [];
    const steps = Array.from({ length: 2_000 }, (_, i) => yieldToEventLoop().then(() => order.push(i)));
    expect(stepsWaiting()).toBe(2_000);
    await Promise.all(steps);
    expect(order).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    expect(stepsWaiting()).toBe(0);
    // And it starts again after the queue emptied.
    await yieldToEventLoop();
    expect(stepsWaiting()).toBe(0);
  });
});
