import type { ChatModel } from "./chat-model.js";

const MAX_LISTED = 10;

/**
 * Whether the endpoint serves the configured model (GET /v1/models lists it): undefined when it
 * does, else a problem a person can act on. Never throws, and gives up after `timeoutMs`.
 * llama.cpp answers any model name, so this list is the only way to catch a typo in OPENAI_MODEL.
 */
export async function checkModelReady(
  model: ChatModel,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 3000);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const ids = await new Promise<string[]>((resolve, reject) => {
      const onAbort = () => reject(new Error(timeout.aborted ? "timed out" : "cancelled"));
      if (signal.aborted) onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      model.listModels(signal).then(resolve, reject);
    });
    if (ids.includes(model.model)) return undefined;
    const listed = ids.length === 0 ? "none" : ids.slice(0, MAX_LISTED).join(", ");
    return `model "${model.model}" is not listed by the endpoint (it lists: ${listed}); set OPENAI_MODEL to one of them`;
  } catch (error) {
    return `cannot list the endpoint's models: ${error instanceof Error ? error.message : String(error)}`;
  }
}
