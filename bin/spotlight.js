#!/usr/bin/env node
// The package's bin: runs the compiled CLI (npm install builds it through the `prepare` script).
import { runCli } from "../dist/cli.js";

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
