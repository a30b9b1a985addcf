import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Bot } from "../../src/core/bot.js";
import { loadKnowledgeBase } from "../../src/core/knowledge/load.js";
import { copyDataDir } from "../helpers.js";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** Plain markdown, as a team's own docs come: no front matter, an English title, no Chinese one. */
const PLAIN = `# Dapr: Portable Building Blocks for Microservices

Dapr is a portable, event-driven runtime that makes it easy to build resilient microservices.
It offers building blocks for service invocation, state management and publish/subscribe.

## Who maintains it

Dapr was started at Microsoft in 2019 and is a graduated CNCF project.
`;

const WITH_FRONT_MATTER = `---
id: argo-notes
title:
  en: Argo CD in Practice
url: https://example.com/argo-cd-in-practice
language: en
---

# Argo CD in Practice

Argo CD is a declarative GitOps continuous delivery tool for Kubernetes.
`;

async function kbWithSecondArticles() {
  const copy = await copyDataDir();
  cleanup = copy.cleanup;
  await writeFile(path.join(copy.dir, "articles", "Dapr Overview.md"), PLAIN);
  await writeFile(path.join(copy.dir, "articles", "argo.md"), WITH_FRONT_MATTER);
  return loadKnowledgeBase(copy.dir);
}

describe("a second article", () => {
  it("loads plain markdown: id from the file name, title from the first heading, no Chinese title needed", async () => {
    const kb = await kbWithSecondArticles();
    expect(kb.articles).toHaveLength(3);
    const dapr = kb.articles.find((a) => a.meta.id === "dapr-overview");
    expect(dapr?.meta.title.en).toBe("Dapr: Portable Building Blocks for Microservices");
    expect(dapr?.meta.title.zh).toBe(dapr?.meta.title.en);
    expect(dapr?.meta.language).toBe("en");
    const argo = kb.articles.find((a) => a.meta.id === "argo-notes");
    expect(argo?.meta.url).toBe("https://example.com/argo-cd-in-practice");
    expect(kb.allowedUrls.has("")).toBe(false);
  });

  it("answers “What is X?” about it from its text, not with its metadata", async () => {
    const bot = new Bot({ kb: await kbWithSecondArticles() });
    const reply = await bot.handle({
      kind: "question",
      platform: "cli",
      conversationId: "t:1",
      userId: "u",
      text: "What is Dapr?",
    });
    expect(reply.mode).toBe("extractive");
    expect(reply.text).toMatch(/^Dapr is a portable, event-driven runtime/);
    expect(reply.text).not.toMatch(/^The article/);
  });

  it("names every article in the texts that say what the bot knows, not only the first", async () => {
    const bot = new Bot({ kb: await kbWithSecondArticles() });
    const declined = await bot.handle({
      kind: "question",
      platform: "cli",
      conversationId: "t:2",
      userId: "u",
      text: "What is the best pizza topping in Naples?",
    });
    expect(declined.mode).toBe("declined");
    expect(declined.text).toContain("Dapr: Portable Building Blocks for Microservices");
    expect(declined.text).toContain("Argo CD in Practice");
    const about = await bot.handle({
      kind: "command",
      platform: "cli",
      conversationId: "t:3",
      userId: "u",
      name: "about",
      text: "",
    });
    expect(about.text).toContain("Dapr: Portable Building Blocks for Microservices");
    expect(about.text).toContain("[Argo CD in Practice](https://example.com/argo-cd-in-practice)");
  });
});
