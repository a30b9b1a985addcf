import type { AddressInfo } from "node:net";
import type { Adapter, AdapterContext } from "../adapters/adapter.js";
import type { ConsoleAdapter } from "../adapters/console/chat.js";
import { HttpServer } from "../http/server.js";
import { type Config, hasPlatform } from "./config.js";
import { watchHeap } from "./heap-watch.js";
import { createLogger } from "./logging.js";
import type { createRuntime } from "./runtime.js";

/** Where the long-running process reads and writes, and what stops it. */
export interface ServeIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** Resolves when the process should stop (SIGTERM/SIGINT by default). */
  stopSignal?: Promise<string>;
}

/**
 * SIGTERM, SIGINT or SIGHUP; or the launcher went away. `npm start` and `npx spotlight start` run
 * this process under a shell that may die of the signal without passing it on: an orphan would
 * keep the port, so a changed parent process counts as a stop signal too.
 */
function processSignal(): Promise<string> {
  return new Promise((resolve) => {
    const parent = process.ppid;
    const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
    const orphaned = setInterval(() => {
      if (process.ppid !== parent) done("parent process exited");
    }, 500);
    orphaned.unref();
    const done = (reason: string) => {
      clearInterval(orphaned);
      for (const signal of signals) process.off(signal, on);
      resolve(reason);
    };
    const on = (signal: NodeJS.Signals) => done(signal);
    for (const signal of signals) process.once(signal, on);
  });
}

/** Of the grace period, what is kept to post the answers cut at its end. */
function postingMargin(graceMs: number): number {
  return Math.min(2_000, Math.floor(graceMs / 4));
}

function urlOf(address: AddressInfo): string {
  const host = address.address === "0.0.0.0" || address.address === "::" ? "127.0.0.1" : address.address;
  return `http://${host.includes(":") ? `[${host}]` : host}:${address.port}/`;
}

/**
 * The adapters the configuration asks for, in start order; each receives its own settings. Each is
 * imported only when configured: a Slack-only process never loads discord.js, nor the reverse,
 * which is start-up time and resident memory.
 */
export async function adaptersFor(config: Config, io: ServeIo): Promise<Adapter[]> {
  const adapters: Adapter[] = [];
  if (config.slack) {
    const { SlackAdapter } = await import("../adapters/slack/slack-adapter.js");
    adapters.push(new SlackAdapter(config.slack, { logLevel: config.logLevel }));
  }
  if (config.discord || config.discordInteractions) {
    const { DiscordAdapter } = await import("../adapters/discord/discord-adapter.js");
    adapters.push(
      new DiscordAdapter({
        ...(config.discord ? { gateway: config.discord } : {}),
        ...(config.discordInteractions ? { interactions: config.discordInteractions } : {}),
      }),
    );
  }
  if (config.playground.enabled) {
    const { WebAdapter } = await import("../adapters/web/playground.js");
    adapters.push(
      new WebAdapter({
        host: config.host,
        ...(config.playground.token ? { token: config.playground.token } : {}),
      }),
    );
  }
  // With no platform on a terminal, the terminal chat runs beside the playground.
  if (!hasPlatform(config) && io.stdin.isTTY) {
    const { ConsoleAdapter } = await import("../adapters/console/chat.js");
    adapters.push(
      new ConsoleAdapter({
        input: io.stdin,
        output: io.stdout,
        color: Boolean(io.stdout.isTTY),
        stream: true,
      }),
    );
  }
  return adapters;
}

/** What /readyz says until the knowledge base is loaded and the platforms take requests. */
export const STARTING = "starting: loading the knowledge base and connecting the platforms";

/**
 * The main job (`spotlight start`): one HTTP server (health, readiness, metrics, the platforms'
 * HTTP endpoints, the playground), the configured adapters, and with no platform on a terminal
 * the terminal chat too. The server listens first, so /healthz (alive) answers at once while the
 * rest starts; /readyz says 503 until the knowledge base is loaded and every adapter takes
 * requests, and a request for a route not mounted yet waits for that. SIGTERM stops taking work,
 * lets answers in flight finish within the grace period, then disconnects. Returns the exit code.
 */
export async function serve(config: Config, io: ServeIo): Promise<number> {
  const logger = createLogger(config.logLevel, io.stderr);
  const http = new HttpServer(logger);
  // The garbage a burst of requests leaves is given back once it is over, not 10-15 s later.
  const heap = watchHeap();
  let starting = true;
  http.readiness("startup", () => (starting ? STARTING : undefined));
  let startupSettled = () => {};
  http.holdUnmatchedUntil(
    new Promise<void>((resolve) => {
      startupSettled = resolve;
    }),
  );

  let rt: Awaited<ReturnType<typeof createRuntime>> | undefined;
  let unmountReload = () => {};
  const started: Adapter[] = [];
  const shutdown = async () => {
    // SHUTDOWN_GRACE_MS bounds the whole stop: answers still running near its end are cut, and
    // each adapter posts the best answer ready (or the restart note) in the margin left.
    const endsAt = Date.now() + config.shutdownGraceMs;
    const left = () => Math.max(0, endsAt - Date.now());
    const cutAt = config.shutdownGraceMs - postingMargin(config.shutdownGraceMs);
    // Adapters first: they stop receiving and let their own answers finish within the grace period.
    await Promise.allSettled(started.map((a) => a.stop(cutAt)));
    if (rt) await rt.bot.drain(left());
    await http.close(left());
    unmountReload();
    await rt?.close();
    heap.stop();
  };

  // Signals are heard from before the port opens: /healthz answers while the rest starts, and a
  // SIGTERM then must stop the process cleanly, not kill it.
  const stopSignal = io.stopSignal ?? processSignal();
  let chat: ConsoleAdapter | undefined;
  let address: AddressInfo;
  try {
    address = await http.listen(config.port, config.host);
    // Loaded once the port answers: the core and the knowledge base, prom-client, the adapters.
    const [runtime, { PrometheusMetrics }, { mountReload }, adapters] = await Promise.all([
      import("./runtime.js"),
      import("../http/metrics.js"),
      import("./reload.js"),
      adaptersFor(config, io),
    ]);
    const metrics = new PrometheusMetrics();
    metrics.mount(http);
    rt = await runtime.createRuntime(config, logger, { metrics });
    const ready = rt;
    // Reload on SIGHUP and POST /admin/reload; the knowledge base's version on /readyz and /metrics.
    unmountReload = mountReload(ready, http, {
      ...(config.adminToken ? { adminToken: config.adminToken } : {}),
      logger,
      metrics,
    });
    if (ready.llmReady) http.readiness("llm", ready.llmReady);
    http.readiness("shared-state", () => ready.shared.ready());
    metrics.watchSharedState(() => ready.shared.status());

    const context: AdapterContext = {
      bot: ready.bot,
      logger,
      http,
      dedupe: ready.shared.dedupe,
      threads: ready.shared.threads,
    };
    chat = adapters.find((a): a is ConsoleAdapter => a.name === "console");
    // The terminal chat starts last, so its prompt follows the playground's URL.
    for (const adapter of adapters) {
      if (adapter === chat) continue;
      await adapter.start(context);
      started.push(adapter);
    }
    starting = false;
    startupSettled();
    logger.info(
      { host: address.address, port: address.port, adapters: started.map((a) => a.name) },
      "Spotlight is running",
    );
    if (config.playground.enabled) io.stdout.write(`Spotlight playground: ${urlOf(address)}\n`);
    if (chat) {
      await chat.start(context);
      started.push(chat);
    }
  } catch (error) {
    startupSettled();
    await shutdown().catch(() => undefined);
    throw error;
  }

  // Leaving the terminal chat stops the process.
  const chatClosed = chat ? chat.closed.then(() => "chat closed") : new Promise<string>(() => {});
  const reason = await Promise.race([stopSignal, chatClosed]);
  logger.info({ reason, inFlight: rt.bot.inFlight }, "shutting down");
  await shutdown();
  logger.info({}, "stopped");
  return 0;
}
