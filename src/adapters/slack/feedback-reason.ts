import type { Language } from "../../core/index.js";

/** The modal asking why an answer was not helpful (after a 👎), and how its submission is read. */
export const REASON_CALLBACK_ID = "spotlight_feedback_reason";
const BLOCK_ID = "reason";
const ACTION_ID = "reason_text";
/** One line: what Spotlight keeps of a reason. */
export const REASON_MAX_CHARS = 200;

const TEXT = {
  en: { title: "Not helpful", submit: "Send", close: "Skip", label: "What was wrong? (optional)" },
  zh: { title: "没有帮助", submit: "发送", close: "跳过", label: "哪里不对？（可选）" },
} as const;

/** A Slack modal view (views.open) carrying the answer record's id in its private metadata. */
export function reasonModal(answerId: string, language: Language): Record<string, unknown> {
  const t = TEXT[language];
  return {
    type: "modal",
    callback_id: REASON_CALLBACK_ID,
    private_metadata: answerId,
    title: { type: "plain_text", text: t.title },
    submit: { type: "plain_text", text: t.submit },
    close: { type: "plain_text", text: t.close },
    blocks: [
      {
        type: "input",
        block_id: BLOCK_ID,
        optional: true,
        label: { type: "plain_text", text: t.label },
        element: { type: "plain_text_input", action_id: ACTION_ID, max_length: REASON_MAX_CHARS },
      },
    ],
  };
}

/** The answer record id and reason of a submitted modal; undefined when nothing was written. */
export function readReason(view: {
  private_metadata?: string;
  state?: { values?: Record<string, Record<string, { value?: string | null }>> };
}): { answerId: string; reason: string } | undefined {
  const reason = view.state?.values?.[BLOCK_ID]?.[ACTION_ID]?.value?.trim();
  const answerId = view.private_metadata ?? "";
  return reason && answerId ? { answerId, reason } : undefined;
}
