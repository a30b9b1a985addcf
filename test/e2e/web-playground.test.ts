import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { knowledgeBaseView } from "../../src/adapters/web/catalog.js";
import { loadRepoKb, repoRoot } from "../helpers.js";
import { deferred, type Playground, startPlayground } from "../web/fixture.js";
import { ask, launchBrowser, watchErrors } from "./browser.js";

const RESULTS = path.join(repoRoot, "test-results");
const TOKEN = "playground-token-for-tests-0123";

let browser: Browser;
let playground: Playground;
let guarded: Playground;
const pageErrors: string[] = [];

/** A page in a fresh context; its script errors and failed loads are collected unless `watch` is false. */
async function openPage(
  options: Parameters<Browser["newContext"]>[0] = {},
  watch = true,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  if (!watch) return { context, page };
  watchErrors(page, pageErrors);
  return { context, page };
}

/** The newest bot message, once its reply has arrived. */
async function lastAnswer(page: Page) {
  const answer = page.locator('.msg-bot[aria-busy="false"]').last();
  await answer.waitFor();
  return answer;
}

/**
 * Evaluates an expression in the page. A string, not a function: the tests are type-checked
 * without the DOM library, which the server code must not see.
 */
function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

/** The focused element's tag name. */
const focusedTag = (page: Page) => inPage<string | undefined>(page, "document.activeElement?.tagName");

/** Whether a <details> element is open (its `open` attribute is present). */
const isOpen = async (details: Locator) => (await details.getAttribute("open")) !== null;

/** Whether the document can scroll sideways (it must not, down to a 375 px phone). */
function scrollsSideways(page: Page): Promise<boolean> {
  return inPage(page, "document.documentElement.scrollWidth > document.documentElement.clientWidth");
}

describe("web playground in a real browser", () => {
  beforeAll(async () => {
    await mkdir(RESULTS, { recursive: true });
    [browser, playground, guarded] = await Promise.all([
      // launch() starts the browser on a fresh temporary profile and deletes it on close.
      launchBrowser(),
      startPlayground(),
      startPlayground({ env: { PLAYGROUND_TOKEN: TOKEN } }),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([playground?.close(), guarded?.close()]);
  });

  it("streams an answer, shows its mode and citations, and opens the cited passage", async () => {
    const { context, page } = await openPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(playground.url);
    const hold = deferred();
    playground.answerer.enqueue({
      chunks: ["KubeVirt is used by **Nvidia**", " and Cloudflare [1]."],
      hold: hold.promise,
    });
    await page.locator("#question").fill("Who uses KubeVirt?");
    await page.locator("#question").press("Enter");

    // The first chunk is on the page while the answer is still being written.
    const writing = page.locator('.msg-bot[aria-busy="true"]');
    await writing.getByText("KubeVirt is used by Nvidia").waitFor();
    expect(await writing.locator("strong").textContent()).toBe("Nvidia");
    expect(await writing.locator(".sources").count()).toBe(0);
    hold.resolve();

    const answer = await lastAnswer(page);
    expect(await answer.locator(".body").textContent()).toContain(
      "KubeVirt is used by Nvidia and Cloudflare",
    );
    expect(await answer.locator(".badge").textContent()).toBe("LLM");
    const cite = answer.locator("button.cite", { hasText: "[1]" });
    expect(await cite.getAttribute("aria-expanded")).toBe("false");
    const passage = answer.locator("details.source").first();
    expect(await isOpen(passage)).toBe(false);

    await cite.click();
    expect(await isOpen(passage)).toBe(true);
    expect(await cite.getAttribute("aria-expanded")).toBe("true");
    expect(await focusedTag(page)).toBe("SUMMARY");
    expect(await passage.locator("summary").textContent()).toContain("2. KubeVirt");
    expect(await passage.locator("blockquote").isVisible()).toBe(true);
    expect(await passage.locator("blockquote").textContent()).toContain("Nvidia");
    const link = passage.locator("a");
    expect(await link.getAttribute("href")).toBe(
      "https://thenewstack.io/five-enterprise-k8s-projects-to-look-for-at-kubecon-london/",
    );
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");

    // 👍 reaches the bot's feedback listeners, once.
    await answer.getByRole("button", { name: "Helpful", exact: true }).click();
    await answer.getByText("Thanks for the feedback!").waitFor();
    expect(await answer.getByRole("button", { name: "Not helpful" }).isDisabled()).toBe(true);
    expect(playground.feedback).toEqual([
      expect.objectContaining({
        platform: "web",
        value: "up",
        messageRef: await answer.getAttribute("data-reply-id"),
      }),
    ]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("runs /project kubevirt and shows the project card; shows the extractive mode and its notice", async () => {
    // Tall enough to hold the whole conversation, so the screenshot shows it as a visitor sees it.
    const { context, page } = await openPage({ viewport: { width: 1000, height: 1900 } });
    await page.goto(playground.url);
    const card = (await ask(page, "/project kubevirt")).locator("article.card");
    expect(await card.count()).toBe(1);
    expect(await card.locator("h3").textContent()).toBe("KubeVirt");
    expect(await card.locator("dt").allTextContents()).toContain("GitHub stars (as of the article)");
    expect(await card.locator("dd").allTextContents()).toContain("more than 5,000");
    expect(
      await card.getByRole("link", { name: "The talk by Red Hat and Nvidia" }).getAttribute("href"),
    ).toBe("https://sched.co/1td18");
    // The markdown fallback of the card is not shown beside the card.
    expect(await card.locator("xpath=ancestor::article[1]").textContent()).not.toContain("**");

    const extractive = await ask(page, "How many GitHub stars does vCluster have?");
    expect(await extractive.locator(".badge").textContent()).toBe("Extractive");
    expect(await extractive.locator(".notice").textContent()).toMatch(/^Extractive answer/);
    expect(await extractive.locator("button.cite").count()).toBeGreaterThan(0);
    await extractive.locator("button.cite").first().click();

    await page.screenshot({ path: path.join(RESULTS, "playground.png") });
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("shows model output containing HTML as text, and runs none of it", async () => {
    const { context, page } = await openPage();
    await page.goto(playground.url);
    const hostile = [
      'Careful: <script>window.__pwned = "script"</script>',
      "<img src=x onerror=\"window.__pwned = 'img'\">",
      "[click me](javascript:window.__pwned='link') [1]",
    ];
    playground.answerer.enqueue({ chunks: hostile });
    const answer = await ask(page, "Who uses KubeVirt?");
    const text = await answer.locator(".body").textContent();
    expect(text).toContain('<script>window.__pwned = "script"</script>');
    expect(text).toContain("<img src=x onerror=\"window.__pwned = 'img'\">");
    expect(await page.locator("#log script, #log img").count()).toBe(0);
    const hrefs = await Promise.all((await answer.locator("a").all()).map((a) => a.getAttribute("href")));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href).toMatch(/^https:\/\//);
    expect(await answer.getByText("click me").count()).toBe(1);
    expect(await inPage(page, "window.__pwned")).toBeUndefined();
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("lists every project and the article's sections in the knowledge-base view, and filters them", async () => {
    const kb = await loadRepoKb();
    const view = knowledgeBaseView(kb);
    const sectionCount = view.articles.reduce((n, a) => n + a.sections.length, 0);
    const { context, page } = await openPage();
    await page.goto(playground.url);
    await page.getByRole("tab", { name: "Knowledge base" }).click();
    await page
      .locator("#kb-count")
      .getByText(`${kb.projects.length} projects and ${sectionCount} sections.`)
      .waitFor();
    expect(await page.locator("#kb-projects article.card h4").allTextContents()).toEqual(
      kb.projects.map((p) => p.name),
    );
    expect(await page.locator(".kb-section h5").count()).toBe(sectionCount);
    expect(await page.locator(".kb-section h5").allTextContents()).toContain("2. KubeVirt");
    expect(await page.locator("#panel-chat").isHidden()).toBe(true);

    await page.getByLabel("Search projects and article sections").fill("Kairos");
    await page
      .locator("#kb-count")
      .getByText(/match “Kairos”/)
      .waitFor();
    const projects = await page.locator("#kb-projects article.card:visible h4").allTextContents();
    expect(projects).toContain("Kairos");
    expect(projects.length).toBeLessThan(kb.projects.length);
    const sections = await page.locator(".kb-section:visible").allTextContents();
    expect(sections.length).toBeGreaterThan(0);
    for (const s of sections) expect(s.toLowerCase()).toContain("kairos");

    await page.getByLabel("Search projects and article sections").fill("no such thing anywhere");
    await page.locator("#kb-count").getByText("0 projects and 0 sections match").waitFor();
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("works with the keyboard alone", async () => {
    const { context, page } = await openPage();
    await page.goto(playground.url);
    const focused = () =>
      inPage<string>(page, 'document.activeElement?.id || document.activeElement?.className || ""');

    // The question box has focus on load; from the top of the page, the first Tab reaches the
    // skip link, which leads back to it.
    expect(await focused()).toBe("question");
    await inPage(page, "document.body.tabIndex = -1, document.body.focus()");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("skip-link");
    await page.keyboard.press("Enter");
    expect(await focused()).toBe("question");

    await page.keyboard.type("Who uses KubeVirt?");
    await page.keyboard.press("Enter");
    const answer = await lastAnswer(page);
    expect(await answer.locator("button.cite").count()).toBeGreaterThan(0);
    expect(await focused()).toBe("question");

    // Back through the answer to its first citation, then open it.
    let steps = 0;
    while ((await focused()) !== "cite" && steps++ < 25) await page.keyboard.press("Shift+Tab");
    expect(await focused()).toBe("cite");
    await page.keyboard.press("Enter");
    expect(await isOpen(answer.locator("details.source").first())).toBe(true);
    expect(await focusedTag(page)).toBe("SUMMARY");

    // Tabs: one tab stop, arrow keys switch views, Tab goes on into the panel.
    steps = 0;
    while ((await focused()) !== "tab-chat" && steps++ < 40) await page.keyboard.press("Shift+Tab");
    expect(await focused()).toBe("tab-chat");
    await page.keyboard.press("ArrowRight");
    expect(await focused()).toBe("tab-kb");
    expect(await page.locator("#panel-kb").isVisible()).toBe(true);
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("kb-search");
    await page.keyboard.type("vcluster");
    await page
      .locator("#kb-count")
      .getByText(/match “vcluster”/)
      .waitFor();
    expect(await page.locator("#kb-projects article.card:visible h4").allTextContents()).toContain(
      "vCluster",
    );
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("fits a 375 px phone screen without sideways scrolling", async () => {
    const { context, page } = await openPage({
      viewport: { width: 375, height: 812 },
      isMobile: true,
      hasTouch: true,
    });
    await page.goto(playground.url);
    await ask(page, "/project kubevirt");
    await ask(page, "/talks");
    const answer = await ask(page, "Who uses KubeVirt?");
    await answer.locator("button.cite").first().click();
    expect(await scrollsSideways(page)).toBe(false);
    await page.screenshot({ path: path.join(RESULTS, "playground-phone.png") });
    await page.getByRole("tab", { name: "Knowledge base" }).click();
    await page.locator(".kb-section").first().waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("asks for the token when one is configured, and works once it is given", async () => {
    const plain = await fetch(guarded.url);
    expect(plain.status).toBe(401);
    expect(plain.headers.get("www-authenticate")).toMatch(/^Basic /);
    // Headless Chromium cancels the login prompt the challenge brings up.
    const anonymous = await openPage({}, false);
    await expect(anonymous.page.goto(guarded.url)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await anonymous.context.close();
    const wrong = await openPage({ httpCredentials: { username: "me", password: `${TOKEN}x` } }, false);
    expect((await wrong.page.goto(guarded.url))?.status()).toBe(401);
    expect(await wrong.page.locator("#question").count()).toBe(0);
    await wrong.context.close();

    const signedIn = await openPage({ httpCredentials: { username: "me", password: TOKEN } });
    const page = signedIn.page;
    expect((await page.goto(guarded.url))?.status()).toBe(200);
    const card = (await ask(page, "/project capi")).locator("article.card h3");
    expect(await card.textContent()).toBe("Cluster API");
    expect(pageErrors).toEqual([]);
    await signedIn.context.close();
  });
});
