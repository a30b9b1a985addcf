/**
 * SIGTERM mid-answer on Slack: an answer that cannot finish even when cut at the end of the grace
 * period (a model that ignores cancellation) leaves "restarting, please ask again" over its
 * placeholder instead of "Thinking…" forever. The event was acked: Slack will not send it again.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Answerer } from "../../src/core/answer/answerer.js";
import { type Harness, SIGNING_SECRET, startHarness } from "../e2e/slack-harness.js";
import { FORM_CONTENT_TYPE, formEncode, postSigned, slashCommandPayload } from "../fakes/fake-slack.js";

/** A model that never answers and ignores the abort. */
const stuck: Answerer = {
  answer: () => new Promise(() => {}),
};

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.fake.close();
  await harness?.http?.close();
  harness = undefined;
});

describe("an answer still running when the process stops", () => {
  it("leaves the restart note over its placeholder", async () => {
    harness = await startHarness({ mode: "http", answerer: stuck, adapter: { stopGraceMs: 200 } });
    const h = harness;
    const res = await postSigned(
      h.endpoint as string,
      SIGNING_SECRET,
      formEncode(
        slashCommandPayload({
          command: "/ask",
          text: "Who uses KubeVirt?",
          response_url: h.fake.responseUrl("r"),
        }),
      ),
      FORM_CONTENT_TYPE,
    );
    expect(res.status).toBe(200);
    const [placeholder] = await h.fake.waitForCalls("chat.postMessage", 1);
    expect(JSON.stringify(placeholder?.body)).toMatch(/Thinking/);
    await h.adapter.stop(200);
    const updates = h.fake.callsTo("chat.update");
    expect(JSON.stringify(updates.at(-1)?.body)).toMatch(/restarting/i);
    const shown = [...h.fake.messages.values()].filter((m) => !m.deleted);
    expect(shown).toHaveLength(1);
    expect(JSON.stringify(shown[0]?.blocks ?? shown[0]?.text)).not.toMatch(/Thinking|hourglass/);
  });
});
