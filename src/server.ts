import type { AddressInfo } from "node:net";
import { runChat } from "./adapters/console/chat.js";
import { startDiscord } from "./adapters/discord/start-discord.js";
import { startSlack } from "./adapters/slack/slack-adapter.js";
import { mountPlayground } from "./adapters/web/playground.js";
import { type Config, hasPlatform } from "./config.js";
import { PrometheusMetrics } from "./http/metrics.js";
import { HttpServer } from "./http/server.js";
import { createLogger } from "./logging.js";
import { createRuntime } from "./main.js";

/** Where the long-running process reads and writes, and what stops it. */
export interface ServeIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** Resolves when the process should stop (SIGTERM/SIGINT by default). */
  stopSignal?: Promise<string>;
}

function processSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(signal);
    };
    process.once("SIGINT", on);
    process.once("SIGTERM", on);
  });
}

function urlOf(address: AddressInfo): string {
  const host = address.address === "0.0.0.0" || address.address === "::" ? "127.0.0.1" : address.address;
  return `http://${host.includes(":") ? `[${host}]` : host}:${address.port}/`;
}

/**
 * The main job (`spotlight start`): one HTTP server (health, readiness, metrics, the platforms'
 * HTTP endpoints, the playground), the configured adapters, and with no platform on a terminal
 * the terminal chat too. SIGTERM stops taking work, lets answers in flight finish within the
 * grace period, then disconnects. Returns the exit code.
 */
export async function serve(config: Config, io: ServeIo): Promise<number> {
  const logger = createLogger(config.logLevel, io.stderr);
  const metrics = new PrometheusMetrics();
  const rt = await createRuntime(config, logger, { metrics });
  const http = new HttpServer(logger);
  metrics.mount(http);
  http.readiness("knowledge", async () =>
    rt.kb.passages.length > 0 ? undefined : "knowledge base is empty",
  );
  if (rt.llmReady) http.readiness("llm", rt.llmReady);
  http.readiness("shared-state", () => rt.shared.ready());

  const adapters: { name: string; stop(): Promise<void> }[] = [];
  const shutdown = async () => {
    // Adapters first: they stop receiving and let their own answers finish within the grace period.
    await Promise.allSettled(adapters.map((a) => a.stop()));
    await rt.bot.drain(config.shutdownGraceMs);
    await http.close();
    await rt.close();
  };

  try {
    if (config.slack) {
      const slack = await startSlack(rt, http, {
        stopGraceMs: config.shutdownGraceMs,
        dedupe: rt.shared.dedupe,
        threads: rt.shared.threads,
      });
      adapters.push({ name: "slack", stop: () => slack.stop() });
    }
    if (config.discord || config.discordInteractions) {
      const discord = await startDiscord(rt, http, {
        shutdownGraceMs: config.shutdownGraceMs,
        dedupe: rt.shared.dedupe,
      });
      adapters.push({ name: "discord", stop: () => discord.stop() });
    }
    if (config.playground.enabled) {
      mountPlayground(rt, http);
      if (
        config.host !== "127.0.0.1" &&
        config.host !== "::1" &&
        config.host !== "localhost" &&
        !config.playground.token
      ) {
        logger.warn(
          { host: config.host },
          "the playground is reachable beyond this machine without PLAYGROUND_TOKEN",
        );
      }
    }
    const address = await http.listen(config.port, config.host);
    logger.info(
      { host: address.address, port: address.port, adapters: adapters.map((a) => a.name) },
      "Spotlight is running",
    );
    if (config.playground.enabled) io.stdout.write(`Spotlight playground: ${urlOf(address)}\n`);
  } catch (error) {
    await shutdown().catch(() => undefined);
    throw error;
  }

  const stopSignal = io.stopSignal ?? processSignal();
  // With no platform on a terminal, the terminal chat runs beside the playground; leaving it stops the process.
  const chat =
    !hasPlatform(config) && io.stdin.isTTY
      ? runChat(rt.bot, {
          input: io.stdin,
          output: io.stdout,
          color: Boolean(io.stdout.isTTY),
          stream: true,
        }).then(() => "chat closed")
      : new Promise<string>(() => {});
  const reason = await Promise.race([stopSignal, chat]);
  logger.info({ reason, inFlight: rt.bot.inFlight }, "shutting down");
  await shutdown();
  logger.info({}, "stopped");
  return 0;
}
