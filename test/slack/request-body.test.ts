import { parse as parseQuery } from "node:querystring";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseForm, parseSlackBody } from "../../src/adapters/slack/request-body.js";
import { InMemoryDeduplicator } from "../../src/core/dedupe.js";
import { FORM_CONTENT_TYPE, formEncode, slashCommandPayload } from "../fakes/fake-slack.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Heap in use once garbage is collected. */
function liveHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** What querystring.parse gives, keeping the first of repeated fields. */
function firstOfEach(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parseQuery(text))) {
    out[key] = (Array.isArray(value) ? value[0] : value) ?? "";
  }
  return out;
}

describe("Slack request bodies", () => {
  it("read forms as querystring.parse does: '+', percent escapes, UTF-8, bare and repeated fields", () => {
    const text = "command=%2Fask&text=who+uses+KubeVirt%3F&zh=%E8%B0%81&bare&empty=&a=1&a=2&&bad=%E0%A4%A";
    expect(parseForm(Buffer.from(text))).toEqual(firstOfEach(text));
    expect(parseForm(Buffer.from(text))).toMatchObject({
      text: "who uses KubeVirt?",
      zh: "谁",
      bare: "",
      a: "1",
    });
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string({ unit: "binary" })), (fields) => {
        const encoded = new URLSearchParams(fields).toString();
        expect(parseForm(Buffer.from(encoded))).toEqual(firstOfEach(encoded));
      }),
    );
  });

  it("read interactivity's JSON payload field and events' JSON", () => {
    const payload = { type: "block_actions", trigger_id: "1.2.abc" };
    expect(
      parseSlackBody(Buffer.from(formEncode({ payload: JSON.stringify(payload) })), FORM_CONTENT_TYPE),
    ).toEqual(payload);
    expect(parseSlackBody(Buffer.from('{"type":"event_callback"}'), "application/json")).toEqual({
      type: "event_callback",
    });
    expect(() => parseSlackBody(Buffer.from("[1]"), "application/json")).toThrow();
  });

  it("keep no request body alive through the values de-duplication and conversations keep", async () => {
    // Each body carries 20 kB of text: if a kept trigger id or channel were a slice of the body's
    // text, the thousand keys below would keep 20 MB alive instead of a few dozen kB.
    const padding = "x".repeat(20_000);
    const dedupe = new InMemoryDeduplicator();
    const conversations = new Map<string, string>();
    const before = liveHeap();
    for (let i = 0; i < 1_000; i++) {
      const form = formEncode(
        slashCommandPayload({
          command: "/ask",
          text: `who uses KubeVirt ${padding}`,
          channel_id: `C${i}`,
          trigger_id: `1712345678.${i}.fakefakefakefake${i}`,
          response_url: `https://hooks.slack.invalid/commands/T1/${i}/abcdefghijklmnop`,
        }),
      );
      const command = parseSlackBody(Buffer.from(form), FORM_CONTENT_TYPE);
      const event = parseSlackBody(
        Buffer.from(JSON.stringify({ event_id: `Ev${i}abcdefghijklmnop`, padding })),
        "application/json",
      );
      await dedupe.claim(`slack:cmd:${command.trigger_id}`, 60_000);
      await dedupe.claim(`slack:event:${event.event_id}`, 60_000);
      conversations.set(
        `slack:${command.team_id}:${command.channel_id}:${command.trigger_id}`,
        String(command.response_url),
      );
    }
    const kept = liveHeap() - before;
    expect(conversations.size).toBe(1_000);
    expect(await dedupe.claim("slack:cmd:1712345678.999.fakefakefakefake999", 60_000)).toBe(false);
    expect(kept).toBeLessThan(4_000_000);
  });
});
