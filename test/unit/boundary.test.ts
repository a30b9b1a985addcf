import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory()
        ? sourceFiles(path.join(dir, e.name))
        : Promise.resolve(e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []),
    ),
  );
  return nested.flat();
}

const FORBIDDEN_IN_CORE = [
  /^@slack\//,
  /^discord\.js$/,
  /^@discordjs\//,
  /^openai$/,
  /^pino$/,
  /^ioredis$|^redis$/,
];

function importsOf(source: string): string[] {
  return [
    ...source.matchAll(/(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => (m[1] ?? m[2]) as string);
}

describe("architecture boundaries", async () => {
  const coreFiles = await sourceFiles(path.join(repoRoot, "src", "core"));

  it("finds the core's files", () => {
    expect(coreFiles.length).toBeGreaterThan(20);
  });

  it.each(coreFiles.map((f) => [path.relative(repoRoot, f), f]))(
    "%s imports no chat SDK, model client or adapter",
    async (_rel, file) => {
      const source = await readFile(file, "utf8");
      for (const spec of importsOf(source)) {
        expect(
          FORBIDDEN_IN_CORE.some((re) => re.test(spec)),
          `${spec} is imported by core`,
        ).toBe(false);
        if (spec.startsWith(".")) {
          const target = path.resolve(path.dirname(file), spec);
          expect(target.startsWith(path.join(repoRoot, "src", "core")), `${spec} leaves src/core`).toBe(true);
        }
      }
      expect(source).not.toMatch(/process\.env/);
    },
  );

  it("only src/config.ts reads process.env", async () => {
    const all = await sourceFiles(path.join(repoRoot, "src"));
    const readers = [];
    for (const f of all)
      if (/process\.env/.test(await readFile(f, "utf8"))) readers.push(path.relative(repoRoot, f));
    expect(readers).toEqual(["src/config.ts"]);
  });
});
