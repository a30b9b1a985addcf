/**
 * discord.js REST errors carry the request URL, and interaction and webhook URLs hold the
 * interaction token (valid for 15 minutes, enough to post as the bot). Errors are logged through
 * this, never as they are.
 */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: scrubTokens(String(error)) };
  const fields: Record<string, unknown> = { type: error.name, message: scrubTokens(error.message) };
  const extra = error as Error & { code?: unknown; status?: unknown; method?: unknown; url?: unknown };
  if (extra.code !== undefined) fields.code = extra.code;
  if (typeof extra.status === "number") fields.status = extra.status;
  if (typeof extra.method === "string") fields.method = extra.method;
  if (typeof extra.url === "string") fields.path = scrubTokens(extra.url.replace(/^https?:\/\/[^/]+/, ""));
  if (error.stack) fields.stack = scrubTokens(error.stack);
  return fields;
}

/** Removes interaction and webhook tokens from URLs and paths. */
export function scrubTokens(text: string): string {
  return text
    .replace(/(\/interactions\/\d+\/)[^/\s?]+/g, "$1[token]")
    .replace(/(\/webhooks\/\d+\/)[^/\s?]+/g, "$1[token]");
}
