// `npm run dev -- <command>`: the CLI straight from the TypeScript sources (through tsx), no build.
// The same entry as bin/spotlight.js, which runs the compiled dist/ instead.
import { runCli } from "../src/app/cli.js";

const args = process.argv.slice(2);
process.exitCode = await runCli(args.length > 0 ? args : ["help"], {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
