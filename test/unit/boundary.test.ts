import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";

// Arrows point one way: app -> adapters, llm, stores, http -> core. Each rule below is one
// direction; `violations` applies them all, and the last block proves each rule bites.

const SRC = path.join(repoRoot, "src");

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

const SDKS = [/^@slack\//, /^discord\.js$/, /^@discordjs\//, /^openai$/, /^pino$/, /^ioredis$|^redis$/];

function importsOf(source: string): string[] {
  return [
    ...source.matchAll(/(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => (m[1] ?? m[2]) as string);
}

/** The src-relative path an import resolves to ("core/index.ts"), or undefined for packages. */
function target(file: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  return path
    .relative(SRC, path.resolve(path.dirname(file), spec))
    .replace(/\.js$/, ".ts")
    .split(path.sep)
    .join("/");
}

const within = (rel: string, dir: string) => rel === dir || rel.startsWith(`${dir}/`);

/** Every broken rule in one file (`file` is absolute, under src/). */
function violations(file: string, source: string): string[] {
  const rel = path.relative(SRC, file).split(path.sep).join("/");
  const out: string[] = [];
  const area = rel.split("/")[0] as string;
  for (const spec of importsOf(source)) {
    const to = target(file, spec);
    if (area === "core") {
      if (SDKS.some((re) => re.test(spec))) out.push(`core imports the SDK ${spec}`);
      if (to !== undefined && !within(to, "core")) out.push(`core imports ${to}`);
    }
    if (area === "adapters" && to !== undefined) {
      const own = rel.split("/")[1] as string;
      const ownFolder = own.endsWith(".ts") ? undefined : `adapters/${own}`;
      const allowed =
        to === "core/index.ts" ||
        to === "adapters/adapter.ts" ||
        // The wire helpers (JSON out, bodies in) are a leaf the server and adapters share.
        to === "http/wire.ts" ||
        within(to, "adapters/shared") ||
        (ownFolder !== undefined && within(to, ownFolder));
      if (!allowed) out.push(`${rel} imports ${to}`);
    }
    if ((area === "stores" || area === "llm" || area === "http") && to !== undefined) {
      if (within(to, "adapters") || within(to, "app")) out.push(`${area} imports ${to}`);
    }
  }
  if (area === "core" && /process\.env/.test(source)) out.push("core reads process.env");
  if (rel !== "app/config.ts" && /process\.env/.test(source)) out.push(`${rel} reads process.env`);
  return out;
}

const MAX_LINES = 350;
describe("architecture boundaries", async () => {
  const files = await sourceFiles(SRC);
  const sources = new Map(await Promise.all(files.map(async (f) => [f, await readFile(f, "utf8")] as const)));
  // Counted as `wc -l` does: a final newline ends the last line rather than starting another.
  const lineCount = (f: string) => (sources.get(f) as string).replace(/\n$/, "").split("\n").length;

  it("finds the source files", () => {
    expect(files.filter((f) => f.includes(`${path.sep}core${path.sep}`)).length).toBeGreaterThan(20);
    expect(files.filter((f) => f.includes(`${path.sep}adapters${path.sep}`)).length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => [path.relative(repoRoot, f), f]))(
    "%s keeps every arrow pointing down",
    (_rel, file) => {
      expect(violations(file, sources.get(file) as string)).toEqual([]);
    },
  );

  it("only src/app/config.ts reads process.env", () => {
    const readers = files.filter((f) => /process\.env/.test(sources.get(f) as string));
    expect(readers.map((f) => path.relative(repoRoot, f))).toEqual([path.join("src", "app", "config.ts")]);
  });

  it("keeps every source file under 350 lines", () => {
    const long = files
      .map((f) => [path.relative(repoRoot, f).split(path.sep).join("/"), lineCount(f)] as const)
      .filter(([, lines]) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});

describe("the boundary rules bite", () => {
  const at = (rel: string) => path.join(SRC, rel);
  it.each([
    ["core/bot.ts", 'import { App } from "@slack/bolt";'],
    ["core/bot.ts", 'import { x } from "../adapters/slack/render.js";'],
    ["core/bot.ts", 'import { loadConfig } from "../app/config.js";'],
    ["core/bot.ts", "const port = process.env.PORT;"],
    ["adapters/slack/render.ts", 'import { Bot } from "../../core/bot.js";'],
    ["adapters/slack/render.ts", 'import { loadConfig } from "../../app/config.js";'],
    ["adapters/slack/render.ts", 'import { createRuntime } from "../../app/runtime.js";'],
    ["adapters/slack/render.ts", 'import { renderReply } from "../discord/render.js";'],
    ["adapters/slack/render.ts", 'import { HttpServer } from "../../http/server.js";'],
    ["adapters/shared/labels.ts", 'import { x } from "../slack/render.js";'],
    ["stores/shared-state.ts", 'import { x } from "../adapters/slack/settings.js";'],
    ["stores/shared-state.ts", 'import { loadConfig } from "../app/config.js";'],
    ["llm/llm-setup.ts", 'import type { Config } from "../app/config.js";'],
    ["http/server.ts", 'import { serve } from "../app/server.js";'],
    ["adapters/web/playground.ts", "const token = process.env.PLAYGROUND_TOKEN;"],
  ])("%s: %s", (rel, source) => {
    expect(violations(at(rel), source)).not.toEqual([]);
  });

  it.each([
    ["adapters/slack/render.ts", 'import { type Reply } from "../../core/index.js";'],
    ["adapters/slack/render.ts", 'import { splitMessage } from "../shared/text-split.js";'],
    ["adapters/slack/slack-adapter.ts", 'import type { Adapter } from "../adapter.js";'],
    ["app/server.ts", 'import { SlackAdapter } from "../adapters/slack/slack-adapter.js";'],
    ["stores/shared-state.ts", 'import { InMemoryDeduplicator } from "../core/dedupe.js";'],
  ])("allows %s: %s", (rel, source) => {
    expect(violations(at(rel), source)).toEqual([]);
  });
});
