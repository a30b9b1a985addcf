import { type Browser, chromium, type Page } from "playwright-core";

// Debian's chromium (scripts/install.sh installs it); Playwright never downloads a browser here.
export const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Starts the browser on a fresh temporary profile, deleted on close. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * Evaluates an expression in the page. A string, not a function: the tests are type-checked
 * without the DOM library, which the server code must not see.
 */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}
