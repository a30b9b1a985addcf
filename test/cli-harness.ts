import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { runCli } from "../src/app/cli.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: Record<string, string>;
  /** Written to standard input, which then ends. */
  input?: string;
  /** Whether standard input claims to be a terminal. */
  tty?: boolean;
}

/** Runs the CLI in-process with captured output, as `npx spotlight …` would run it. */
export async function runCliCaptured(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => {
    out += String(d);
  });
  stderr.on("data", (d) => {
    err += String(d);
  });
  if (options.input !== undefined) stdin.end(options.input);
  // Answer records of CLI runs go to a temporary folder, not the working tree.
  const env = { ANSWER_LOG_DIR: path.join(tmpdir(), "spotlight-cli-test-answers"), ...options.env };
  const code = await runCli(args, { stdin, stdout, stderr, env });
  return { code, stdout: out, stderr: err };
}
