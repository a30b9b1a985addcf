import { completeReply, type Language, markdownDraft, messages, type Reply } from "../../core/index.js";

/** "Spotlight is restarting. Please ask again in a moment." as a reply. */
export function restartNote(language: Language): Reply {
  return completeReply(
    markdownDraft(messages.restarting[language], { language, error: { code: "shutting-down" } }),
    language,
  );
}

/**
 * The reply, or the restart note when shutdown cut the answer (`signal` aborted) and even the best
 * answer ready does not come within `afterAbortMs`: an acknowledged request always gets a reply.
 */
export function replyOrRestartNote(
  handling: Promise<Reply>,
  signal: AbortSignal,
  language: Language,
  afterAbortMs = 500,
): Promise<Reply> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const note = new Promise<Reply>((resolve) => {
    onAbort = () => {
      timer = setTimeout(() => resolve(restartNote(language)), afterAbortMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  return Promise.race([handling, note]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
  });
}
