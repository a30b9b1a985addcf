/** A 👎 on Slack, through real @slack/bolt in Socket Mode against the fake Slack: record id and reason. */
import { afterEach, expect, it } from "vitest";
import { REASON_CALLBACK_ID } from "../../src/adapters/slack/feedback-reason.js";
import { FEEDBACK_ACTIONS } from "../../src/adapters/slack/render.js";
import { contractRecorder } from "../contract/contract.js";
import { type Harness, startHarness } from "../e2e/slack-harness.js";
import { appMention, blockActionsPayload, eventCallback } from "../fakes/fake-slack.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

it("a 👎 opens a modal for a reason, and both land on the answer's record", async () => {
  const { answerLog, recorder } = contractRecorder();
  const h = await startHarness({ mode: "socket", bot: { recorder } });
  harness = h;
  const mention = appMention({ text: "<@U_BOT> Who uses KubeVirt?", channel: "C42" });
  await h.fake.sendEnvelope("events_api", eventCallback(mention));
  const [post] = await h.fake.waitForCalls("chat.postMessage", 1);
  const blocks = (post?.body.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[];
  const down = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === FEEDBACK_ACTIONS.down);
  const [record] = await answerLog.list();
  expect(down?.value).toBe(`slack:T1:C42:${String(mention.ts)}#${record?.id}`);

  await h.fake.sendEnvelope(
    "interactive",
    blockActionsPayload({
      action_id: FEEDBACK_ACTIONS.down,
      value: down?.value ?? "",
      channel_id: "C42",
      message_ts: String(post?.response.ts),
      user_id: "U_RATER",
    }),
  );
  const [opened] = await h.fake.waitForCalls("views.open", 1);
  const raw = opened?.body.view;
  const view = (typeof raw === "string" ? JSON.parse(raw) : raw) as {
    callback_id: string;
    private_metadata: string;
  };
  expect(view).toMatchObject({ callback_id: REASON_CALLBACK_ID, private_metadata: record?.id });

  await h.fake.sendEnvelope("interactive", {
    type: "view_submission",
    team: { id: "T1", domain: "fake-team" },
    user: { id: "U_RATER", username: "alice", name: "alice", team_id: "T1" },
    api_app_id: "A1",
    token: "fake-verification-token",
    trigger_id: "1.1.fake",
    view: {
      id: "V1",
      type: "modal",
      callback_id: REASON_CALLBACK_ID,
      private_metadata: view.private_metadata,
      state: {
        values: { reason: { reason_text: { type: "plain_text_input", value: "It missed Cloudflare" } } },
      },
    },
  });
  await h.adapter.idle();
  await expect
    .poll(async () => (await answerLog.list())[0]?.feedback)
    .toMatchObject([{ value: "down", reason: "It missed Cloudflare", platform: "slack" }]);
  // The rater is kept only as a salted hash.
  expect(JSON.stringify(await answerLog.list())).not.toContain("U_RATER");
});
