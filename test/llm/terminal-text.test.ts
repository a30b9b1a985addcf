import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runChat } from "../../src/adapters/console/chat.js";
import { InMemoryConversationMemory } from "../../src/core/answer/memory.js";
import { Bot } from "../../src/core/bot.js";
import { TerminalStream, terminalText } from "../../src/core/terminal-text.js";
import { harness } from "./helpers.js";

const ESC = "\u001b";
const BEL = "\u0007";
/** What a hostile endpoint streamed at the terminal chat: retitle, clear, recolour, clipboard. */
const HOSTILE = [
  `${ESC}]0;pwned${BEL}`,
  `${ESC}[2J${ESC}[H`,
  `${ESC}[31mKubeVirt ${ESC}[0m`,
  `is used by Nvidia${ESC}]52;c;ZWNobyBoaQ==${ESC}\\ `,
  "\u009b1;1Hand Cloudflare\r [1].",
];

/** Any byte that starts a control sequence or is a control character other than tab and newline. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe("terminalText", () => {
  it.each([
    ["a window title (OSC 0, BEL)", `${ESC}]0;pwned${BEL}hello`, "hello"],
    ["a window title (OSC 2, ST)", `${ESC}]2;pwned${ESC}\\hello`, "hello"],
    ["clearing the screen and homing the cursor", `${ESC}[2J${ESC}[Hhello`, "hello"],
    ["colours", `${ESC}[1;31mred${ESC}[0m text`, "red text"],
    ["the clipboard (OSC 52)", `${ESC}]52;c;ZWNobw==${BEL}hello`, "hello"],
    ["8-bit CSI", "\u009b2Jhello", "hello"],
    ["a reset and a charset switch", `${ESC}c${ESC}(0hello`, "hello"],
    ["a carriage return that would overwrite the line", "safe\rEVIL", "safeEVIL"],
    ["bidirectional overrides", "abc\u202edef", "abcdef"],
  ])("removes %s whole", (_name, input, expected) => {
    expect(terminalText(input)).toBe(expected);
  });

  it("keeps text, tabs, newlines and non-Latin scripts", () => {
    expect(terminalText("KubeVirt\tis used\n由 Nvidia 使用 [1]。")).toBe(
      "KubeVirt\tis used\n由 Nvidia 使用 [1]。",
    );
  });
});

describe("TerminalStream", () => {
  it("removes a sequence split across streamed pieces whole, leaving no debris", () => {
    const stream = new TerminalStream();
    let text = "";
    let out = "";
    for (const piece of ["Hello ", `${ESC}]0;pw`, `ned${BEL}wor`, `ld ${ESC}[3`, "1mred"]) {
      text += piece;
      out += stream.next(text);
    }
    expect(out).toBe("Hello world red");
  });

  it("writes nothing when the text is rewritten rather than extended", () => {
    const stream = new TerminalStream();
    expect(stream.next("draft")).toBe("draft");
    expect(stream.next("another")).toBe("");
  });
});

describe("spotlight chat with a hostile endpoint", () => {
  it("streams the model's text without any control sequence reaching the terminal", async () => {
    const h = await harness();
    h.model.always({ reply: HOSTILE.join(""), chunks: HOSTILE });
    const bot = new Bot({
      kb: h.kb,
      index: h.index,
      answerer: h.answerer,
      memory: new InMemoryConversationMemory(),
    });
    const input = new PassThrough();
    const output = new PassThrough();
    let written = "";
    output.on("data", (d: Buffer) => {
      written += d.toString();
    });
    const chat = runChat(bot, { input, output, color: false, stream: true });
    input.end("Which companies use KubeVirt?\n/exit\n");
    await chat;
    expect(written).toContain("Nvidia");
    expect(written).toContain("Cloudflare");
    // readline redraws its prompt with cursor moves (CSI G, CSI J) and echoes the typed line with
    // CR LF: those are its own; nothing else may remain.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: readline's own sequences
    const own = /\u001b\[\d*[GJ]|\r(?=\n)/g;
    expect(written.replace(own, "")).not.toMatch(CONTROL);
    expect(written).not.toContain("pwned");
    expect(written).not.toContain("]52;");
  });
});
