import { type APIModalInteractionResponseCallbackData, ComponentType, TextInputStyle } from "discord.js";

/** The modal asking why an answer was not helpful (after a 👎), and how its submission is read. */
const REASON_ID = /^fbr:([A-Za-z0-9_-]{12})$/;
export const REASON_INPUT_ID = "reason";
/** One line: what Spotlight keeps of a reason. */
export const REASON_MAX_CHARS = 200;

/** A modal whose custom id carries the answer record's id: `fbr:<record id>`. */
export function reasonModal(answerId: string): APIModalInteractionResponseCallbackData {
  return {
    custom_id: `fbr:${answerId}`,
    title: "Not helpful",
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.TextInput,
            custom_id: REASON_INPUT_ID,
            style: TextInputStyle.Short,
            label: "What was wrong? (optional)",
            required: false,
            max_length: REASON_MAX_CHARS,
          },
        ],
      },
    ],
  };
}

/** The answer record id a reason modal's custom id carries, or undefined for any other modal. */
export function parseReasonCustomId(customId: string): string | undefined {
  return REASON_ID.exec(customId)?.[1];
}
