import { tokenize } from "../knowledge/tokenize.js";
import { COMPARE, CONCLUSION, DETAIL_ONCE } from "./question-cues.js";

/**
 * Drops the projects a question names that it doesn't ask about, in place:
 * - a landmark: "after the LocalAI bit there's one more section — what's it about?";
 * - context before the question: "Cluster API and MAAS both show up. What is MAAS?" asks about
 *   the project the asking sentence names (not for comparisons, which name both).
 */
export function narrowSubjects(named: string[], text: string, namesOf: (id: string) => string[]): void {
  if (CONCLUSION.test(text) && /\b(after|following|past)\b|之后|后面/.test(text)) {
    named.length = 0;
    return;
  }
  if (named.length < 2 || COMPARE.test(text)) return;
  // One question after statements; two questions ("capi stars? and kubevirt?") ask about both.
  const questions = [...text.matchAll(/[^.!?。！？]*[?？]/g)];
  const last = questions[0];
  if (questions.length !== 1 || !last) return;
  // Nor when more follows the question ("vcluster谁做的？另外kairos哪年进的cncf").
  if (/[\p{L}\p{N}]/u.test(text.slice(last.index + last[0].length))) return;
  const asking = last[0];
  const inside = named.filter((id) => namesOf(id).some((n) => asking.includes(n)));
  if (inside.length > 0 && inside.length < named.length) named.splice(0, named.length, ...inside);
}

/**
 * "KubeCon 北美", "KubeCon India": a word next to the event's name that the knowledge base never
 * uses (`unknown`) names another edition. Chinese glued to the name is the sentence going on
 * ("kubecon收到了…"), not a qualifier.
 */
export function namesAnotherEdition(text: string, unknown: string[]): boolean {
  return [
    ...text.matchAll(/kubecon(?:\s*[+&]?\s*cloudnativecon)?(?:\s*([a-z]+)|\s+(\p{Script=Han}{2}))/gu),
    ...text.matchAll(/([a-z]+|\p{Script=Han}{2})\s*kubecon/gu),
  ].some((m) => {
    const word = (m[1] ?? m[2] ?? "") as string;
    return [word, ...tokenize(word)].some((w) => unknown.includes(w));
  });
}

/** A detail of the conference's talks with no project named ("will the talks be recorded?"). */
export function talksDetail(named: string[], text: string, question: string): boolean {
  return named.length === 0 && /\btalks\b|演讲/.test(text) && DETAIL_ONCE.test(question);
}
