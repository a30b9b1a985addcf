import type { IncomingMessage, ServerResponse } from "node:http";
import { SECURITY_HEADERS } from "./assets.js";

/** What a refused forwarded host is told, in JSON and on the page. */
export const FORWARDED_HOST_HINT =
  "this playground only answers requests addressed to localhost; to open it through a forwarded " +
  "port or another host name, set PLAYGROUND_TOKEN (16+ characters) and restart";

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Whether the client asked for a page (a browser navigating) rather than JSON. */
export function wantsPage(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? "";
  return req.method === "GET" && accept.includes("text/html");
}

/**
 * The page a browser gets when it reaches a local-only playground under another host name, such
 * as a forwarded port of a cloud dev environment: what happened and the one setting that fixes it.
 */
export function sendForwardedHostPage(req: IncomingMessage, res: ServerResponse): void {
  const host = escapeHtml(String(req.headers["x-forwarded-host"] ?? req.headers.host ?? "this address"));
  const body = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Spotlight playground: set a token to open it here</title></head>
<body>
<h1>Spotlight playground: set a token to open it here</h1>
<p>This playground runs without a token, so it only answers at <code>localhost</code>.
You reached it as <code>${host}</code>, which looks like a forwarded port or a proxy.</p>
<p>To use it from here, stop Spotlight, set a token of 16 or more characters, and start it again:</p>
<pre>PLAYGROUND_TOKEN="$(openssl rand -base64 24)" npm start</pre>
<p>Then reload this page and sign in with any user name and the token as the password.
Or open it on the machine running Spotlight, at <code>localhost</code>.</p>
</body>
</html>
`;
  res.writeHead(403, {
    ...SECURITY_HEADERS,
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}
