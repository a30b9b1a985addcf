import { randomUUID } from "node:crypto";
import { createInterface, type Interface } from "node:readline";
import {
  type Bot,
  detectLanguage,
  type FallbackReason,
  parseCommandLine,
  type ReplyEvent,
  TerminalStream,
} from "../../core/index.js";
import type { Adapter, AdapterContext } from "../adapter.js";
import { replyOrRestartNote } from "../shared/restart-note.js";
import { WorkTracker } from "../shared/work-tracker.js";
import {
  markdownToTerminal,
  modelStatusLine,
  renderBody,
  renderFooter,
  renderReply,
  type TerminalStyle,
} from "./render.js";

export interface ChatOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  color: boolean;
  /** Show answers as they stream (a TTY); otherwise print each answer once. */
  stream: boolean;
}

const WELCOME = [
  "Spotlight terminal chat. Ask a question about the projects in the knowledge base, or use a slash command",
  "(/help, /projects, /project kubevirt, /compare capi vcluster, /talks). Follow-ups keep the context.",
  "/new starts a new conversation; /exit or Ctrl-D quits.",
].join("\n");

/** Whether no bold, link or code span is left open in `text`. */
function closed(text: string): boolean {
  const count = (re: RegExp) => (text.match(re) ?? []).length;
  return (
    count(/\*\*/g) % 2 === 0 &&
    count(/`/g) % 2 === 0 &&
    count(/\[/g) === count(/\]/g) &&
    count(/\(/g) === count(/\)/g) &&
    !/[*[]$/.test(text)
  );
}

/** How much of the streamed text can be rendered now: all of it, or up to the last closed word. */
function safeCut(pending: string): number {
  if (closed(pending)) return pending.length;
  for (let at = pending.lastIndexOf(" "); at >= 0; at = pending.lastIndexOf(" ", at - 1)) {
    if (closed(pending.slice(0, at + 1))) return at + 1;
  }
  return 0;
}

/**
 * Prints a streaming reply as it comes: appended text as it arrives, rendered from markdown in
 * pieces cut where no bold, link or code span is open; nothing once it is revised.
 * The model's text is untrusted: it is sanitised as a whole each time, so an escape sequence split
 * across two deltas is removed whole rather than leaking its tail.
 * `shown()` is the text printed; when it is not the final reply's, the caller prints the reply whole.
 */
export function terminalStream(
  output: NodeJS.WritableStream,
  style: TerminalStyle = { color: false },
): {
  onEvent: (event: ReplyEvent) => void;
  /** Prints what is still held back; call once the reply is complete. */
  flush: () => void;
  shown: () => string;
} {
  let raw = "";
  let pending = "";
  let linear = true;
  const terminal = new TerminalStream();
  return {
    onEvent: (event) => {
      if (event.type === "delta" && linear) {
        raw += event.text;
        pending += terminal.next(raw);
        const cut = safeCut(pending);
        if (cut > 0) {
          output.write(markdownToTerminal(pending.slice(0, cut), style));
          pending = pending.slice(cut);
        }
      } else if (event.type === "replace") linear = false;
    },
    flush: () => {
      if (pending) output.write(markdownToTerminal(pending, style));
      pending = "";
    },
    shown: () => raw,
  };
}

/** The terminal chat as an adapter: the same commands and questions as Slack and Discord. */
export class ConsoleAdapter implements Adapter {
  readonly name = "console";
  private readonly work = new WorkTracker();
  private rl: Interface | undefined;
  private finished: Promise<void> = Promise.resolve();

  constructor(private readonly options: ChatOptions) {}

  /** Resolves when the person leaves the chat (/exit, Ctrl-D) or the adapter stops. */
  get closed(): Promise<void> {
    return this.finished;
  }

  async start(context: AdapterContext): Promise<void> {
    const rl = createInterface({
      input: this.options.input,
      output: this.options.output,
      terminal: this.options.stream,
    });
    this.rl = rl;
    const loop = chatLoop(context.bot, rl, this.options, (work) => this.work.add(work), this.work.signal);
    this.finished = loop.finally(() => rl.close());
  }

  async stop(graceMs: number): Promise<void> {
    this.rl?.close();
    await this.work.drain(graceMs);
  }
}

/** Runs a chat until the input ends. */
export async function runChat(bot: Bot, options: ChatOptions): Promise<void> {
  const adapter = new ConsoleAdapter(options);
  await adapter.start({ bot, logger: bot.logger });
  await adapter.closed;
}

async function chatLoop(
  bot: Bot,
  rl: Interface,
  options: ChatOptions,
  track: (work: Promise<void>) => void,
  /** Aborted at the end of the shutdown grace period: the answer in progress ends with the best one ready. */
  signal?: AbortSignal,
): Promise<void> {
  const write = (text: string) => options.output.write(`${text}\n`);
  const style = { color: options.color };
  let conversationId = `console:${randomUUID()}`;
  let modelTrouble: FallbackReason | undefined;
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
    const stream = options.stream ? terminalStream(options.output, style) : undefined;
    const answering = bot.handle(
      command
        ? { ...base, kind: "command", name: command.name, text: command.text }
        : { ...base, kind: "question", text: line },
      { ...(stream ? { onEvent: stream.onEvent } : {}), ...(signal ? { signal } : {}) },
    );
    const handling = signal ? replyOrRestartNote(answering, signal, detectLanguage(line)) : answering;
    track(handling.then(() => undefined));
    const reply = await handling;
    stream?.flush();
    const shown = stream?.shown() ?? "";
    if (shown) {
      options.output.write("\n");
      const footer = renderFooter(reply, style);
      write(shown === reply.text ? footer : `${renderBody(reply, style)}\n\n${footer}`);
    } else {
      write(renderReply(reply, style));
    }
    const status = modelStatusLine(modelTrouble, reply, style);
    modelTrouble = status.state;
    if (status.line) write(status.line);
    write("");
    rl.prompt();
  }
}
