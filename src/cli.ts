// The package's entry (bin/spotlight.js runs the compiled form): the CLI lives in src/app/cli/.
export { type CliIo, runCli } from "./app/cli/index.js";
