import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { DataError } from "../errors.js";
import { type Article, buildKnowledgeBase, type KnowledgeBase, projectNames } from "./knowledge-base.js";
import { splitFrontMatter, splitMarkdown, stripInlineMarkdown } from "./markdown.js";
import {
  articleFrontMatterSchema,
  catalogSchema,
  type EventEntry,
  eventsSchema,
  type Glossary,
  glossarySchema,
  type Project,
  resolveArticleMeta,
} from "./schema.js";

function fieldPath(issuePath: readonly PropertyKey[]): string {
  return issuePath
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("")
    .replace(/^\./, "");
}

/** Validates with a zod schema; the first problem becomes a DataError naming file, field and reason. */
function validate<T extends z.ZodType>(schema: T, value: unknown, file: string, prefix = ""): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? fieldPath(issue.path) : "";
  throw new DataError(
    file,
    prefix ? [prefix, field].filter(Boolean).join(".") : field,
    issue?.message ?? "is invalid",
  );
}

function parseYamlFile(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` at line ${error.linePos[0].line}` : "";
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new DataError(file, "", `is not valid YAML${where}: ${reason}`);
  }
}

async function readText(dataDir: string, rel: string): Promise<string> {
  try {
    return await readFile(path.join(dataDir, rel), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(
      rel,
      "",
      code === "ENOENT" ? "file not found" : `cannot be read (${code ?? String(error)})`,
    );
  }
}

/** An optional file: absent is fine, unreadable is not. */
async function readOptional(dataDir: string, rel: string): Promise<string | undefined> {
  try {
    return await readText(dataDir, rel);
  } catch (error) {
    if (error instanceof DataError && error.reason === "file not found") return undefined;
    throw error;
  }
}

const HAN = /[\u3400-\u9fff]/g;

/** Chinese when Han characters make up a good part of the text's letters. */
function guessLanguage(text: string): "en" | "zh" {
  const han = (text.match(HAN) ?? []).length;
  const latin = (text.match(/[A-Za-z]/g) ?? []).length;
  return han * 3 > latin ? "zh" : "en";
}

/**
 * Front matter for a plain markdown file: the id from its file name, the title from its first
 * heading (else the file name), the language from its text.
 */
function inferredFrontMatter(body: string, file: string): Record<string, unknown> {
  const base = path.basename(file, ".md");
  const id =
    base
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "article";
  const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/m.exec(body)?.[1];
  const title = heading ? stripInlineMarkdown(heading).text : base;
  const language = guessLanguage(body);
  return { id, title: language === "zh" ? { en: title, zh: title } : { en: title }, language };
}

function parseArticle(source: string, file: string): Article {
  const parts = splitFrontMatter(source);
  // Plain markdown is welcome: without front matter, what it would say is inferred.
  const body = parts ? parts.body : source.replace(/^\uFEFF/, "");
  const raw = parts ? parseYamlFile(parts.frontMatter, file) : inferredFrontMatter(body, file);
  const meta = resolveArticleMeta(validate(articleFrontMatterSchema, raw, file, "front matter"));
  const blocks = splitMarkdown(body);
  if (blocks.length === 0) throw new DataError(file, "body", "has no paragraphs");
  const headings = [...new Set(blocks.flatMap((b) => b.headingPath))];
  return { meta, file, blocks, headings };
}

function checkCatalog(projects: Project[], articles: Map<string, Article>, file: string): void {
  const seenIds = new Map<string, number>();
  const seenNames = new Map<string, string>();
  projects.forEach((p, i) => {
    if (seenIds.has(p.id))
      throw new DataError(file, `[${i}].id`, `duplicate id "${p.id}" (also entry [${seenIds.get(p.id)}])`);
    seenIds.set(p.id, i);
    const article = articles.get(p.article);
    if (!article) throw new DataError(file, `[${i}].article`, `no article has id "${p.article}"`);
    if (!article.headings.includes(p.section))
      throw new DataError(
        file,
        `[${i}].section`,
        `"${p.section}" is not a heading of article "${p.article}"`,
      );
    for (const name of projectNames(p)) {
      const key = name.toLowerCase();
      const owner = seenNames.get(key);
      if (owner && owner !== p.id)
        throw new DataError(file, `[${i}].aliases`, `"${name}" already names project "${owner}"`);
      seenNames.set(key, p.id);
    }
  });
}

/**
 * Loads and validates `articles/*.md`, `projects.yaml` and (optional) `glossary.yaml` from a data
 * directory. Any problem throws a DataError naming the file, the field and the reason.
 */
export async function loadKnowledgeBase(dataDir: string): Promise<KnowledgeBase> {
  let articleFiles: string[];
  try {
    articleFiles = (await readdir(path.join(dataDir, "articles"))).filter((f) => f.endsWith(".md")).sort();
  } catch {
    throw new DataError("articles/", "", `directory not found under ${dataDir}`);
  }
  if (articleFiles.length === 0) throw new DataError("articles/", "", "holds no .md article");

  const fingerprint: string[] = [];
  const articles = new Map<string, Article>();
  for (const name of articleFiles) {
    const rel = `articles/${name}`;
    const source = await readText(dataDir, rel);
    fingerprint.push(rel, source);
    const article = parseArticle(source, rel);
    const other = articles.get(article.meta.id);
    if (other)
      throw new DataError(
        rel,
        "front matter.id",
        `duplicate article id "${article.meta.id}" (also in ${other.file})`,
      );
    articles.set(article.meta.id, article);
  }

  const catalogText = await readText(dataDir, "projects.yaml");
  fingerprint.push(catalogText);
  const projects = validate(catalogSchema, parseYamlFile(catalogText, "projects.yaml"), "projects.yaml");
  checkCatalog(projects, articles, "projects.yaml");

  let events: EventEntry[] = [];
  const eventsText = await readOptional(dataDir, "events.yaml");
  if (eventsText !== undefined) {
    fingerprint.push(eventsText);
    events = validate(eventsSchema, parseYamlFile(eventsText, "events.yaml") ?? [], "events.yaml");
    events.forEach((e, i) => {
      const article = articles.get(e.article);
      if (!article) throw new DataError("events.yaml", `[${i}].article`, `no article has id "${e.article}"`);
      if (!article.headings.includes(e.section))
        throw new DataError(
          "events.yaml",
          `[${i}].section`,
          `"${e.section}" is not a heading of article "${e.article}"`,
        );
    });
  }

  let glossary: Glossary = [];
  const glossaryText = await readOptional(dataDir, "glossary.yaml");
  if (glossaryText !== undefined) {
    fingerprint.push(glossaryText);
    glossary = validate(glossarySchema, parseYamlFile(glossaryText, "glossary.yaml") ?? [], "glossary.yaml");
  }
  return buildKnowledgeBase([...articles.values()], projects, events, glossary, fingerprint.join("\u0000"));
}
