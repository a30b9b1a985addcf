import type { InsightReport, QuestionGroup } from "./report.js";

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();
const percent = (rate: number): string => `${Math.round(rate * 1000) / 10}%`;

function groupTable(groups: QuestionGroup[], empty: string): string[] {
  if (groups.length === 0) return [`_${empty}_`, ""];
  return [
    "| Asked | Question | Also asked as | 👍 | 👎 |",
    "|---:|---|---|---:|---:|",
    ...groups.map(
      (g) =>
        `| ${g.count} | ${cell(g.question)} | ${cell(g.variants.slice(1, 4).join("; "))} | ${g.feedback.up} | ${g.feedback.down} |`,
    ),
    "",
  ];
}

/** The report as markdown, to paste into an issue or read before extending the knowledge base. */
export function reportMarkdown(report: InsightReport): string {
  const { totals } = report;
  const period = `${report.period.since ?? "the start of the log"} to ${report.period.until ?? "now"}`;
  const outcomes = Object.entries(totals.byOutcome)
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${outcome} ${n}`)
    .join(", ");
  const lines = [
    "# Spotlight: what people asked",
    "",
    `From ${period}: ${totals.questions} questions (${outcomes || "none"}); feedback 👍 ${totals.feedback.up}, 👎 ${totals.feedback.down}; gap rate (declined or hedged) ${percent(totals.gapRate)}.`,
    "",
    "## Top questions",
    "",
    ...groupTable(report.topQuestions, "No questions in this period."),
    "## Declined: the knowledge base does not cover these",
    "",
    ...groupTable(report.declined, "None declined."),
    "## Hedged: the detail asked is not in the knowledge base",
    "",
    ...groupTable(report.hedged, "None hedged."),
    "## Answers rated 👎",
    "",
  ];
  if (report.disliked.length === 0) lines.push("_None._", "");
  for (const d of report.disliked) {
    lines.push(
      `- **${cell(d.question ?? "(redacted)")}** (${d.platform}, ${d.outcome}, ${d.at}, 👍 ${d.feedback.up} 👎 ${d.feedback.down})`,
    );
    for (const reason of d.reasons) lines.push(`  - “${cell(reason)}”`);
    for (const s of d.sources) lines.push(`  - [${s.n}] [${cell(s.title)} — ${cell(s.section)}](${s.url})`);
  }
  if (report.disliked.length > 0) lines.push("");
  lines.push("## Fallbacks by reason", "");
  if (report.fallbacks.length === 0) lines.push("_None._");
  for (const f of report.fallbacks) lines.push(`- ${f.reason}: ${f.count} (${percent(f.rate)} of questions)`);
  return `${lines.join("\n")}\n`;
}
