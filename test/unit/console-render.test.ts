import { describe, expect, it } from "vitest";
import { markdownToTerminal, modelStatusLine } from "../../src/adapters/console/render.js";
import { testReply } from "../helpers.js";

const color = { color: true };
const plain = { color: false };

describe("terminal rendering of markdown", () => {
  it("styles bold, links with bold inside, code and lists in one pass: no escape is re-read", () => {
    const out = markdownToTerminal(
      "**KubeVirt**: see [The **talk**](https://sched.co/1td18) and `kubectl`",
      color,
    );
    expect(out).toBe(
      "\u001b[1mKubeVirt\u001b[0m: see The \u001b[1mtalk\u001b[0m <https://sched.co/1td18> and \u001b[36mkubectl\u001b[0m",
    );
    const visible = out
      .split("\u001b")
      .join("")
      .replace(/\[[0-9;]*m/g, "");
    expect(visible).toBe("KubeVirt: see The talk <https://sched.co/1td18> and kubectl");
  });

  it("keeps citations, shows a bare link once, and drops the marks without colour", () => {
    expect(markdownToTerminal("- **Nvidia** [1]\n- [https://a.example](https://a.example)", plain)).toBe(
      "• Nvidia [1]\n• https://a.example",
    );
    expect(markdownToTerminal("## Sources", plain)).toBe("Sources");
  });
});

describe("model status line", () => {
  it("says once that the model is down, and once that it is back", () => {
    const down = testReply({ text: "x", mode: "extractive", fallback: "llm-down" });
    const first = modelStatusLine(undefined, down, plain);
    expect(first.line).toMatch(/^\(the model's server is unreachable/);
    expect(modelStatusLine(first.state, down, plain).line).toBeUndefined();
    const back = modelStatusLine(first.state, testReply({ text: "y", mode: "llm" }), plain);
    expect(back).toEqual({ line: "(the model is back)", state: undefined });
    expect(
      modelStatusLine(undefined, testReply({ text: "z", mode: "extractive" }), plain).line,
    ).toBeUndefined();
  });
});
