#!/usr/bin/env node
// The container's health check: GET /healthz on the address the server binds. HOST may be a
// wildcard (0.0.0.0, ::), loopback, or one interface's address; probing 127.0.0.1 would fail
// for the last, so ask where the server listens. Exits 0 when healthy, 1 otherwise.
const host = (process.env.HOST ?? "").trim();
const port = (process.env.PORT ?? "").trim() || "3000";

function probeHost(value) {
  if (value === "" || value === "0.0.0.0") return "127.0.0.1";
  if (value === "::" || value === "[::]") return "[::1]";
  if (value.includes(":") && !value.startsWith("[")) return `[${value}]`;
  return value;
}

const url = `http://${probeHost(host)}:${port}/healthz`;
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (!response.ok) process.stderr.write(`${url}: HTTP ${response.status}\n`);
  process.exitCode = response.ok ? 0 : 1;
} catch (error) {
  process.stderr.write(`${url}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
