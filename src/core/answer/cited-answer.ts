import type { Passage } from "../knowledge/knowledge-base.js";
import type { Language } from "../types.js";
import type { AnswerResult } from "./answerer.js";
import type { FactSentence } from "./fact-text.js";
import { messages } from "./messages.js";
import { toSources } from "./sources.js";

/** Sentences with their citations, numbered in order of first citation; a lead-in ending in ":" cites nothing. */
export function render(sentences: FactSentence[], language: Language, hedged: boolean): AnswerResult {
  const cited: Passage[] = [];
  const parts = sentences.map((s) => {
    if (/[:：]$/.test(s.text)) return s.text;
    const marks = [s.passage, ...(s.also && s.also !== s.passage ? [s.also] : [])].map((p) => {
      const n = cited.indexOf(p) + 1;
      return n === 0 ? cited.push(p) : n;
    });
    return `${s.text} ${marks.map((n) => `[${n}]`).join("")}`;
  });
  return {
    text: parts.join(language === "zh" ? "" : " "),
    mode: "extractive",
    sources: toSources(cited),
    notice: messages.extractiveNotice[language],
    ...(hedged ? { hedged: true } : {}),
  };
}
