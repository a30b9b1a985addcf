import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BotError } from "../../core/index.js";

/**
 * Where the page's files live: `public/` at the package root. This file sits three levels below
 * the root both as source (src/adapters/web) and compiled (dist/adapters/web), so one path serves
 * `tsx`, `npm start` and the Docker image (which must copy `public/`).
 */
export const DEFAULT_ASSETS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "public",
);

/** URL path -> file in the assets folder. A fixed list: no request path ever reaches the file system. */
export const ASSET_FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/assets/playground.css": { file: "playground.css", type: "text/css; charset=utf-8" },
  "/assets/playground.js": { file: "playground.js", type: "text/javascript; charset=utf-8" },
  "/assets/markdown.js": { file: "markdown.js", type: "text/javascript; charset=utf-8" },
  "/assets/dom.js": { file: "dom.js", type: "text/javascript; charset=utf-8" },
  "/assets/cards.js": { file: "cards.js", type: "text/javascript; charset=utf-8" },
  "/assets/reply-view.js": { file: "reply-view.js", type: "text/javascript; charset=utf-8" },
  "/assets/knowledge-view.js": { file: "knowledge-view.js", type: "text/javascript; charset=utf-8" },
  "/assets/kb-search.js": { file: "kb-search.js", type: "text/javascript; charset=utf-8" },
  "/assets/ndjson.js": { file: "ndjson.js", type: "text/javascript; charset=utf-8" },
  "/assets/favicon.svg": { file: "favicon.svg", type: "image/svg+xml" },
};

/**
 * Sent with every playground response. Only this origin's own files may load; no inline script
 * or style; and Trusted Types make any `innerHTML = string` throw, so a slip in the page's script
 * cannot turn model output into markup.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join("; "),
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
};

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** A response body with its type and a content hash as ETag. */
export function toAsset(body: Buffer, type: string): Asset {
  return { body, type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` };
}

/** Reads every page file once. Throws naming the folder when one is missing (e.g. not copied into an image). */
export function loadAssets(dir: string = DEFAULT_ASSETS_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [urlPath, { file, type }] of Object.entries(ASSET_FILES)) {
    let body: Buffer;
    try {
      body = readFileSync(path.join(dir, file));
    } catch (error) {
      throw new BotError(
        "bad-config",
        `the web playground's files are missing: cannot read ${path.join(dir, file)} (is the public/ folder deployed?)`,
        { cause: error },
      );
    }
    assets.set(urlPath, toAsset(body, type));
  }
  return assets;
}

/** Sends an asset; revalidated on each load (cheap: 304 when unchanged) so a deploy is seen at once. */
export function sendAsset(
  req: IncomingMessage,
  res: ServerResponse,
  asset: Asset,
  extra: Record<string, string> = {},
): void {
  const headers = { ...SECURITY_HEADERS, ...extra, etag: asset.etag, "cache-control": "no-cache" };
  if (req.headers["if-none-match"] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, "content-type": asset.type, "content-length": asset.body.length });
  res.end(asset.body);
}
