/** A 👎 on Discord, through real discord.js against the fake Discord: record id, modal, reason. */
import type { APIMessage } from "discord.js";
import { afterEach, expect, it } from "vitest";
import { fromApi } from "../../src/adapters/discord/http-interactions.js";
import { Bot } from "../../src/core/bot.js";
import { contractRecorder } from "../contract/contract.js";
import { type Harness, startHarness } from "../e2e/discord-harness.js";
import { BOT_USER_ID } from "../fakes/fake-discord.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

it("a 👎 opens a modal for a reason, and both land on the answer's record", async () => {
  const { answerLog, recorder } = contractRecorder();
  const h = await startHarness({ makeBot: (deps) => new Bot({ ...deps, recorder }) });
  harness = h;
  const { data: question } = h.fake.deliverMessage({ content: `<@${BOT_USER_ID}> Who uses KubeVirt?` });
  const answered = (): APIMessage | undefined =>
    h.fake
      .channelMessages(question.id)
      .find((m) => m.author.id === BOT_USER_ID && (m.components ?? []).length > 0);
  await expect.poll(() => answered() !== undefined).toBe(true);
  const answer = answered() as APIMessage;
  const row = answer.components?.[0] as { components: { custom_id: string }[] };
  const downId = row.components[1]?.custom_id ?? "";
  const [record] = await answerLog.list();
  expect(downId).toMatch(new RegExp(`^fb:down:discord:.*#${record?.id}$`));
  expect(downId.length).toBeLessThanOrEqual(100);

  const click = h.fake.buttonInteraction({ custom_id: downId, message: answer });
  h.fake.deliverInteraction(click);
  await expect.poll(() => h.fake.interaction(click.id)?.responseType).toBe(9);
  await expect.poll(async () => (await answerLog.list())[0]?.feedback.map((f) => f.value)).toEqual(["down"]);

  const { message: _message, ...base } = h.fake.buttonInteraction({ custom_id: "unused" });
  const submit = {
    ...base,
    type: 5,
    data: {
      custom_id: `fbr:${record?.id}`,
      components: [
        { type: 1, components: [{ type: 4, custom_id: "reason", value: "Cloudflare is missing" }] },
      ],
    },
  };
  h.fake.deliverInteraction(submit);
  await expect
    .poll(async () => (await answerLog.list())[0]?.feedback)
    .toMatchObject([{ value: "down", reason: "Cloudflare is missing", platform: "discord" }]);
});

it("reads a reason modal's submission from the HTTP interactions endpoint the same way", () => {
  const incoming = fromApi({
    id: "1",
    token: "t",
    type: 5,
    user: { id: "42" },
    channel_id: "7",
    data: {
      custom_id: "fbr:abcdefghijkl",
      components: [{ components: [{ custom_id: "reason", value: "Cloudflare is missing" }] }],
    },
  });
  expect(incoming).toEqual({
    kind: "modal",
    id: "1",
    customId: "fbr:abcdefghijkl",
    userId: "42",
    fields: { reason: "Cloudflare is missing" },
  });
});
