/** The terminal chat, typed into and read from as a terminal would, through the contract. */
import { PassThrough } from "node:stream";
import { ConsoleAdapter } from "../../src/adapters/console/chat.js";
import { Bot, type Feedback } from "../../src/core/bot.js";
import { silentLogger } from "../../src/core/logger.js";
import { loadRepoKb } from "../helpers.js";
import {
  adapterContract,
  ContractAnswerer,
  type ContractSession,
  contractRecorder,
  until,
} from "./contract.js";

async function startConsole(): Promise<ContractSession> {
  const answerer = new ContractAnswerer();
  const { answerLog, recorder } = contractRecorder();
  const bot = new Bot({ kb: await loadRepoKb(), answerer, recorder });
  const feedback: Feedback[] = [];
  bot.onFeedback((f) => feedback.push(f));
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk: Buffer) => {
    // Cursor movements readline writes around the prompt are not text a person reads.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing escape sequences is the point
    printed += chunk.toString("utf8").replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
  });
  const adapter = new ConsoleAdapter({ input, output, color: false, stream: true });
  await adapter.start({ bot, logger: silentLogger });
  let answered = 0;
  let turnStart = 0;

  /** Types a line; resolves with what was printed for it, up to the next prompt. */
  const type = async (line: string): Promise<string> => {
    await until(() => printed.endsWith("you> "), "prompt shown");
    turnStart = printed.length;
    input.write(`${line}\n`);
    await until(() => printed.length > turnStart && printed.endsWith("you> "), `answer to ${line}`);
    answered++;
    return printed.slice(turnStart);
  };

  return {
    answerer,
    feedback,
    answerLog,
    command: (name, text) => type(`/${name} ${text}`),
    ask(question) {
      const done = type(question);
      // The terminal is one conversation: follow-ups need no thread.
      return { thread: done.then(() => "terminal"), done };
    },
    followUp: (_thread, question) => type(question),
    progress: () => (printed.length > turnStart ? [printed.slice(turnStart)] : []),
    answers: () => answered,
    idle: async () => {},
    async stop(graceMs) {
      await adapter.stop(graceMs);
    },
  };
}

adapterContract("console", startConsole, { editsMessages: false, redelivers: false });
