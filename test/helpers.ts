import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Bot, type BotDeps } from "../src/core/bot.js";
import type { KnowledgeBase } from "../src/core/knowledge/knowledge-base.js";
import { loadKnowledgeBase } from "../src/core/knowledge/load.js";
import { completeReply, type Reply, type ReplyDraft, type ReplyPart } from "../src/core/reply.js";
import type { ProjectCard } from "../src/core/types.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const dataDir = path.join(repoRoot, "data");

let kbPromise: Promise<KnowledgeBase> | undefined;

/** The repository's knowledge base, loaded once per test file. */
export function loadRepoKb(): Promise<KnowledgeBase> {
  kbPromise ??= loadKnowledgeBase(dataDir);
  return kbPromise;
}

export async function createTestBot(deps: Partial<BotDeps> = {}): Promise<Bot> {
  return new Bot({ kb: await loadRepoKb(), ...deps });
}

/** A copy of data/ in a temporary directory, for tests that break files on purpose. */
export async function copyDataDir(): Promise<{
  dir: string;
  edit: (rel: string, f: (text: string) => string) => Promise<void>;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(path.join(tmpdir(), "spotlight-data-"));
  await cp(dataDir, dir, { recursive: true });
  return {
    dir,
    async edit(rel, f) {
      const file = path.join(dir, rel);
      await writeFile(file, f(await readFile(file, "utf8")));
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export const ARTICLE_FILE = "articles/five-enterprise-k8s-projects-kubecon-london.md";

/**
 * A reply for renderer tests, shaped the old, flat way: `text` becomes a markdown part and each of
 * `cards` a card part (text first). Pass `parts` to say exactly what the reply holds.
 */
export function testReply(
  r: Omit<ReplyDraft, "parts"> & { text?: string; cards?: ProjectCard[]; parts?: ReplyPart[] },
): Reply {
  const { text, cards, parts, ...rest } = r;
  return completeReply({
    ...rest,
    parts: parts ?? [
      ...(text !== undefined ? [{ type: "markdown" as const, text }] : []),
      ...(cards ?? []).map((card) => ({ type: "card" as const, card })),
    ],
  });
}
