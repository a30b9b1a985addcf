import { parseArgs } from "node:util";
import { terminalStream } from "../../adapters/console/chat.js";
import { renderFooter, renderReply } from "../../adapters/console/render.js";
import { exitCodeFor } from "../../core/errors.js";
import type { Reply } from "../../core/reply.js";
import type { Config } from "../config.js";
import { type CliIo, withRuntime } from "./io.js";

function sourcesJson(reply: Reply) {
  return reply.sources.map((s) => ({
    n: s.n,
    articleId: s.articleId,
    title: s.title,
    section: s.section,
    url: s.url,
    text: s.text,
  }));
}

/** `spotlight ask "<question>" [--json] [--project ID]`: one question, streamed to a terminal. */
export async function ask(args: string[], config: Config, io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: "boolean" }, project: { type: "string" } },
  });
  const question = positionals.join(" ");
  return withRuntime(config, io, async (rt) => {
    const style = { color: Boolean(io.stdout.isTTY) };
    const stream = values.json ? undefined : terminalStream(io.stdout, style);
    const reply = await rt.bot.handle(
      {
        kind: "question",
        platform: "cli",
        conversationId: "cli:ask",
        userId: "cli",
        text: question,
        ...(values.project ? { projectId: values.project } : {}),
      },
      stream ? { onEvent: stream.onEvent } : {},
    );
    if (values.json) {
      const out = {
        question,
        mode: reply.mode ?? "declined",
        answer: reply.text,
        language: reply.language ?? "en",
        ...(reply.fallback ? { fallback: reply.fallback } : {}),
        ...(reply.notice ? { notice: reply.notice } : {}),
        sources: sourcesJson(reply),
      };
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return reply.error ? exitCodeFor(reply.error.code) : 0;
    }
    stream?.flush();
    const streamed = stream?.shown() ?? "";
    if (streamed && streamed === reply.text) {
      io.stdout.write(`\n\n${renderFooter(reply, style)}\n`);
    } else {
      if (streamed) io.stdout.write("\n\n");
      io.stdout.write(`${renderReply(reply, style)}\n`);
    }
    return reply.error ? exitCodeFor(reply.error.code) : 0;
  });
}
