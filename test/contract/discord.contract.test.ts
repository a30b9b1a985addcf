/** Discord through real discord.js (gateway and REST) against the fake Discord, through the contract. */
import type { APIMessage } from "discord.js";
import { Bot } from "../../src/core/bot.js";
import { startHarness } from "../e2e/discord-harness.js";
import { BOT_USER_ID, TEXT_CHANNEL_ID } from "../fakes/fake-discord.js";
import {
  adapterContract,
  ContractAnswerer,
  type ContractSession,
  contractRecorder,
  until,
} from "./contract.js";

type Sent = { content?: string; embeds?: unknown[]; components?: unknown[] };

const COMMAND_OPTIONS: Record<string, (text: string) => { name: string; type: 3; value: string }[]> = {
  project: (text) => [{ name: "name", type: 3, value: text }],
  ask: (text) => [{ name: "question", type: 3, value: text }],
  compare: (text) => {
    const [first = "", second = ""] = text.split(/\s+/);
    return [
      { name: "first", type: 3, value: first },
      { name: "second", type: 3, value: second },
    ];
  },
};

async function startDiscordSession(): Promise<ContractSession> {
  const answerer = new ContractAnswerer();
  // Follow-ups in the bot's threads need no mention when it may read message content.
  const { answerLog, recorder } = contractRecorder();
  const h = await startHarness({
    answerer,
    env: { DISCORD_MESSAGE_CONTENT: "true" },
    makeBot: (deps) => new Bot({ ...deps, recorder }),
  });
  const feedback: ContractSession["feedback"] = [];
  h.bot.onFeedback((f) => feedback.push(f));
  const threads = new Set<string>();
  /** Answers carry feedback buttons; a placeholder being edited carries none; nor does the restart note. */
  const finals = (channel: string): APIMessage[] =>
    h.fake
      .channelMessages(channel)
      .filter(
        (m) =>
          m.author.id === BOT_USER_ID &&
          ((m.components ?? []).length > 0 || /restarting/i.test(String(m.content ?? ""))),
      );
  const progressCalls = () =>
    h.fake.calls.filter((c) => {
      if (
        !/^\/channels\/\d+\/messages(\/\d+)?$/.test(c.path) ||
        (c.method !== "POST" && c.method !== "PATCH")
      )
        return false;
      const body = (c.body ?? {}) as Sent;
      return (body.components ?? []).length === 0 && (body.embeds ?? []).length === 0;
    });
  let last: APIMessage | undefined;

  const answerIn = async (thread: string, send: () => void): Promise<string> => {
    threads.add(thread);
    const before = finals(thread).length;
    send();
    await until(() => finals(thread).length > before, `an answer in ${thread}`);
    last = finals(thread).at(-1);
    return JSON.stringify({ content: last?.content, embeds: last?.embeds });
  };

  return {
    answerer,
    feedback,
    answerLog,
    async command(name, text) {
      const options = COMMAND_OPTIONS[name]?.(text) ?? [];
      const before = h.adapter.stats.commandsAnswered;
      const { data } = h.fake.deliverInteraction(h.fake.chatInputInteraction({ data: { name, options } }));
      await until(() => h.adapter.stats.commandsAnswered > before, `/${name} answered`);
      const original = h.fake.getMessage(h.fake.interaction(data.id)?.originalMessageId ?? "");
      return JSON.stringify({ content: original?.content, embeds: original?.embeds });
    },
    ask(question) {
      const { data } = h.fake.deliverMessage({ content: `<@${BOT_USER_ID}> ${question}` });
      // Discord gives a thread started from a message the message's id.
      return { thread: Promise.resolve(data.id), done: answerIn(data.id, () => undefined) };
    },
    followUp: (thread, question) =>
      answerIn(thread, () => {
        h.fake.deliverMessage({ channel_id: thread, content: question });
      }),
    progress: () => progressCalls().map((c) => String((c.body as Sent).content ?? "")),
    answers: () => [...threads].reduce((n, t) => n + finals(t).length, 0),
    async rateLastAnswer() {
      const row = last?.components?.[0] as { components: { custom_id: string }[] } | undefined;
      h.fake.deliverInteraction(
        h.fake.buttonInteraction({ custom_id: row?.components[0]?.custom_id ?? "", message: last }),
      );
    },
    async askTwice(question) {
      // discord.js itself drops a replayed MESSAGE_CREATE for a message it has cached, so the
      // adapter's de-duplication is exercised with a replayed interaction (`/ask`), as after a resume.
      const { seq } = h.fake.deliverInteraction(
        h.fake.chatInputInteraction({
          data: { name: "ask", options: [{ name: "question", type: 3, value: question }] },
        }),
      );
      threads.add(TEXT_CHANNEL_ID);
      h.fake.replay(seq ?? 0);
      await until(() => h.adapter.stats.commandsAnswered + h.adapter.stats.duplicates >= 2, "both handled");
    },
    idle: async () => {},
    async stop(graceMs) {
      await h.adapter.stop(graceMs);
      await h.close();
    },
  };
}

adapterContract("discord", startDiscordSession, { editsMessages: true, redelivers: true });
