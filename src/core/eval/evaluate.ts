import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { Bot } from "../bot.js";
import { DataError } from "../errors.js";
import type { Source } from "../types.js";

export const evalCaseSchema = z.object({
  id: z.string().min(1),
  q: z.string().min(1),
  lang: z.enum(["en", "zh"]).optional(),
  /** fact: holds every expected group; decline: off topic or hostile; hedge: says the article doesn't state it. */
  kind: z.enum(["fact", "decline", "hedge"]),
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
  /** The first sentence alone holds every expected group (fact cases). */
  firstSentence: boolean;
  /** The answer says the article doesn't state what was asked (and did not decline). */
  hedged: boolean;
  pass: boolean;
  mode: string;
  answer: string;
  missing: string[];
  /** Set when the answer is a fallback although a model is configured. */
  fallback?: string;
  /** One check per expected fact the answer states: is it in a passage its sentence cites? */
  citations: CitationCheck[];
}

/** How an expected fact stated by an answer is backed by the passages cited where it is stated. */
export interface CitationCheck {
  /** The expected group, alternatives joined by " | ". */
  fact: string;
  /** supported: a cited passage holds it; unsupported: cited passages do not; uncited: no citation. */
  status: "supported" | "unsupported" | "uncited";
  cited: number[];
}

export interface EvalSummary {
  k: number;
  total: number;
  recallAtK: number;
  answerAccuracy: number;
  declineAccuracy: number;
  /** Share of fact cases whose first sentence holds every expected group. */
  firstSentenceAccuracy: number;
  /** Share of hedge cases answered with "the article doesn't say…" (not declined). */
  hedgeAccuracy: number;
  /**
   * Share of expected facts stated in answers whose citing sentence cites a passage holding them;
   * null when no fact was checked (no answer stated one), rather than a meaningless 100%.
   */
  citationSupport: number | null;
  /** How many facts that share is over. */
  citationChecks: number;
  /** Answers per mode (llm, extractive, declined, error); a fallback counts under `fallback`, not `extractive`. */
  modes: Record<string, number>;
  /** Answers the model wrote. */
  modelAnswers: number;
  /** Extractive answers given although a model is configured, by reason. */
  fallbacks: Record<string, number>;
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

/** How an answer (a model's too) says the article doesn't state something. */
const HEDGE_TEXT =
  /\b(article|it) (doesn't|does not|don't|do not) (say|state|mention|cover|give|tell)|\bnot (stated|mentioned) in the article|文章(没有|并没有|未)(提到|说明|提及|说|给出)|文章中没有/i;

/** The first sentence of an answer, its citations included. */
export function firstSentenceOf(text: string): string {
  return citedSentences(text)[0]?.text ?? "";
}

const CITATION_MARK = /\[(\d+)\]/g;

/**
 * An answer's sentences, each with the citations that close it: "… stars. [1]" keeps its [1],
 * which a plain sentence split would hand to the next sentence.
 */
export function citedSentences(text: string): { text: string; cited: number[] }[] {
  const pieces = text.split(/\n+|(?<=[。！？!?])|(?<=[.!?])\s+/u).filter((p) => p.trim());
  const sentences: { text: string; cited: number[] }[] = [];
  for (const piece of pieces) {
    const lead = /^\s*(?:\[\d+\]\s*)+[.。]?/.exec(piece)?.[0] ?? "";
    const previous = sentences.at(-1);
    if (lead && previous) previous.text += ` ${lead.trim()}`;
    const rest = piece.slice(lead && previous ? lead.length : 0);
    if (rest.trim()) sentences.push({ text: rest.trim(), cited: [] });
  }
  for (const s of sentences) s.cited = [...s.text.matchAll(CITATION_MARK)].map((m) => Number(m[1]));
  return sentences;
}

/**
 * Citation support on the expected facts: for each expected group the answer states, whether a
 * sentence stating it cites a passage that holds it (any alternative of the group, so a Chinese
 * passage backs an English sentence).
 */
export function checkCitations(answer: string, sources: Source[], expect: string[][]): CitationCheck[] {
  const sentences = citedSentences(answer);
  const checks: CitationCheck[] = [];
  for (const group of expect) {
    const stating = sentences.filter((s) => missingGroups(s.text, [group]).length === 0);
    if (stating.length === 0) continue;
    const cited = [...new Set(stating.flatMap((s) => s.cited))];
    const holds = (n: number) => {
      const source = sources.find((src) => src.n === n);
      return source !== undefined && missingGroups(source.text, [group]).length === 0;
    };
    const supported = stating.some((s) => s.cited.some(holds));
    checks.push({
      fact: group.join(" | "),
      status: supported ? "supported" : cited.length > 0 ? "unsupported" : "uncited",
      cited,
    });
  }
  return checks;
}

/**
 * Runs every case through retrieval and the bot's answerer; reports recall@k, accuracies and
 * citation support (whatever answerer the bot has: extractive, or a model for `eval --llm`).
 */
export async function evaluate(bot: Bot, cases: EvalCase[], k: number): Promise<EvalReport> {
  const results: EvalCaseResult[] = [];
  for (const c of cases) {
    const { reply, retrieval } = await bot.questions.ask(c.q, { k }).catch((error: unknown) => ({
      retrieval: undefined,
      reply: {
        text: error instanceof Error ? error.message : String(error),
        mode: "error" as const,
        sources: [] as Source[],
        fallback: undefined,
      },
    }));
    // Recall is measured on the passages the answer was grounded on (what a model would see).
    const passages = (retrieval?.hits ?? []).map((h) => h.passage.text).join("\n");
    const retrieved = missingGroups(passages, c.expect).length === 0;
    const declined = reply.mode === "declined";
    const answerMissing = missingGroups(reply.text, c.expect);
    const answered = !declined && reply.mode !== "error" && answerMissing.length === 0;
    const firstSentence = answered && missingGroups(firstSentenceOf(reply.text), c.expect).length === 0;
    const hedged =
      !declined &&
      reply.mode !== "error" &&
      (("hedged" in reply && reply.hedged === true) || HEDGE_TEXT.test(reply.text));
    results.push({
      id: c.id,
      kind: c.kind,
      question: c.q,
      retrieved,
      answered,
      declined,
      firstSentence,
      hedged,
      pass: c.kind === "decline" ? declined : c.kind === "hedge" ? hedged && answered : retrieved && answered,
      mode: reply.mode ?? "none",
      answer: reply.text,
      missing: c.kind === "decline" ? [] : answerMissing,
      ...(reply.fallback ? { fallback: reply.fallback } : {}),
      citations: c.kind === "fact" && !declined ? checkCitations(reply.text, reply.sources, c.expect) : [],
    });
  }
  const facts = results.filter((r) => r.kind === "fact");
  const declines = results.filter((r) => r.kind === "decline");
  const hedges = results.filter((r) => r.kind === "hedge");
  const checks = facts.flatMap((r) => r.citations);
  const modes: Record<string, number> = {};
  const fallbacks: Record<string, number> = {};
  for (const r of results) {
    const mode = r.fallback ? "fallback" : r.mode;
    modes[mode] = (modes[mode] ?? 0) + 1;
    if (r.fallback) fallbacks[r.fallback] = (fallbacks[r.fallback] ?? 0) + 1;
  }
  return {
    summary: {
      k,
      total: results.length,
      recallAtK: rate(facts.filter((r) => r.retrieved).length, facts.length),
      answerAccuracy: rate(facts.filter((r) => r.answered).length, facts.length),
      declineAccuracy: rate(declines.filter((r) => r.declined).length, declines.length),
      firstSentenceAccuracy: rate(facts.filter((r) => r.firstSentence).length, facts.length),
      hedgeAccuracy: rate(hedges.filter((r) => r.pass).length, hedges.length),
      citationSupport:
        checks.length === 0 ? null : checks.filter((x) => x.status === "supported").length / checks.length,
      citationChecks: checks.length,
      modes,
      modelAnswers: results.filter((r) => r.mode === "llm").length,
      fallbacks,
    },
    cases: results,
  };
}
