import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers.js";

// The page's own parser (public/markdown.js, plain JS served as is), loaded as the browser does.
type Inline =
  | { type: "text"; text: string }
  | { type: "strong" | "em"; children: Inline[] }
  | { type: "code"; text: string }
  | { type: "link"; href: string; children: Inline[] }
  | { type: "cite"; n: number }
  | { type: "br" };
type Block =
  | { type: "paragraph"; children: Inline[] }
  | { type: "list"; items: Inline[][] }
  | { type: "code"; text: string };
interface MarkdownModule {
  parseMarkdown(text: string): Block[];
  parseInline(text: string): Inline[];
  safeHref(raw: string): string | undefined;
}
const md = (await import(pathToFileURL(path.join(repoRoot, "public", "markdown.js")).href)) as MarkdownModule;

function inlines(blocks: Block[]): Inline[] {
  const out: Inline[] = [];
  const visit = (nodes: Inline[]) => {
    for (const node of nodes) {
      out.push(node);
      if ("children" in node) visit(node.children);
    }
  };
  for (const block of blocks) {
    if (block.type === "paragraph") visit(block.children);
    if (block.type === "list") for (const item of block.items) visit(item);
  }
  return out;
}

/** The text a block renders, as textContent would read it. */
function textOf(nodes: Inline[]): string {
  return nodes
    .map((n) =>
      n.type === "text" || n.type === "code"
        ? n.text
        : n.type === "cite"
          ? `[${n.n}]`
          : n.type === "br"
            ? "\n"
            : textOf(n.children),
    )
    .join("");
}

describe("playground markdown", () => {
  it("keeps HTML as text", () => {
    for (const hostile of [
      "<script>window.__pwned = 1</script>",
      '<img src=x onerror="alert(1)">',
      "<a href='javascript:alert(1)'>x</a>",
      "&lt;b&gt; &amp; <!-- comment -->",
    ]) {
      expect(md.parseMarkdown(hostile)).toEqual([
        { type: "paragraph", children: [{ type: "text", text: hostile }] },
      ]);
    }
  });

  it("links only to absolute http(s) URLs without credentials", () => {
    expect(md.safeHref("https://sched.co/1td18")).toBe("https://sched.co/1td18");
    expect(md.safeHref("http://example.com/a?b=c")).toBe("http://example.com/a?b=c");
    for (const bad of [
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      " javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox",
      "//evil.example/x",
      "/relative",
      "https://user:pass@evil.example/",
    ]) {
      expect(md.safeHref(bad), bad).toBeUndefined();
    }
    expect(md.parseInline("[click](javascript:alert(1))")).toEqual([{ type: "text", text: "click" }]);
    expect(md.parseInline("[talk](https://sched.co/1td18)")).toEqual([
      { type: "link", href: "https://sched.co/1td18", children: [{ type: "text", text: "talk" }] },
    ]);
    expect(md.parseInline("[Kine](https://en.wikipedia.org/wiki/Kine_(software))")).toEqual([
      {
        type: "link",
        href: "https://en.wikipedia.org/wiki/Kine_(software)",
        children: [{ type: "text", text: "Kine" }],
      },
    ]);
  });

  it("turns [n] into citations and leaves other brackets alone", () => {
    expect(md.parseInline("Nvidia [1][2] and (link removed) [x]")).toEqual([
      { type: "text", text: "Nvidia " },
      { type: "cite", n: 1 },
      { type: "cite", n: 2 },
      { type: "text", text: " and (link removed) [x]" },
    ]);
  });

  it("links bare URLs without their trailing punctuation, also in Chinese text", () => {
    expect(md.parseInline("See https://sched.co/1td18.")).toEqual([
      { type: "text", text: "See " },
      {
        type: "link",
        href: "https://sched.co/1td18",
        children: [{ type: "text", text: "https://sched.co/1td18" }],
      },
      { type: "text", text: "." },
    ]);
    expect(md.parseInline("见https://cncf.io/。然后")).toEqual([
      { type: "text", text: "见" },
      { type: "link", href: "https://cncf.io/", children: [{ type: "text", text: "https://cncf.io/" }] },
      { type: "text", text: "。然后" },
    ]);
  });

  it("parses the markdown the bot writes: bold, emphasis, code, lists, paragraphs", () => {
    const blocks = md.parseMarkdown(
      "**KubeVirt**\nThe most popular.\n\n- **Users:** Nvidia\n- `/kubevirt`\n\n_Source: 2. KubeVirt_",
    );
    expect(blocks.map((b) => b.type)).toEqual(["paragraph", "list", "paragraph"]);
    expect(blocks[0]).toEqual({
      type: "paragraph",
      children: [
        { type: "strong", children: [{ type: "text", text: "KubeVirt" }] },
        { type: "br" },
        { type: "text", text: "The most popular." },
      ],
    });
    expect(blocks[1]).toEqual({
      type: "list",
      items: [
        [
          { type: "strong", children: [{ type: "text", text: "Users:" }] },
          { type: "text", text: " Nvidia" },
        ],
        [{ type: "code", text: "/kubevirt" }],
      ],
    });
    expect(blocks[2]).toEqual({
      type: "paragraph",
      children: [{ type: "em", children: [{ type: "text", text: "Source: 2. KubeVirt" }] }],
    });
    expect(md.parseInline("snake_case_name stays")).toEqual([
      { type: "text", text: "snake_case_name stays" },
    ]);
  });

  it("shows half-written markup (a streaming answer) as text", () => {
    expect(md.parseInline("**Nvid")).toEqual([{ type: "text", text: "**Nvid" }]);
    expect(md.parseInline("[the talk](https://sch")).toEqual([
      { type: "text", text: "[the talk](" },
      { type: "link", href: "https://sch/", children: [{ type: "text", text: "https://sch" }] },
    ]);
    expect(md.parseMarkdown("```\n<b>x</b>")).toEqual([{ type: "code", text: "<b>x</b>" }]);
  });

  it("never links anything but http(s), whatever the input", () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(..."ab [](){}*_`:/\\<>\"'.-1\n#", "https://", "javascript:", "data:", "**"),
        }),
        (text) => {
          for (const node of inlines(md.parseMarkdown(text))) {
            if (node.type === "link") expect(node.href).toMatch(/^https?:\/\//);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("loses no words, only markup, when there are no link targets or code fences to drop", () => {
    const LIST_MARKER = /^[ \t]{0,3}(?:[-*•]|\d{1,3}[.)])[ \t]+/gm;
    const letters = (s: string) => s.replace(/[^ab1]/g, "");
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(..."ab *_:/<>\"'.-1\n#\t", "https://", "**") }),
        (text) => {
          const rendered = md
            .parseMarkdown(text)
            .map((b) =>
              b.type === "code"
                ? b.text
                : b.type === "list"
                  ? b.items.map(textOf).join("\n")
                  : textOf(b.children),
            )
            .join("\n");
          expect(letters(rendered)).toBe(letters(text.replace(LIST_MARKER, "")));
        },
      ),
      { numRuns: 300 },
    );
  });
});
