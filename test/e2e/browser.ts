import { type Browser, chromium, type Locator, type Page } from "playwright-core";

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

/** Collects the page's script errors and console errors into `errors` (a test asserts none). */
export function watchErrors(page: Page, errors: string[]): void {
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
}

/** Types a line into the question box and waits for the reply it gets. */
export async function ask(page: Page, line: string): Promise<Locator> {
  const before = await page.locator('.msg-bot[aria-busy="false"]').count();
  await page.locator("#question").fill(line);
  await page.locator("#question").press("Enter");
  const answer = page.locator('.msg-bot[aria-busy="false"]').nth(before);
  await answer.waitFor();
  return answer;
}
