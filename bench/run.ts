// Runs every benchmark module under bench/ and prints a table per benchmark. Benchmarks are
// measurements, not pass/fail tests: the machines are shared and noisy, so compare ratios
// taken within one run rather than absolute numbers across runs.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { BenchResult } from "./stats.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);

function table(rows: Record<string, string | number>[]): string {
  const first = rows[0];
  if (!first) return "(no rows)";
  const columns = Object.keys(first);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [
    line(columns),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map((r) => line(columns.map((c) => String(r[c] ?? "")))),
  ].join("\n");
}

const files = (await readdir(here))
  .filter((f) => f.endsWith(".ts") && !["run.ts", "stats.ts"].includes(f))
  .sort();
for (const file of files) {
  const name = file.replace(/\.ts$/, "");
  if (only.length > 0 && !only.includes(name)) continue;
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as {
    bench?: () => Promise<BenchResult>;
  };
  if (typeof mod.bench !== "function") continue;
  const result = await mod.bench();
  console.log(`\n## ${result.name}\n\n${table(result.rows)}`);
  for (const note of result.notes ?? []) console.log(`\n${note}`);
}
