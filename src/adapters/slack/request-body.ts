import { unescape as unescapeQuery } from "node:querystring";

/** A Slack request's parsed body: a slash command's form fields, or an event's or action's JSON. */
export type SlackBody = Record<string, unknown>;

const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const PLUS = /\+/g;

/**
 * One form component, decoded into a string of its own. Read from the bytes rather than cut from
 * the body's text: V8 cuts a substring as a slice that keeps its whole parent alive, and the
 * trigger id or channel a de-duplication key, a rate limit or a conversation's memory keeps for
 * hours would then keep the whole request body with it.
 */
function component(raw: Buffer, start: number, end: number): string {
  const text = raw.toString("utf8", start, end);
  if (text.indexOf("%") === -1 && text.indexOf("+") === -1) return text;
  return unescapeQuery(text.replace(PLUS, " "));
}

/**
 * An `application/x-www-form-urlencoded` body as querystring.parse reads it ('+' is a space,
 * percent escapes are UTF-8, a field without '=' is empty), keeping the first of repeated fields.
 */
export function parseForm(raw: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf(AMPERSAND, start);
    if (end === -1) end = raw.length;
    if (end > start) {
      let eq = raw.indexOf(EQUALS, start);
      if (eq === -1 || eq > end) eq = end;
      const key = component(raw, start, eq);
      // "__proto__" would set the object's prototype; Slack never sends it.
      if (key !== "__proto__" && !Object.hasOwn(out, key)) {
        out[key] = eq < end ? component(raw, eq + 1, end) : "";
      }
    }
    start = end + 1;
  }
  return out;
}

/** Slash commands and interactivity arrive as forms (interactivity as one JSON `payload` field), events as JSON. */
export function parseSlackBody(raw: Buffer, contentType: string): SlackBody {
  if (contentType.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded") {
    const form = parseForm(raw);
    if (typeof form.payload === "string") return JSON.parse(form.payload) as SlackBody;
    return form;
  }
  // JSON.parse copies every string it makes, so nothing it returns keeps the body's text alive.
  const parsed: unknown = JSON.parse(raw.toString("utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Error("not an object");
  return parsed as SlackBody;
}
