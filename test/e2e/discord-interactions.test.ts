/**
 * Slash commands, autocomplete, deferred answers and feedback buttons through the real discord.js
 * client against the fake Discord.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildCommandPayload } from "../../src/adapters/discord/registration.js";
import { feedbackCustomId } from "../../src/adapters/discord/render.js";
import { messages as coreMessages } from "../../src/core/answer/messages.js";
import { Bot, type Feedback } from "../../src/core/bot.js";
import type { BotRequest, HandleOptions, Reply } from "../../src/core/types.js";
import {
  APP_ID,
  type FakeDiscord,
  GUILD_ID,
  HUMAN_USER_ID,
  type RecordedCall,
  TEXT_CHANNEL_ID,
  THREAD_CHANNEL_ID,
} from "../fakes/fake-discord.js";
import {
  answerWith,
  callsFor,
  expectNoPings,
  gate,
  PING,
  ScriptedAnswerer,
  sentMessage,
  useHarness,
} from "./discord-harness.js";

const start = useHarness();

type Option = { name: string; type: 3; value: string };
const str = (name: string, value: string): Option => ({ name, type: 3, value });

function slash(fake: FakeDiscord, name: string, options: Option[] = [], extra: { channel_id?: string } = {}) {
  return fake.deliverInteraction(fake.chatInputInteraction({ data: { name, options }, ...extra }));
}

/** A recorded call's JSON body, typed for the assertion at hand (empty when the call is missing). */
function bodyOf<T>(call: RecordedCall | undefined): T {
  return (call?.body ?? {}) as T;
}

/** Waits for a condition the adapter's counters report (positive evidence, no sleeping). */
async function until(check: () => boolean, message: string): Promise<void> {
  await expect.poll(check, { timeout: 5000, interval: 10, message }).toBe(true);
}

describe("slash commands", () => {
  it("answers every registered command: fast ones at once, slow ones deferred then edited", async () => {
    const h = await start();
    const { fake, adapter, bot } = h;
    const args: Record<string, Option[]> = {
      ask: [str("question", "Who uses KubeVirt?")],
      project: [str("name", "kubevirt")],
      compare: [str("a", "capi"), str("b", "vcluster")],
    };
    const specs = bot.commands();
    const delivered = specs.map((spec) => ({ spec, ...slash(fake, spec.name, args[spec.name] ?? []) }));
    // A shortcut with a question (an answer focused on the project) besides its card.
    delivered.push({
      spec: specs.find((s) => s.name === "vcluster") ?? (specs[0] as (typeof specs)[0]),
      ...slash(fake, "vcluster", [str("question", "How many GitHub stars does it have?")]),
    });
    await until(() => adapter.stats.commandsAnswered === delivered.length, "every command answered");

    for (const { spec, data } of delivered) {
      const calls = callsFor(fake, data.token);
      const [callback, ...later] = calls;
      expect(callback?.status, spec.name).toBe(204);
      expect(bodyOf<{ type: number }>(callback).type, spec.name).toBe(spec.slow ? 5 : 4);
      if (spec.slow) expect(later[0]?.path).toMatch(/\/messages\/@original$/);
      const state = fake.interaction(data.id);
      const original = fake.getMessage(state?.originalMessageId ?? "");
      expect(original?.content || original?.embeds.length, spec.name).toBeTruthy();
      expect((original?.flags ?? 0) & (1 << 7), `${spec.name} still thinking`).toBe(0);
    }
    const byName = (name: string) => delivered.find((d) => d.spec.name === name)?.data;
    const card = fake.getMessage(fake.interaction(byName("project")?.id ?? "")?.originalMessageId ?? "");
    expect(card?.embeds[0]?.title).toBe("KubeVirt");
    const help = callsFor(fake, byName("help")?.token ?? "")[0];
    expect(bodyOf<{ data: { flags: number } }>(help).data.flags & 64).toBe(64); // ephemeral
    const ask = fake.getMessage(fake.interaction(byName("ask")?.id ?? "")?.originalMessageId ?? "");
    expect(ask?.content).toMatch(/Nvidia/);
    expect(ask?.embeds.map((e) => e.title)).toContain("Sources");
    expect(ask?.components).toHaveLength(1);
    expect(fake.calls.every((c) => c.status < 400)).toBe(true);
  });

  it("keys a command in a thread by the thread, elsewhere by the interaction", async () => {
    const memory: string[] = [];
    const answerer = new ScriptedAnswerer((input) => {
      memory.push(String(input.history.length));
      return { text: "KubeVirt is used by Nvidia.", mode: "llm", sources: [] };
    });
    const h = await start({ answerer });
    for (let i = 0; i < 2; i++)
      slash(h.fake, "ask", [str("question", "Who uses KubeVirt?")], { channel_id: THREAD_CHANNEL_ID });
    await until(() => h.adapter.stats.commandsAnswered === 2, "both answered");
    slash(h.fake, "ask", [str("question", "Who uses KubeVirt?")]);
    await until(() => h.adapter.stats.commandsAnswered === 3, "third answered");
    const threadTurns = await h.memory.get(`discord:${GUILD_ID}:${TEXT_CHANNEL_ID}:${THREAD_CHANNEL_ID}`);
    expect(threadTurns).toHaveLength(2);
    expect(memory.sort()).toEqual(["0", "0", "1"]);
  });

  it("defers a command that is not marked slow when it misses the quick-answer deadline", async () => {
    const release = gate();
    // The core is never this slow for /projects; a subclass makes it so, to reach the fallback.
    class SlowBot extends Bot {
      override async handle(request: BotRequest, options?: HandleOptions): Promise<Reply> {
        await release.promise;
        return super.handle(request, options);
      }
    }
    const h = await start({
      makeBot: (deps) => new SlowBot(deps),
      start: { timing: { fastReplyDeadlineMs: 50 } },
    });
    const { data } = slash(h.fake, "about");
    await until(() => h.fake.interaction(data.id)?.responseType === 5, "deferred");
    release.open();
    await until(() => h.adapter.stats.commandsAnswered === 1, "answered");
    const calls = callsFor(h.fake, data.token);
    expect(calls.map((c) => [c.method, (c.body as { type?: number }).type ?? "edit"])).toEqual([
      ["POST", 5],
      ["PATCH", "edit"],
    ]);
    expect(h.fake.getMessage(h.fake.interaction(data.id)?.originalMessageId ?? "")?.content).toMatch(
      /Spotlight/,
    );
  });
});

describe("streaming answers", () => {
  it("defers within Discord's window, edits the reply as the answer streams, then edits in the final answer", async () => {
    const first = gate();
    const second = gate();
    const answerer = new ScriptedAnswerer(async (input) => {
      input.onProgress?.({ text: "KubeVirt is used" });
      await first.promise;
      input.onProgress?.({ text: "KubeVirt is used by Nvidia and" });
      await second.promise;
      return { text: "KubeVirt is used by Nvidia and Cloudflare. [1]", mode: "llm", sources: [] };
    });
    const h = await start({ answerer });
    const { data } = slash(h.fake, "ask", [str("question", "Who uses KubeVirt?")]);
    const edits = (): string[] =>
      callsFor(h.fake, data.token)
        .filter((c) => c.method === "PATCH")
        .map((c) => String((c.body as { content?: string }).content));
    await until(() => edits().includes("KubeVirt is used"), "first progress edit");
    first.open();
    await until(() => edits().includes("KubeVirt is used by Nvidia and"), "second progress edit");
    second.open();
    await until(() => h.adapter.stats.commandsAnswered === 1, "final answer");

    const calls = callsFor(h.fake, data.token);
    expect(bodyOf<{ type: number }>(calls[0]).type).toBe(5);
    expect(calls[0]?.status).toBe(204);
    expect(edits()).toEqual([
      "KubeVirt is used",
      "KubeVirt is used by Nvidia and",
      "KubeVirt is used by Nvidia and Cloudflare. [1]",
    ]);
    const final = calls.at(-1)?.body as { components: unknown[]; flags: number };
    expect(final.components).toHaveLength(1); // 👍/👎
    expect(final.flags).toBe(0);
  });

  it("edits the reply into a short apology when the answer fails", async () => {
    const answerer = new ScriptedAnswerer(() => {
      throw new Error("model exploded");
    });
    const h = await start({ answerer });
    const { data } = slash(h.fake, "ask", [str("question", "Who uses KubeVirt?")]);
    await until(() => h.adapter.stats.commandsAnswered === 1, "answered");
    const edit = callsFor(h.fake, data.token).at(-1);
    expect(edit?.method).toBe("PATCH");
    expect(bodyOf<{ content: string }>(edit).content).toBe(coreMessages.apology.en);
    expect(JSON.stringify(edit?.body)).not.toMatch(/exploded/);
  });

  it("edits the reply into an apology when Discord refuses the answer", async () => {
    const h = await start();
    h.fake.failNext("PATCH", /\/messages\/@original$/, { status: 500 });
    const { data } = slash(h.fake, "ask", [str("question", "Who uses KubeVirt?")]);
    await until(() => h.adapter.stats.failures === 1, "failure handled");
    await until(
      () => callsFor(h.fake, data.token).filter((c) => c.method === "PATCH").length === 2,
      "apology",
    );
    const [failed, apology] = callsFor(h.fake, data.token).filter((c) => c.method === "PATCH");
    expect(failed?.status).toBe(500);
    expect(apology?.status).toBe(200);
    expect(bodyOf<{ content: string }>(apology).content).toBe(coreMessages.apology.en);
  });

  it("sends a 40,000-character answer as several messages, each within Discord's limits", async () => {
    const line = (i: number) => `Line ${i}: KubeVirt runs VMs <@${i}> @everyone https://kubevirt.io/${i}`;
    const text = ["```yaml", ...Array.from({ length: 100 }, (_, i) => `k${i}: v`), "```"]
      .concat(Array.from({ length: 700 }, (_, i) => line(i)))
      .join("\n")
      .slice(0, 40_000);
    expect(text.length).toBe(40_000);
    const h = await start({ answerer: answerWith(text) });
    const { data } = slash(h.fake, "ask", [str("question", "Who uses KubeVirt?")]);
    await until(() => h.adapter.stats.commandsAnswered === 1, "answered");
    const calls = callsFor(h.fake, data.token);
    expect(calls.every((c) => c.status < 300)).toBe(true);
    const sent = calls.map(sentMessage).filter((m) => m !== undefined);
    expect(sent.length).toBeGreaterThanOrEqual(20);
    const contents = sent.map((m) => String(m.content ?? ""));
    for (const content of contents) expect([...content].length).toBeLessThanOrEqual(2000);
    for (const content of contents) expect((content.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect(contents.join("\n")).toContain("Line 0: KubeVirt runs VMs");
    expect(contents.join("\n")).not.toMatch(PING);
    const withButtons = sent.filter((m) => Array.isArray(m.components) && m.components.length > 0);
    expect(withButtons).toHaveLength(1);
    expect(h.fake.interaction(data.id)?.messageIds.length).toBe(sent.length);
  });
});

describe("autocomplete", () => {
  it("suggests catalog projects within the window, at most 25, without calling the model", async () => {
    const answerer = answerWith("never");
    const h = await start({ answerer });
    const cases: [string, string, string][] = [
      ["project", "name", "kube"],
      ["compare", "second", "vclu"],
      ["project", "name", ""],
      ["vcluster", "question", "how"],
    ];
    const delivered = cases.map(([name, option, value]) =>
      h.fake.deliverInteraction(
        h.fake.autocompleteInteraction({ data: { name }, focused: { name: option, value } }),
      ),
    );
    await until(
      () => delivered.every(({ data }) => h.fake.interaction(data.id)?.responseType === 8),
      "all answered",
    );
    const choices = delivered.map(({ data }) => {
      const [callback] = callsFor(h.fake, data.token);
      expect(callback?.status).toBe(204); // in time: the fake refuses acks after 3 s
      return bodyOf<{ data: { choices: { name: string; value: string }[] } }>(callback).data.choices;
    });
    expect(choices[0]?.map((c) => c.value)).toEqual(expect.arrayContaining(["kubevirt", "kube-green"]));
    expect(choices[1]?.[0]).toEqual({ name: "vCluster", value: "vcluster" });
    expect(choices[2]?.length).toBe(h.bot.kb.projects.length);
    expect(choices[3]).toEqual([]); // a free question is not a project
    for (const list of choices) expect(list?.length).toBeLessThanOrEqual(25);
    expect(answerer.calls).toBe(0);
  });
});

describe("feedback buttons", () => {
  it("records 👍/👎 with the conversation and the rated message, and acknowledges privately", async () => {
    const h = await start();
    const votes: Feedback[] = [];
    h.bot.onFeedback((f) => votes.push(f));
    const { data } = slash(h.fake, "ask", [str("question", "Who uses KubeVirt?")]);
    await until(() => h.adapter.stats.commandsAnswered === 1, "answered");
    const answer = h.fake.getMessage(h.fake.interaction(data.id)?.originalMessageId ?? "");
    const conversation = `discord:${GUILD_ID}:${TEXT_CHANNEL_ID}:${data.id}`;
    const row = answer?.components?.[0] as { components: { custom_id: string }[] } | undefined;
    expect(row?.components.map((b) => b.custom_id)).toEqual([
      feedbackCustomId("up", conversation),
      feedbackCustomId("down", conversation),
    ]);
    const click = h.fake.deliverInteraction(
      h.fake.buttonInteraction({ custom_id: row?.components[1]?.custom_id ?? "", message: answer }),
    );
    await until(() => votes.length === 1, "vote recorded");
    expect(votes[0]).toEqual({
      platform: "discord",
      conversationId: conversation,
      userId: HUMAN_USER_ID,
      messageRef: answer?.id,
      value: "down",
    });
    await until(() => h.fake.interaction(click.data.id)?.responseType === 4, "acknowledged");
    const [ack] = callsFor(h.fake, click.data.token);
    expect(bodyOf<{ data: { flags: number } }>(ack).data.flags & 64).toBe(64);
  });

  it("acknowledges a button it does not know without answering", async () => {
    const h = await start();
    const { data } = h.fake.deliverInteraction(h.fake.buttonInteraction({ custom_id: "something-else" }));
    await until(() => h.fake.interaction(data.id)?.responseType === 6, "acknowledged");
  });
});

describe("exactly one answer", () => {
  it("answers a replayed interaction once, also after a resume that replays it", async () => {
    const h = await start({ fake: { heartbeatIntervalMs: 200 } });
    const { data, seq } = slash(h.fake, "ask", [str("question", "Who uses KubeVirt?")]);
    await until(() => h.adapter.stats.commandsAnswered === 1, "answered");
    h.fake.replay(seq ?? 0);
    h.fake.forceReconnect({ replayFrom: (seq ?? 1) - 1 });
    await h.fake.waitForResumed();
    await until(() => h.adapter.stats.duplicates === 2, "both replays seen and ignored");
    expect(callsFor(h.fake, data.token).filter((c) => c.path.endsWith("/callback"))).toHaveLength(1);
    expect(h.adapter.stats.commandsAnswered).toBe(1);
  });
});

describe("stopping", () => {
  it("lets an answer in progress finish within the grace period, then aborts it into an apology", async () => {
    const release = gate();
    const answerer = new ScriptedAnswerer(async (input) => {
      await Promise.race([
        release.promise,
        new Promise((_, reject) =>
          input.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
        ),
      ]);
      return { text: "KubeVirt is used by Nvidia.", mode: "llm", sources: [] };
    });
    const h = await start({ answerer, start: { shutdownGraceMs: 50 } });
    const { data } = slash(h.fake, "ask", [str("question", "Who uses KubeVirt?")]);
    await until(() => h.fake.interaction(data.id)?.responseType === 5, "deferred");
    await h.adapter.stop();
    const edit = callsFor(h.fake, data.token).at(-1);
    expect(edit?.method).toBe("PATCH");
    expect(bodyOf<{ content: string }>(edit).content).toBe(coreMessages.apology.en);
    expect(h.adapter.gateway?.ready).toBe(false);
  });
});

describe("no pings, ever", () => {
  it("whatever the model writes, nothing the bot sends can ping (property, through discord.js)", async () => {
    let next = "";
    const h = await start({
      answerer: new ScriptedAnswerer(() => ({ text: next, mode: "llm", sources: [] })),
    });
    const hostile = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            "@everyone",
            "@here",
            `<@${HUMAN_USER_ID}>`,
            "<@!1>",
            "<@&2>",
            "<@<@3>4>",
            "@every<@5>one",
          ),
          fc.string({ maxLength: 20 }),
        ),
        { minLength: 1, maxLength: 12 },
      )
      .map((parts) => `KubeVirt ${parts.join(" ")}`);
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        next = text;
        slash(h.fake, "ask", [str("question", "Who uses KubeVirt?")]);
        answered++;
        await until(() => h.adapter.stats.commandsAnswered === answered, "answered");
        expect(expectNoPings(h.fake)).toBeGreaterThan(0);
      }),
      { numRuns: 25 },
    );
  });
});

describe("registration", () => {
  it("registers the core's commands at start, guild-scoped, with typed options and autocomplete", async () => {
    const h = await start({ env: { DISCORD_REGISTER_ON_START: "true", DISCORD_GUILD_ID: GUILD_ID } });
    const [put] = h.fake.callsMatching("PUT", /^\/applications\/\d+\/guilds\/\d+\/commands$/);
    expect(put?.path).toBe(`/applications/${APP_ID}/guilds/${GUILD_ID}/commands`);
    expect(put?.status).toBe(200);
    expect(put?.body).toEqual(buildCommandPayload(h.bot.commands(), { global: false }));
    expect(h.fake.guildCommands().map((c) => c.name)).toEqual(h.bot.commands().map((c) => c.name));
    expect(h.fake.globalCommands).toEqual([]);
  });
});
