import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { DataError } from "../errors.js";

/** The prompt templates of prompts/, read once at start. */
export interface PromptTemplates {
  /** Rules for the model; holds `{{canary}}`. */
  system: string;
  /** Holds `{{passages}}`, `{{history}}`, `{{language}}` and `{{question}}` (and `{{facts}}`). */
  user: string;
  /** The rules for small contexts (system-short); the full rules when the file is absent. */
  systemShort: string;
  /** The user message for small contexts (user-short); the full one when the file is absent. */
  userShort: string;
}

const REQUIRED: Record<keyof PromptTemplates, string[]> = {
  system: ["canary"],
  user: ["passages", "history", "language", "question"],
  systemShort: ["canary"],
  userShort: ["passages", "history", "language", "question"],
};

const FILES: Record<keyof PromptTemplates, { name: string; otherwise?: keyof PromptTemplates }> = {
  system: { name: "system" },
  user: { name: "user" },
  systemShort: { name: "system-short", otherwise: "system" },
  userShort: { name: "user-short", otherwise: "user" },
};

async function readTemplate(dir: string, name: string): Promise<{ file: string; text: string } | undefined> {
  for (const ext of [".md", ".txt"]) {
    const file = path.join(dir, `${name}${ext}`);
    try {
      return { file, text: await readFile(file, "utf8") };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return undefined;
}

/**
 * Reads prompts/system and prompts/user (.md or .txt), and their short variants for small contexts
 * (system-short, user-short; optional). A missing placeholder fails with file and name.
 */
export async function loadPrompts(dir: string): Promise<PromptTemplates> {
  const templates = {} as PromptTemplates;
  for (const key of Object.keys(REQUIRED) as (keyof PromptTemplates)[]) {
    const { name, otherwise } = FILES[key];
    const found = await readTemplate(dir, name);
    if (!found) {
      if (otherwise) {
        templates[key] = templates[otherwise];
        continue;
      }
      throw new DataError(path.join(dir, `${name}.md`), "", "prompt template not found (.md or .txt)");
    }
    for (const placeholder of REQUIRED[key]) {
      if (!found.text.includes(`{{${placeholder}}}`))
        throw new DataError(found.file, `{{${placeholder}}}`, "placeholder missing from the template");
    }
    templates[key] = found.text.trim();
  }
  return templates;
}

/**
 * Fills `{{name}}` placeholders in one pass, so a value that itself holds `{{...}}` (a question
 * quoting a placeholder) is inserted as text and never expanded.
 */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** A random marker planted in the system prompt: seeing it in a reply means the prompt leaked. */
export function createCanary(): string {
  return `SPOTLIGHT-CANARY-${randomBytes(6).toString("hex").toUpperCase()}`;
}
