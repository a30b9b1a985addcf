/** The web playground against a real browser's requests (fetch), through the contract. */
import { WebAdapter } from "../../src/adapters/web/playground.js";
import type { StreamEvent, WebReply } from "../../src/adapters/web/wire.js";
import { Bot, type Feedback } from "../../src/core/bot.js";
import { silentLogger } from "../../src/core/logger.js";
import { HttpServer } from "../../src/http/server.js";
import { loadRepoKb } from "../helpers.js";
import { adapterContract, ContractAnswerer, type ContractSession, contractRecorder } from "./contract.js";

async function startWeb(): Promise<ContractSession> {
  const answerer = new ContractAnswerer();
  const { answerLog, recorder } = contractRecorder();
  const bot = new Bot({ kb: await loadRepoKb(), answerer, recorder });
  const feedback: Feedback[] = [];
  bot.onFeedback((f) => feedback.push(f));
  const http = new HttpServer(silentLogger);
  const adapter = new WebAdapter({ host: "127.0.0.1" });
  await adapter.start({ bot, logger: silentLogger, http });
  const address = await http.listen(0, "127.0.0.1");
  const origin = `http://127.0.0.1:${address.port}`;
  const headers = { "content-type": "application/json", origin, "sec-fetch-site": "same-origin" };
  const progress: string[] = [];
  const replies: WebReply[] = [];
  let conversations = 0;

  /** Posts to the API and reads the NDJSON stream line by line, noting progress as it comes. */
  const stream = async (path: string, body: Record<string, string>): Promise<WebReply> => {
    const res = await fetch(`${origin}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
    const reader = res.body?.getReader();
    if (!reader) throw new Error(`no body from ${path}`);
    const decoder = new TextDecoder();
    let buffered = "";
    let shown = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const event = JSON.parse(buffered.slice(0, newline)) as StreamEvent;
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf("\n");
        if (event.type === "delta" || event.type === "text") {
          shown = event.type === "delta" ? shown + event.text : event.text;
          progress.push(shown);
        } else if (event.type === "reply") {
          replies.push(event.reply);
          return event.reply;
        }
      }
    }
    throw new Error(`${path}: the stream ended without a reply`);
  };
  const visible = (reply: WebReply) => JSON.stringify(reply.parts);

  return {
    answerer,
    feedback,
    answerLog,
    async command(name, text) {
      return visible(
        await stream("/api/command", { name, text, conversation: `contract-${++conversations}` }),
      );
    },
    ask(question) {
      const conversation = `contract-${++conversations}`;
      const reply = stream("/api/ask", { text: question, conversation });
      return { thread: reply.then(() => conversation), done: reply.then(visible) };
    },
    async followUp(thread, question) {
      return visible(await stream("/api/ask", { text: question, conversation: thread }));
    },
    progress: () => [...progress],
    answers: () => replies.length,
    async rateLastAnswer() {
      const last = replies.at(-1);
      await fetch(`${origin}/api/feedback`, {
        method: "POST",
        headers,
        body: JSON.stringify({ replyId: last?.id, value: "up" }),
      });
    },
    idle: async () => {},
    async stop(graceMs) {
      await adapter.stop(graceMs);
      await http.close();
    },
  };
}

adapterContract("web", startWeb, { editsMessages: false, redelivers: false });
