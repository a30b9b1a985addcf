/**
 * The umbrella command (`/spotlight project kubevirt`) against real @slack/bolt in Socket Mode:
 * the bot hears it whichever manifest style the app was created from.
 */
import { afterEach, describe, expect, it } from "vitest";
import { slashCommandPayload } from "../fakes/fake-slack.js";
import { type Harness, startHarness } from "./slack-harness.js";

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(prefix?: string): Promise<Harness> {
  harness = await startHarness({ mode: "socket", ...(prefix ? { prefix } : {}) });
  return harness;
}

const json = (value: unknown) => JSON.stringify(value);

describe("Slack umbrella command", () => {
  it("runs the command its first word names: /spotlight projects", async () => {
    const h = await start();
    await h.fake.sendEnvelope(
      "slash_commands",
      slashCommandPayload({ command: "/spotlight", text: "projects", response_url: h.fake.responseUrl("p") }),
    );
    const [response] = await h.fake.waitForResponses(1);
    expect(json(response?.body)).toContain("KubeVirt");
    expect(json(response?.body)).toContain("vCluster");
  });

  it("takes anything else as a question, answered in a thread: /spotlight who uses KubeVirt?", async () => {
    const h = await start();
    await h.fake.sendEnvelope(
      "slash_commands",
      slashCommandPayload({
        command: "/spotlight",
        text: "who uses KubeVirt?",
        response_url: h.fake.responseUrl("q"),
      }),
    );
    const [update] = await h.fake.waitForCalls("chat.update", 1);
    expect(json(update?.body.blocks)).toContain("Nvidia");
  });

  it("carries the command prefix: /sl-spotlight help", async () => {
    const h = await start("sl");
    await h.fake.sendEnvelope(
      "slash_commands",
      slashCommandPayload({ command: "/sl-spotlight", text: "help", response_url: h.fake.responseUrl("h") }),
    );
    const [response] = await h.fake.waitForResponses(1);
    expect(json(response?.body)).toContain(`"response_type":"ephemeral"`);
  });
});
