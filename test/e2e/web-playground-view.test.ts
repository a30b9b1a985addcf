import { request } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deferred, type Playground, startPlayground } from "../web/fixture.js";
import { ask, inPage, launchBrowser, watchErrors } from "./browser.js";

let browser: Browser;
let playground: Playground;
const pageErrors: string[] = [];

async function openPage(width: number, height: number): Promise<{ context: BrowserContext; page: Page }> {
  const phone = width < 600;
  const context = await browser.newContext({
    viewport: { width, height },
    ...(phone ? { isMobile: true, hasTouch: true } : {}),
  });
  const page = await context.newPage();
  watchErrors(page, pageErrors);
  await page.goto(playground.url);
  return { context, page };
}

/** A GET with headers fetch() may not set (Host). */
function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

interface Geometry {
  top: number;
  height: number;
  composerTop: number;
}

/** Where the newest finished answer sits, and where the sticky composer starts, in the viewport. */
function lastAnswerGeometry(page: Page): Promise<Geometry> {
  return inPage<Geometry>(
    page,
    `(() => {
      const answers = document.querySelectorAll('.msg-bot[aria-busy="false"]');
      const box = answers[answers.length - 1].getBoundingClientRect();
      const composer = document.getElementById("ask-form").getBoundingClientRect();
      return { top: box.top, height: box.height, composerTop: Math.min(composer.top, window.innerHeight) };
    })()`,
  );
}

/** The answer's first lines (its start, or all of it when short) show above the composer. */
async function expectStartInView(page: Page, what: string): Promise<void> {
  const g = await lastAnswerGeometry(page);
  const firstLines = Math.min(g.height, 80);
  expect(g.top, `${what}: top of the answer`).toBeGreaterThanOrEqual(0);
  expect(g.top + firstLines, `${what}: first lines above the composer`).toBeLessThanOrEqual(g.composerTop);
}

describe("playground: what a visitor sees after each reply", () => {
  beforeAll(async () => {
    [browser, playground] = await Promise.all([launchBrowser(), startPlayground()]);
  });

  afterAll(async () => {
    await browser?.close();
    await playground?.close();
  });

  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    it(`keeps the start of every answer in view above the composer at ${width} px`, async () => {
      const { context, page } = await openPage(width, height);
      await ask(page, "/project kubevirt");
      await expectStartInView(page, "card");
      await ask(page, "/projects");
      await expectStartInView(page, "long list");
      playground.answerer.enqueue({
        chunks: [
          "KubeVirt runs virtual machines next to containers [1].",
          ...Array.from(
            { length: 40 },
            (_, i) => `\n\n- Point ${i + 1}: a line of a long streamed answer [1].`,
          ),
        ],
      });
      await ask(page, "Who uses KubeVirt?");
      await expectStartInView(page, "streamed answer");
      await ask(page, "/compare capi vcluster");
      await expectStartInView(page, "comparison");
      const help = await ask(page, "/help");
      await expectStartInView(page, "help");
      // /help is an ordinary reply, not styled as a problem.
      expect(await help.getAttribute("class")).not.toContain("msg-note");
      expect(pageErrors).toEqual([]);
      await context.close();
    });
  }

  it("focuses the question box on load", async () => {
    const { context, page } = await openPage(1280, 800);
    expect(await inPage<string>(page, "document.activeElement?.id ?? ''")).toBe("question");
    await context.close();
  });

  it("stops a streaming answer with the Stop button, and stops it on the server too", async () => {
    const { context, page } = await openPage(1280, 800);
    const hold = deferred();
    playground.answerer.enqueue({
      chunks: ["KubeVirt is used by **Nvidia**", " and more [1]."],
      hold: hold.promise,
    });
    const asked = playground.answerer.signals.length;
    const stop = page.getByRole("button", { name: "Stop" });
    expect(await stop.isVisible()).toBe(false);
    await page.locator("#question").fill("Who uses KubeVirt?");
    await page.locator("#question").press("Enter");
    const writing = page.locator('.msg-bot[aria-busy="true"]');
    await writing.getByText("KubeVirt is used by Nvidia").waitFor();
    await stop.click();

    const stopped = page.locator(".msg-bot.msg-stopped");
    await stopped.waitFor();
    expect(await stopped.getAttribute("aria-busy")).toBe("false");
    expect(await stopped.textContent()).toContain("KubeVirt is used by Nvidia");
    expect(await stopped.locator(".notice").textContent()).toBe("Stopped.");
    expect(await stop.isVisible()).toBe(false);
    expect(await page.locator("#send").isDisabled()).toBe(false);
    await expect.poll(() => playground.answerer.signals[asked]?.aborted).toBe(true);
    hold.resolve();

    // The next question works as usual.
    const next = await ask(page, "/project capi");
    expect(await next.locator("article.card h3").textContent()).toBe("Cluster API");
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("searches the knowledge base with typos and across languages, and highlights matches", async () => {
    const { context, page } = await openPage(1280, 800);
    await page.getByRole("tab", { name: "Knowledge base" }).click();
    const search = page.getByLabel("Search projects and article sections");
    const visibleCards = page.locator("#kb-projects article.card:visible h4");

    await search.fill("kubvirt");
    await page
      .locator("#kb-count")
      .getByText(/match “kubvirt”/)
      .waitFor();
    expect(await visibleCards.allTextContents()).toContain("KubeVirt");
    expect(await page.locator("#kb-projects article.card:visible mark").first().textContent()).toMatch(
      /kubevirt/i,
    );

    // A Chinese word finds English cards through the glossary (虚拟机 = virtual machine).
    await search.fill("虚拟机");
    await page
      .locator("#kb-count")
      .getByText(/match “虚拟机”/)
      .waitFor();
    expect(await visibleCards.allTextContents()).toContain("KubeVirt");
    expect(await page.locator(".kb-section:visible mark").count()).toBeGreaterThan(0);

    // Highlights go away with the query.
    await search.fill("");
    await page
      .locator("#kb-count")
      .getByText(/^\d+ projects and \d+ sections\.$/)
      .waitFor();
    expect(await page.locator("#panel-kb mark").count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("tells a browser on a forwarded host how to open the playground, instead of raw JSON", async () => {
    const forwarded = "fluffy-space-3000.app.github.dev";
    const page = await get(playground.url, { host: forwarded, accept: "text/html,application/xhtml+xml" });
    expect(page.status).toBe(403);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.body).toContain("PLAYGROUND_TOKEN");
    expect(page.body).toContain(forwarded);
    const api = await get(new URL("api/kb", playground.url).href, { host: forwarded });
    expect(api.status).toBe(403);
    expect((JSON.parse(api.body) as { error: string }).error).toContain("PLAYGROUND_TOKEN");
  });
});
