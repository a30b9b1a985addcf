/** A block of an article: a paragraph (or a whole list) under its heading path. */
export interface MarkdownBlock {
  headingPath: string[];
  /** The block as plain text: links replaced by their text, list markers kept as "- ". */
  text: string;
  /** URLs of the links in the block, in order. */
  links: string[];
}

const LINK = /\[([^\]]*)\]\((\S+?)(?:\s+"[^"]*")?\)/g;

/** Markdown inline links -> their text; emphasis and code marks dropped. */
export function stripInlineMarkdown(text: string): { text: string; links: string[] } {
  const links: string[] = [];
  const plain = text
    .replace(LINK, (_m, label: string, url: string) => {
      links.push(url);
      return label;
    })
    .replace(/(\*\*|__|`)/g, "")
    .replace(/\s+\n/g, "\n");
  return { text: plain.trim(), links };
}

/**
 * Splits an article body into blocks by heading, then by blank-line separated paragraph.
 * A list stays one block: its items only make sense together ("none of these has a talk").
 */
export function splitMarkdown(body: string): MarkdownBlock[] {
  const blocks: MarkdownBlock[] = [];
  const path: string[] = [];
  let lines: string[] = [];
  const flush = () => {
    const raw = lines.join("\n").trim();
    lines = [];
    if (!raw) return;
    const { text, links } = stripInlineMarkdown(raw.replace(/^>\s?/gm, ""));
    if (text) blocks.push({ headingPath: [...path], text, links });
  };
  for (const line of body.split(/\r?\n/)) {
    const heading = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const level = (heading[1] as string).length;
      path.length = Math.min(path.length, level - 1);
      while (path.length < level - 1) path.push("");
      path.push(stripInlineMarkdown(heading[2] as string).text);
      continue;
    }
    if (line.trim() === "") flush();
    else lines.push(line);
  }
  flush();
  return blocks.map((b) => ({ ...b, headingPath: b.headingPath.filter((h) => h !== "") }));
}

/** Splits front matter (between leading `---` lines) from the body. */
export function splitFrontMatter(source: string): { frontMatter: string; body: string } | undefined {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(source);
  if (!match) return undefined;
  return { frontMatter: match[1] as string, body: match[2] as string };
}
