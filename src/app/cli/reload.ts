import { parseArgs } from "node:util";
import { BotError, exitCodeFor } from "../../core/errors.js";
import type { Config } from "../config.js";
import { RELOAD_PATH } from "../reload.js";
import type { ReloadOutcome } from "../runtime.js";
import { type CliIo, UsageError } from "./io.js";

/**
 * `spotlight reload [--url URL]`: asks a running server to reload its knowledge base
 * (POST /admin/reload with ADMIN_TOKEN). The server's own process can also be sent SIGHUP.
 */
export async function reloadCommand(args: string[], config: Config, io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { url: { type: "string" } } });
  if (!config.adminToken)
    throw new UsageError("reload needs ADMIN_TOKEN: the same value the running server was started with.");
  const base = values.url ?? `http://127.0.0.1:${config.port}`;
  let target: URL;
  try {
    target = new URL(RELOAD_PATH, base);
  } catch {
    throw new UsageError("--url must be the server's base URL, e.g. http://127.0.0.1:3000");
  }
  let res: Response;
  try {
    res = await fetch(target, { method: "POST", headers: { authorization: `Bearer ${config.adminToken}` } });
  } catch (error) {
    throw new BotError(
      "bad-config",
      `no Spotlight server answers at ${target.origin} (${error instanceof Error ? error.message : String(error)}); is it running? (--url, PORT)`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as Partial<ReloadOutcome> & { error?: string };
  if (!res.ok) {
    io.stderr.write(`spotlight: ${body.error ?? `the server answered HTTP ${res.status}`}\n`);
    return exitCodeFor(res.status === 401 ? "bad-config" : "bad-data");
  }
  io.stdout.write(
    body.changed
      ? `Knowledge base reloaded: ${body.previous} -> ${body.version} (${body.articles} articles, ${body.projects} projects).\n`
      : `Knowledge base unchanged: ${body.version} (${body.articles} articles, ${body.projects} projects).\n`,
  );
  return 0;
}
