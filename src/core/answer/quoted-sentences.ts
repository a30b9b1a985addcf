import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { type FactSentence, sentencesOf } from "./fact-text.js";
import type { Understanding } from "./understand.js";

/** The knowledge base's sentences that hold a phrase the question quotes, article passages first. */
export function quotes(u: Understanding, kb: KnowledgeBase): FactSentence[] {
  const out: FactSentence[] = [];
  // Spacing differs between a pasted phrase and the article ("K8s管理" vs "K8s 管理").
  const squash = (t: string) => t.toLowerCase().replace(/\s+/g, "");
  if (u.quotes.length === 0) return out;
  const ordered = [...kb.passages].sort(
    (a, b) => Number(a.kind !== "article") - Number(b.kind !== "article"),
  );
  for (const q of u.quotes) {
    const needle = squash(q);
    for (const p of ordered) {
      if (!squash(p.text).includes(needle)) continue;
      const sentence = sentencesOf(p.text).find((s) => squash(s).includes(needle));
      if (!sentence) continue;
      // Say which project the sentence is about when it doesn't ("它提供了…").
      const owner = kb.projects.find((x) => x.id === p.projectIds[0]);
      const text = sentence.replace(/^\s*[-*]\s+/, "").trim();
      const named = owner
        ? [owner.name, ...owner.aliases].some((n) => squash(text).includes(squash(n)))
        : true;
      const sep = /\p{Script=Han}/u.test(text) ? "：" : ": ";
      out.push({ text: owner && !named ? `${owner.name}${sep}${text}` : text, passage: p });
      break;
    }
  }
  return out;
}
