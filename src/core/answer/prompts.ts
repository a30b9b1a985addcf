import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { DataError } from "../errors.js";

/** The prompt templates of prompts/, read once at start. */
export interface PromptTemplates {
  /** Rules for the model; holds `{{canary}}`. */
  system: string;
  /** Holds `{{passages}}`, `{{history}}`, `{{language}}` and `{{question}}`. */
  user: string;
}

const REQUIRED: Record<keyof PromptTemplates, string[]> = {
  system: ["canary"],
  user: ["passages", "history", "language", "question"],
};

async function readTemplate(dir: string, name: string): Promise<{ file: string; text: string }> {
  for (const ext of [".md", ".txt"]) {
    const file = path.join(dir, `${name}${ext}`);
    try {
      return { file, text: await readFile(file, "utf8") };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  throw new DataError(path.join(dir, `${name}.md`), "", "prompt template not found (.md or .txt)");
}

/** Reads prompts/system and prompts/user (.md or .txt); a missing placeholder fails with file and name. */
export async function loadPrompts(dir: string): Promise<PromptTemplates> {
  const templates = {} as PromptTemplates;
  for (const name of Object.keys(REQUIRED) as (keyof PromptTemplates)[]) {
    const { file, text } = await readTemplate(dir, name);
    for (const placeholder of REQUIRED[name]) {
      if (!text.includes(`{{${placeholder}}}`))
        throw new DataError(file, `{{${placeholder}}}`, "placeholder missing from the template");
    }
    templates[name] = text.trim();
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
