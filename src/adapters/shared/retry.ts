/** Whether a failed outbound call is worth repeating: the network's fault or a 5xx, not a refusal. */
export function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { status?: unknown }).status;
  if (typeof status === "number") return status >= 500;
  const code = (error as { code?: unknown }).code;
  return (
    error.name === "TimeoutError" ||
    error.name === "AbortError" ||
    /fetch failed|network|socket|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR/i.test(
      `${error.message} ${typeof code === "string" ? code : ""}`,
    )
  );
}

export interface RetryOptions {
  /** Wait before each retry; their number is the number of retries. */
  delaysMs: readonly number[];
  transient?: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs an outbound platform call, repeating it after a transient failure: an answer already
 * acknowledged must not be lost to a connection reset under load.
 */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const transient = options.transient ?? isNetworkFailure;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const delay = options.delaysMs[attempt];
      if (delay === undefined || !transient(error)) throw error;
      options.onRetry?.(error, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
