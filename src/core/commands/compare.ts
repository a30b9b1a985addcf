import { z } from "zod";
import { UserError } from "../errors.js";
import { projectFacts } from "../knowledge/project-facts.js";
import type { SearchIndex } from "../knowledge/search-index.js";
import { detectLanguage } from "../knowledge/tokenize.js";
import { defineCommand } from "./command.js";
import { commandLanguage } from "./language.js";
import { projectCard } from "./project-card.js";
import { resolveProjectOrFail } from "./resolve-project.js";

/**
 * "capi vs kubevirt", "cluster api, kubevirt", "cluster api kubevirt": an explicit separator
 * wins; otherwise the split point where both sides name a project.
 */
export function splitPair(text: string, index: SearchIndex): { first?: string; second?: string } {
  const trimmed = text.trim();
  const explicit = trimmed
    .split(/\s+(?:vs\.?|versus|and|with)\s+|\s*[,，、]\s*|\s*(?:和|与|对比|比较)\s*/i)
    .filter(Boolean);
  if (explicit.length === 2) return { first: explicit[0], second: explicit[1] };
  if (explicit.length > 2) throw new UserError("bad-request", compareUsage[detectLanguage(text)]);
  const words = trimmed.split(/\s+/).filter(Boolean);
  for (let i = 1; i < words.length; i++) {
    const a = words.slice(0, i).join(" ");
    const b = words.slice(i).join(" ");
    if (index.matcher.resolve(a).project && index.matcher.resolve(b).project) return { first: a, second: b };
  }
  // Three names or more ("capi kubevirt kairos"): compare takes exactly two.
  if (words.length >= 3 && words.every((w) => index.matcher.resolve(w).project))
    throw new UserError("bad-request", compareUsage[detectLanguage(text)]);
  return words.length >= 2
    ? { first: words[0], second: words.slice(1).join(" ") }
    : words.length === 1
      ? { first: words[0] }
      : {};
}

const compareUsage = {
  en: "`/compare` takes two projects, e.g. `/compare capi vcluster` or `/compare kubevirt vs kairos`.",
  zh: "`/compare` 需要两个项目，例如 `/compare capi vcluster` 或 `/compare kubevirt 和 kairos`。",
} as const;

export const compareCommand = defineCommand({
  name: "compare",
  description: "Compare two projects' facts side by side.",
  options: z.object({
    first: z.string().trim().min(1).max(100).describe("First project"),
    second: z.string().trim().min(1).max(100).describe("Second project"),
  }),
  autocomplete: { first: "project", second: "project" },
  usageHint: compareUsage,
  usage: "/compare <project> <project>",
  examples: ["/compare capi vcluster", "/compare kubevirt vs kairos"],
  parseText: (text, { index }) => splitPair(text, index),
  run({ options, index, kb, request }) {
    const language = commandLanguage(request);
    const zh = language === "zh";
    const a = resolveProjectOrFail(index, options.first, language);
    const b = resolveProjectOrFail(index, options.second, language);
    if (a.id === b.id) {
      throw new UserError(
        "bad-request",
        zh ? "请选择两个不同的项目进行比较。" : "Pick two different projects to compare.",
      );
    }
    const factsA = new Map(projectFacts(a, language).map((f) => [f.key, f]));
    const factsB = new Map(projectFacts(b, language).map((f) => [f.key, f]));
    const keys = [...new Set([...factsA.keys(), ...factsB.keys()])];
    const none = zh ? "文章未提及" : "not stated";
    const rows = keys.map((key) => {
      const label = (factsA.get(key) ?? factsB.get(key))?.label ?? key;
      return `- **${label}** — ${a.name}: ${factsA.get(key)?.value ?? none} · ${b.name}: ${factsB.get(key)?.value ?? none}`;
    });
    const text = [
      `**${a.name} ${zh ? "对比" : "vs"} ${b.name}**`,
      `- **${a.name}:** ${a.summary[language]}`,
      `- **${b.name}:** ${b.summary[language]}`,
      "",
      ...rows,
    ].join("\n");
    return {
      text,
      sources: [],
      cards: [projectCard(a, kb, language), projectCard(b, kb, language)],
      language,
    };
  },
});
