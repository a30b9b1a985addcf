// @ts-check
// Reads the playground's streamed answers: newline-delimited JSON, one event per line.

/**
 * @typedef {import("./reply-view.js").WebReply} WebReply
 * @typedef {{ type: "delta"; text: string } | { type: "text"; text: string }
 *   | { type: "reply"; reply: WebReply } | { type: "error"; message: string }} StreamEvent
 */

/**
 * Reads an NDJSON response, one event per line, as lines arrive. Resolves false when the
 * connection broke; errors thrown by `onEvent` (bugs in the page) propagate.
 * @param {ReadableStream<Uint8Array>} body
 * @param {(event: StreamEvent) => void} onEvent
 * @returns {Promise<boolean>}
 */
export async function readEvents(body, onEvent) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    /** @type {ReadableStreamReadResult<Uint8Array>} */
    let chunk;
    try {
      chunk = await reader.read();
    } catch {
      return false;
    }
    buffer += decoder.decode(chunk.value, { stream: !chunk.done });
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim()) onEvent(/** @type {StreamEvent} */ (JSON.parse(line)));
      newline = buffer.indexOf("\n");
    }
    if (chunk.done) break;
  }
  if (buffer.trim()) onEvent(/** @type {StreamEvent} */ (JSON.parse(buffer)));
  return true;
}
