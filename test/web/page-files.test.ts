import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ASSET_FILES, DEFAULT_ASSETS_DIR } from "../../src/adapters/web/assets.js";
import { repoRoot } from "../helpers.js";

/** Every script the page loads, from the served list. */
const PAGE_SCRIPTS = Object.values(ASSET_FILES)
  .map((a) => a.file)
  .filter((f) => f.endsWith(".js"));
const read = (file: string) => readFile(path.join(DEFAULT_ASSETS_DIR, file), "utf8");

describe("the playground's page files", () => {
  it("live in public/ at the package root (what the Docker image and the npm package must ship)", () => {
    expect(DEFAULT_ASSETS_DIR).toBe(path.join(repoRoot, "public"));
  });

  it("load nothing from elsewhere and hold no inline script, handler or style", async () => {
    const html = await read("index.html");
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="assets\/[\w.-]+\.js"/);
      expect(body?.trim()).toBe("");
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/<style\b/i);
    for (const [, url] of html.matchAll(/\b(?:src|href)="([^"]*)"/g)) {
      expect(url, "a relative URL, served by the playground").toMatch(/^(?:assets\/|#)/);
    }
    const css = await read("playground.css");
    expect(css).not.toMatch(/@import|url\(/i);
  });

  it("serve every file the page refers to", async () => {
    const html = await read("index.html");
    const served = new Set(Object.keys(ASSET_FILES));
    for (const [, url] of html.matchAll(/\b(?:src|href)="(assets\/[^"]+)"/g))
      expect(served).toContain(`/${url}`);
    for (const file of PAGE_SCRIPTS) {
      const script = await read(file);
      for (const [, module] of script.matchAll(/from "\.\/([\w.-]+\.js)"/g))
        expect(served).toContain(`/assets/${module}`);
    }
  });

  it("never hand text to the HTML parser", async () => {
    for (const file of PAGE_SCRIPTS) {
      const source = await read(file);
      expect(source, file).not.toMatch(
        /\.(?:innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/,
      );
    }
  });
});
