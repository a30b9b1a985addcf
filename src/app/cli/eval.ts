import { parseArgs } from "node:util";
import { evaluate, loadEvalSet } from "../../core/eval/evaluate.js";
import { terminalText } from "../../core/terminal-text.js";
import type { Config } from "../config.js";
import { type CliIo, UsageError, withRuntime } from "./io.js";

/** `spotlight eval [--file PATH] [--k N] [--json] [--llm]`: recall and accuracy on an evaluation set. */
export async function evalCommand(args: string[], config: Config, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      file: { type: "string" },
      k: { type: "string" },
      json: { type: "boolean" },
      llm: { type: "boolean" },
    },
  });
  if (values.llm && !config.llm)
    throw new UsageError("eval --llm needs a model: set OPENAI_BASE_URL (and OPENAI_MODEL).");
  // Without --llm the set measures the deterministic extractive path, even where a model is configured.
  const evalConfig: Config = values.llm ? config : { ...config, llm: undefined };
  const file = values.file ?? `${config.dataDir}/eval/questions.yaml`;
  const k = values.k === undefined ? config.retrievalK : Number(values.k);
  if (!Number.isInteger(k) || k < 1 || k > 50)
    throw new UsageError("--k must be a whole number from 1 to 50");
  const cases = await loadEvalSet(file);
  return withRuntime(evalConfig, io, async (rt) => {
    const report = await evaluate(rt.bot, cases, k);
    if (values.json) {
      const out = {
        summary: report.summary,
        cases: report.cases.map((c) => ({
          id: c.id,
          kind: c.kind,
          retrieved: c.retrieved,
          answered: c.answered,
          declined: c.declined,
          firstSentence: c.firstSentence,
          hedged: c.hedged,
          pass: c.pass,
          // The model's own figures only with --llm: without it every answer is extractive.
          ...(values.llm
            ? { mode: c.mode, ...(c.fallback ? { fallback: c.fallback } : {}), citations: c.citations }
            : {}),
        })),
      };
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      for (const c of report.cases) {
        let flags =
          c.kind === "decline"
            ? `declined=${c.declined}`
            : c.kind === "hedge"
              ? `hedged=${c.hedged}`
              : `retrieved=${c.retrieved} answered=${c.answered} first=${c.firstSentence}`;
        if (values.llm) {
          const unbacked = c.citations.filter((x) => x.status !== "supported");
          flags += ` mode=${c.fallback ? `fallback(${c.fallback})` : c.mode}`;
          if (unbacked.length)
            flags += ` citation: ${unbacked.map((x) => `${x.fact} ${x.status}`).join("; ")}`;
        }
        // Case ids and expected facts come from a file: untrusted text on a terminal.
        io.stdout.write(
          `${terminalText(`${c.pass ? "PASS" : "FAIL"}  ${c.id.padEnd(22)} ${flags}${c.missing.length ? `  missing: ${c.missing.join("; ")}` : ""}`)}\n`,
        );
      }
      const s = report.summary;
      const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
      io.stdout.write(
        `\n${s.total} cases, k=${s.k}: recall@${s.k} ${pct(s.recallAtK)}, answer accuracy ${pct(s.answerAccuracy)}, first-sentence accuracy ${pct(s.firstSentenceAccuracy)}, decline accuracy ${pct(s.declineAccuracy)}, hedge accuracy ${pct(s.hedgeAccuracy)}\n`,
      );
      if (values.llm) {
        const fallbacks = Object.entries(s.fallbacks).map(([reason, n]) => `${reason} ${n}`);
        io.stdout.write(
          `answers from the model: ${s.modelAnswers} of ${s.total}; fallbacks: ${fallbacks.length ? fallbacks.join(", ") : "none"}\n${s.citationSupport === null ? "citation support: no stated fact to check" : `citation support ${pct(s.citationSupport)} over ${s.citationChecks} stated facts`}\n`,
        );
      }
    }
    return 0;
  });
}
