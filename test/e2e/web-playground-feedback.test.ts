/** The playground's 👎 in a real browser: an optional one-line reason, recorded on the answer record. */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MemoryAnswerLog } from "../../src/core/insight/memory-answer-log.js";
import { contractRecorder } from "../contract/contract.js";
import { repoRoot } from "../helpers.js";
import { type Playground, startPlayground } from "../web/fixture.js";
import { ask, inPage, launchBrowser, watchErrors } from "./browser.js";

let browser: Browser;
let playground: Playground;
let answerLog: MemoryAnswerLog;
const pageErrors: string[] = [];
const RESULTS = path.join(repoRoot, "test-results");

async function openPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  watchErrors(page, pageErrors);
  await page.goto(playground.url);
  return { context, page };
}

/** The feedback on the record of the answer to `question`. */
async function feedbackOn(question: string) {
  const records = await answerLog.list();
  return records.find((r) => r.question === question)?.feedback;
}

const focusedId = (page: Page) => inPage<string>(page, 'document.activeElement?.id || ""');

describe("👎 with a reason in the playground", () => {
  beforeAll(async () => {
    await mkdir(RESULTS, { recursive: true });
    const recording = contractRecorder();
    answerLog = recording.answerLog;
    [browser, playground] = await Promise.all([
      launchBrowser(),
      startPlayground({ bot: { recorder: recording.recorder } }),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await playground?.close();
  });

  it("asks what was wrong after 👎, sends the reason and records it on the answer", async () => {
    const { context, page } = await openPage();
    const question = "Who uses KubeVirt?";
    const answer = await ask(page, question);
    await answer.getByRole("button", { name: "Not helpful" }).click();

    // Nothing is sent until the visitor sends or skips the reason.
    const reason = answer.getByRole("textbox", { name: "What was wrong with this answer? (optional)" });
    await reason.waitFor();
    expect(await reason.getAttribute("placeholder")).toBe("What was wrong? (optional)");
    expect(await reason.getAttribute("maxlength")).toBe("200");
    expect(await focusedId(page)).toMatch(/^reason-/);
    expect(await answer.getByRole("button", { name: "Helpful", exact: true }).isDisabled()).toBe(true);
    expect(playground.feedback).toEqual([]);

    await reason.fill("It   missed Cloudflare ");
    await answer.screenshot({ path: path.join(RESULTS, "playground-feedback.png") });
    await answer.getByRole("button", { name: "Send" }).click();
    await answer.getByText("Thanks for the feedback!").waitFor();
    expect(await answer.locator("form.feedback-reason").count()).toBe(0);
    expect(playground.feedback).toEqual([
      expect.objectContaining({
        platform: "web",
        value: "down",
        messageRef: await answer.getAttribute("data-reply-id"),
      }),
    ]);
    expect(await feedbackOn(question)).toMatchObject([{ value: "down", reason: "It missed Cloudflare" }]);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  it("sends with Enter, skips with Esc, and keeps the reason to 200 characters", async () => {
    const { context, page } = await openPage();
    const first = await ask(page, "What is vCluster?");
    await first.getByRole("button", { name: "Not helpful" }).click();
    await page.keyboard.type("x".repeat(250));
    expect((await first.locator("form.feedback-reason input").inputValue()).length).toBe(200);
    await page.keyboard.press("Enter");
    await first.getByText("Thanks for the feedback!").waitFor();
    expect(await feedbackOn("What is vCluster?")).toMatchObject([{ value: "down", reason: "x".repeat(200) }]);

    const second = await ask(page, "What is Kairos?");
    await second.getByRole("button", { name: "Not helpful" }).click();
    await page.keyboard.type("never sent");
    await page.keyboard.press("Escape");
    await second.getByText("Thanks for the feedback!").waitFor();
    expect(await second.locator("form.feedback-reason").count()).toBe(0);
    const skipped = await feedbackOn("What is Kairos?");
    expect(skipped).toMatchObject([{ value: "down" }]);
    expect(skipped?.[0]?.reason).toBeUndefined();

    // 👍 is sent at once, with no form.
    const third = await ask(page, "Who uses KubeVirt?");
    await third.getByRole("button", { name: "Helpful", exact: true }).click();
    await third.getByText("Thanks for the feedback!").waitFor();
    expect(await third.locator("form.feedback-reason").count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
