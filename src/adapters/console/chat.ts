import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import type { Bot } from "../../core/bot.js";
import { parseCommandLine } from "../../core/bot.js";
import { TerminalStream } from "../../core/terminal-text.js";
import { markdownToTerminal, renderFooter, renderReply } from "./render.js";

export interface ChatOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  color: boolean;
  /** Show answers as they stream (a TTY); otherwise print each answer once. */
  stream: boolean;
}

const WELCOME = [
  "Spotlight terminal chat. Ask a question about the projects in the article, or use a slash command",
  "(/help, /projects, /project kubevirt, /compare capi vcluster, /talks). Follow-ups keep the context.",
  "/new starts a new conversation; /exit or Ctrl-D quits.",
].join("\n");

/** An interactive chat in the terminal: the same commands and questions as Slack and Discord. */
export async function runChat(bot: Bot, options: ChatOptions): Promise<void> {
  const rl = createInterface({ input: options.input, output: options.output, terminal: options.stream });
  const write = (text: string) => options.output.write(`${text}\n`);
  let conversationId = `console:${randomUUID()}`;
  write(WELCOME);
  rl.setPrompt("you> ");
  rl.prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) {
      rl.prompt();
      continue;
    }
    if (line === "/exit" || line === "/quit") break;
    if (line === "/new") {
      conversationId = `console:${randomUUID()}`;
      write("(new conversation)");
      rl.prompt();
      continue;
    }
    const command = parseCommandLine(line);
    const base = { platform: "console" as const, conversationId, userId: "console" };
    let streamed = "";
    const terminal = new TerminalStream();
    const onProgress = options.stream
      ? ({ text }: { text: string }) => {
          // Print only what is new, sanitised; the answer is re-rendered whole at the end if it changed.
          options.output.write(terminal.next(text));
          streamed = text;
        }
      : undefined;
    const reply = await bot.handle(
      command
        ? { ...base, kind: "command", name: command.name, text: command.text }
        : { ...base, kind: "question", text: line },
      onProgress ? { onProgress } : {},
    );
    if (streamed) {
      options.output.write("\n");
      const footer = renderFooter(reply, { color: options.color });
      write(
        reply.text === streamed
          ? footer
          : `${markdownToTerminal(reply.text, { color: options.color })}\n\n${footer}`,
      );
    } else {
      write(renderReply(reply, { color: options.color }));
    }
    write("");
    rl.prompt();
  }
  rl.close();
}
