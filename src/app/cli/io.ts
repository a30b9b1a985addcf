import { BotError } from "../../core/errors.js";
import type { Config } from "../config.js";
import { createLogger } from "../logging.js";
import type { Runtime } from "../runtime.js";

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  /** Resolves when `start` should stop; SIGTERM/SIGINT when not given. */
  stopSignal?: Promise<string>;
}

/** A command line that cannot be understood: exits 2 and prints the usage. */
export class UsageError extends BotError {
  constructor(message: string) {
    super("usage", message);
    this.name = "UsageError";
  }
}

/** Runs `run` with a runtime built from `config`, closing it afterwards whatever happens. */
export async function withRuntime<T>(
  config: Config,
  io: CliIo,
  run: (rt: Runtime) => Promise<T>,
): Promise<T> {
  // The core loads here, not with the CLI: `start` answers /healthz before it needs the core.
  const { createRuntime } = await import("../runtime.js");
  const rt = await createRuntime(config, createLogger(config.logLevel, io.stderr));
  try {
    return await run(rt);
  } finally {
    await rt.close();
  }
}
