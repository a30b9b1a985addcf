import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { Bot } from "../bot.js";
import { DataError } from "../errors.js";

export const evalCaseSchema = z.object({
  id: z.string().min(1),
  q: z.string().min(1),
  lang: z.enum(["en", "zh"]).optional(),
  kind: z.enum(["fact", "decline"]),
  project: z.string().optional(),
  /** Groups of alternatives: every group must be matched by one of its alternatives. */
  expect: z.array(z.array(z.union([z.string(), z.number()]).transform(String)).min(1)).default([]),
});
export type EvalCase = z.infer<typeof evalCaseSchema>;

export interface EvalCaseResult {
  id: string;
  kind: EvalCase["kind"];
  question: string;
  /** The top-k passages hold every expected group. */
  retrieved: boolean;
  /** The answer holds every expected group (and was not declined). */
  answered: boolean;
  declined: boolean;
  pass: boolean;
  mode: string;
  answer: string;
  missing: string[];
}

export interface EvalSummary {
  k: number;
  total: number;
  recallAtK: number;
  answerAccuracy: number;
  declineAccuracy: number;
}

export interface EvalReport {
  summary: EvalSummary;
  cases: EvalCaseResult[];
}

export async function loadEvalSet(file: string): Promise<EvalCase[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new DataError(file, "", "file not found or unreadable");
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new DataError(
      file,
      "",
      `is not valid YAML: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
    );
  }
  const parsed = z.array(evalCaseSchema).min(1, "holds no case").safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DataError(
      file,
      issue?.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") ?? "",
      issue?.message ?? "invalid",
    );
  }
  return parsed.data;
}

/** Case- and width-folded text with digit groups joined ("5,000" and "5 000" match "5000"). */
export function normalizeForMatch(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/(\d)[,\s](?=\d{3}(?!\d))/g, "$1")
    .replace(/\s+/g, " ");
}

/** The expected groups that no alternative of theirs matches in the text. */
export function missingGroups(text: string, expect: string[][]): string[] {
  const haystack = normalizeForMatch(text);
  return expect
    .filter((group) => !group.some((alt) => haystack.includes(normalizeForMatch(alt))))
    .map((g) => g.join(" | "));
}

const rate = (n: number, d: number) => (d === 0 ? 1 : n / d);

/** Runs every case through retrieval and the bot's answerer; reports recall@k and accuracies. */
export async function evaluate(bot: Bot, cases: EvalCase[], k: number): Promise<EvalReport> {
  const results: EvalCaseResult[] = [];
  for (const c of cases) {
    const retrieval = bot.index.search(c.q, { k });
    const passages = retrieval.hits.map((h) => h.passage.text).join("\n");
    const retrievedMissing = missingGroups(passages, c.expect);
    const { reply } = await bot.questions.ask(c.q, { k }).catch((error: unknown) => ({
      reply: { text: error instanceof Error ? error.message : String(error), mode: "error" as const },
    }));
    const declined = reply.mode === "declined";
    const answerMissing = missingGroups(reply.text, c.expect);
    const retrieved = retrievedMissing.length === 0;
    const answered = !declined && reply.mode !== "error" && answerMissing.length === 0;
    results.push({
      id: c.id,
      kind: c.kind,
      question: c.q,
      retrieved,
      answered,
      declined,
      pass: c.kind === "decline" ? declined : retrieved && answered,
      mode: reply.mode ?? "none",
      answer: reply.text,
      missing: c.kind === "fact" ? answerMissing : [],
    });
  }
  const facts = results.filter((r) => r.kind === "fact");
  const declines = results.filter((r) => r.kind === "decline");
  return {
    summary: {
      k,
      total: results.length,
      recallAtK: rate(facts.filter((r) => r.retrieved).length, facts.length),
      answerAccuracy: rate(facts.filter((r) => r.answered).length, facts.length),
      declineAccuracy: rate(declines.filter((r) => r.declined).length, declines.length),
    },
    cases: results,
  };
}
