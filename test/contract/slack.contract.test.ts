/** Slack through real @slack/bolt in Socket Mode against the fake Slack, through the contract. */
import { FEEDBACK_ACTIONS } from "../../src/adapters/slack/render.js";
import { startHarness } from "../e2e/slack-harness.js";
import {
  appMention,
  blockActionsPayload,
  eventCallback,
  messageEvent,
  type RecordedCall,
  slashCommandPayload,
} from "../fakes/fake-slack.js";
import {
  adapterContract,
  ContractAnswerer,
  type ContractSession,
  contractRecorder,
  until,
} from "./contract.js";

const PROGRESS = ":hourglass_flowing_sand:";
const blocksOf = (call: RecordedCall) => JSON.stringify(call.body.blocks ?? call.body.text ?? "");

async function startSlackSession(): Promise<ContractSession> {
  const answerer = new ContractAnswerer();
  const { answerLog, recorder } = contractRecorder();
  const h = await startHarness({
    mode: "socket",
    answerer,
    adapter: { progressIntervalMs: 20 },
    bot: { recorder },
  });
  const messages = () =>
    h.fake.calls.filter((c) => c.method === "chat.postMessage" || c.method === "chat.update");
  const finals = () => messages().filter((c) => !blocksOf(c).includes(PROGRESS));
  let lastAnswer: { ts: string; thread: string; button?: string } | undefined;

  /** The final message answering in `thread`: a post there, or the edit of the placeholder there. */
  const finalIn = (thread: string, after: number): RecordedCall | undefined => {
    const placeholders = new Set(
      messages()
        .filter(
          (c) =>
            c.method === "chat.postMessage" && c.body.thread_ts === thread && blocksOf(c).includes(PROGRESS),
        )
        .map((c) => String(c.response.ts)),
    );
    return finals()
      .slice(after)
      .find((c) => c.body.thread_ts === thread || placeholders.has(String(c.body.ts)));
  };

  const answerIn = async (thread: string, send: () => Promise<unknown>): Promise<string> => {
    const before = finals().length;
    await send();
    await until(() => finalIn(thread, before) !== undefined, `an answer in thread ${thread}`);
    const call = finalIn(thread, before) as RecordedCall;
    // What the 👍 button carries, as Slack sends it back on a click.
    const blocks = (call.body.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[];
    const button = blocks
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === FEEDBACK_ACTIONS.up)?.value;
    lastAnswer = {
      ts: String(call.response.ts ?? call.body.ts),
      thread,
      ...(button ? { button } : {}),
    };
    return blocksOf(call);
  };

  return {
    answerer,
    feedback: h.feedback,
    answerLog,
    async command(name, text) {
      const before = h.fake.responses.length;
      const beforeFinals = finals().length;
      await h.fake.sendEnvelope(
        "slash_commands",
        slashCommandPayload({ command: `/${name}`, text, response_url: h.fake.responseUrl(name) }),
      );
      // Quick commands answer through the response URL; slow ones (/ask) post in the channel.
      await until(
        () => h.fake.responses.length > before || finals().length > beforeFinals,
        `/${name} answered`,
      );
      const posted = finals().at(-1);
      return h.fake.responses.length > before
        ? JSON.stringify(h.fake.responses.at(-1)?.body)
        : blocksOf(posted as RecordedCall);
    },
    ask(question) {
      const mention = appMention({ text: `<@U_BOT> ${question}` });
      const thread = String(mention.ts);
      const done = answerIn(thread, () => h.fake.sendEnvelope("events_api", eventCallback(mention)));
      return { thread: Promise.resolve(thread), done };
    },
    followUp: (thread, question) =>
      answerIn(thread, () =>
        h.fake.sendEnvelope("events_api", eventCallback(messageEvent({ text: question, thread_ts: thread }))),
      ),
    progress: () =>
      messages()
        .filter((c) => blocksOf(c).includes(PROGRESS))
        .map(blocksOf),
    answers: () => finals().length,
    async rateLastAnswer() {
      await h.fake.sendEnvelope(
        "interactive",
        blockActionsPayload({
          action_id: FEEDBACK_ACTIONS.up,
          value: lastAnswer?.button ?? "",
          message_ts: lastAnswer?.ts ?? "",
          response_url: h.fake.responseUrl("thanks"),
        }),
      );
    },
    async askTwice(question) {
      const body = eventCallback(appMention({ text: `<@U_BOT> ${question}` }));
      await h.fake.sendEnvelope("events_api", body);
      await h.fake.sendEnvelope("events_api", body, { retryAttempt: 1, retryReason: "timeout" });
    },
    idle: () => h.adapter.idle(),
    async stop(graceMs) {
      await h.adapter.stop(graceMs);
      await h.stop();
    },
  };
}

adapterContract("slack", startSlackSession, { editsMessages: true, redelivers: true });
