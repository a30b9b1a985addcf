import { CARD_LABELS, type Language } from "../../core/index.js";

/** Labels every platform shows around a reply, in both languages, written once. */
export const LABELS = {
  en: {
    ...CARD_LABELS.en,
    sources: "Sources",
    thinking: "Thinking…",
    writing: "Writing…",
    helpful: "Helpful",
    notHelpful: "Not helpful",
    thanks: "Thanks for the feedback!",
    empty: "(no answer)",
  },
  zh: {
    ...CARD_LABELS.zh,
    sources: "来源",
    thinking: "思考中…",
    writing: "正在撰写…",
    helpful: "有帮助",
    notHelpful: "没有帮助",
    thanks: "谢谢你的反馈！",
    empty: "（没有回答）",
  },
} as const satisfies Record<Language, Record<string, string>>;

export function labelsFor(language: Language | undefined): (typeof LABELS)[Language] {
  return LABELS[language ?? "en"];
}
