import {
  type Comparison,
  comparisonTitle,
  type Language,
  type ProjectCard,
  type Reply,
  type ReplyPart,
  type Source,
  sessionLabel,
} from "../../core/index.js";
import { LABELS } from "../shared/labels.js";
import { MIN_SPLIT_CHARS, splitMessage } from "../shared/text-split.js";
import { escapeMrkdwn, markdownToMrkdwn, mrkdwnLink, plainText } from "./mrkdwn.js";

/** Slack's documented limits, and one it enforces without documenting. */
export const SLACK_LIMITS = {
  sectionChars: 3_000,
  blocksPerMessage: 50,
  messageTextChars: 40_000,
  /**
   * Slack refuses messages whose blocks hold more than roughly 13,000 characters in total
   * (`msg_blocks_too_long`, bolt-js issue #2509), far below the documented 40,000.
   */
  messageBlockChars: 11_000,
  contextElements: 10,
  fields: 10,
  fieldChars: 2_000,
  headerChars: 150,
  buttonValueChars: 2_000,
} as const;

/** Action ids of the feedback buttons; the button value is the conversation id. */
export const FEEDBACK_ACTIONS = { up: "spotlight_feedback_up", down: "spotlight_feedback_down" } as const;
export const FEEDBACK_BLOCK_ID = "spotlight_feedback";

export interface MrkdwnText {
  type: "mrkdwn";
  text: string;
  verbatim?: boolean;
}
export interface PlainTextObject {
  type: "plain_text";
  text: string;
  emoji?: boolean;
}
export interface SectionBlock {
  type: "section";
  text?: MrkdwnText;
  fields?: MrkdwnText[];
}
export interface ContextBlock {
  type: "context";
  elements: MrkdwnText[];
}
export interface HeaderBlock {
  type: "header";
  text: PlainTextObject;
}
export interface ButtonElement {
  type: "button";
  action_id: string;
  text: PlainTextObject;
  value: string;
  accessibility_label?: string;
}
export interface ActionsBlock {
  type: "actions";
  block_id: string;
  elements: ButtonElement[];
}
/** The Block Kit subset the renderer writes. */
export type SlackBlock = SectionBlock | ContextBlock | HeaderBlock | ActionsBlock;

/** One Slack message: `text` is the notification and accessibility fallback of the blocks. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export interface RenderOptions {
  /** Adds 👍/👎 buttons whose value is this conversation id. */
  feedbackFor?: string;
  /** A line shown above the reply, e.g. the slash command that asked for it (user text: escaped). */
  preface?: string;
}

const labels = LABELS;

// Splitting starts below the section limit; escaping can only grow text (& becomes &amp;), and a
// chunk that still grows past the limit is split again with half the budget.
const FIRST_SPLIT = SLACK_LIMITS.sectionChars - 200;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Markdown as mrkdwn section texts, each within Slack's section limit, code blocks balanced in each. */
export function sectionTexts(markdown: string): string[] {
  const out: string[] = [];
  const visit = (chunk: string, budget: number): void => {
    const mrkdwn = markdownToMrkdwn(chunk);
    if (mrkdwn.length <= SLACK_LIMITS.sectionChars) {
      if (mrkdwn.trim() !== "") out.push(mrkdwn);
      return;
    }
    const smaller = Math.max(MIN_SPLIT_CHARS, Math.floor(budget / 2));
    if (smaller === budget) {
      // Unreachable: at the smallest budget even text of nothing but "&" stays within the limit.
      throw new Error(`cannot fit ${mrkdwn.length} characters of mrkdwn into a section`);
    }
    for (const part of splitMessage(chunk, smaller)) visit(part, smaller);
  };
  for (const chunk of splitMessage(markdown, FIRST_SPLIT)) visit(chunk, FIRST_SPLIT);
  return out;
}

function section(text: string): SectionBlock {
  return { type: "section", text: { type: "mrkdwn", text } };
}

function context(texts: string[]): ContextBlock {
  return { type: "context", elements: texts.map((text) => ({ type: "mrkdwn", text })) };
}

function sourcesBlocks(sources: Source[], language: Language): ContextBlock[] {
  const elements = sources.map((s) => {
    const label = truncate(s.section || s.title, 150);
    return `[${s.n}] ${mrkdwnLink(s.url, label)}`;
  });
  const blocks: ContextBlock[] = [];
  // The first element is the "Sources" label, so the first block holds one source fewer.
  const first = [`*${labels[language].sources}:*`, ...elements];
  for (let i = 0; i < first.length; i += SLACK_LIMITS.contextElements) {
    blocks.push(context(first.slice(i, i + SLACK_LIMITS.contextElements)));
  }
  return blocks;
}

function cardBlocks(card: ProjectCard, language: Language): SlackBlock[] {
  const l = labels[language];
  const blocks: SlackBlock[] = [
    {
      type: "header",
      text: {
        type: "plain_text",
        text: truncate(plainText(card.name), SLACK_LIMITS.headerChars),
        emoji: true,
      },
    },
    ...sectionTexts(card.summary).map(section),
  ];
  if (card.whyItMatters) blocks.push(...sectionTexts(`**${l.why}:** ${card.whyItMatters}`).map(section));
  for (let i = 0; i < card.facts.length; i += SLACK_LIMITS.fields) {
    blocks.push({
      type: "section",
      fields: card.facts.slice(i, i + SLACK_LIMITS.fields).map((f) => ({
        type: "mrkdwn",
        text: truncate(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, SLACK_LIMITS.fieldChars),
      })),
    });
  }
  const links: string[] = [];
  if (card.kubeconSession) {
    links.push(
      `*${sessionLabel(card, language)}:* ${mrkdwnLink(card.kubeconSession.url, card.kubeconSession.title)}`,
    );
  }
  if (card.furtherReading.length > 0) {
    links.push(`*${l.reading}:*`, ...card.furtherReading.map((r) => `• ${mrkdwnLink(r.url, r.title)}`));
  }
  // Links are built as mrkdwn already; pack them into sections by line.
  let current = "";
  for (const line of links) {
    const clipped = truncate(line, SLACK_LIMITS.sectionChars);
    if (current && current.length + 1 + clipped.length > SLACK_LIMITS.sectionChars) {
      blocks.push(section(current));
      current = "";
    }
    current = current ? `${current}\n${clipped}` : clipped;
  }
  if (current) blocks.push(section(current));
  const where = truncate(card.section, 150);
  blocks.push(context([`${l.source}: ${mrkdwnLink(card.articleUrl, where)}`]));
  return blocks;
}

/** A comparison: a header, each project's summary, then one row of fields per fact (A | B). */
function comparisonBlocks(comparison: Comparison, language: Language): SlackBlock[] {
  const [a, b] = comparison.projects;
  const blocks: SlackBlock[] = [
    {
      type: "header",
      text: {
        type: "plain_text",
        text: truncate(plainText(comparisonTitle(comparison, language)), SLACK_LIMITS.headerChars),
        emoji: true,
      },
    },
    ...sectionTexts(`**${a.name}:** ${a.summary}\n**${b.name}:** ${b.summary}`).map(section),
  ];
  const field = (name: string, label: string, value: string): MrkdwnText => ({
    type: "mrkdwn",
    text: truncate(
      `*${escapeMrkdwn(label)} — ${escapeMrkdwn(name)}*\n${escapeMrkdwn(value)}`,
      SLACK_LIMITS.fieldChars,
    ),
  });
  // Two fields a row puts A and B side by side; a section holds at most 10 fields (5 rows).
  const fields = comparison.rows.flatMap((row) => [
    field(a.name, row.label, row.values[0]),
    field(b.name, row.label, row.values[1]),
  ]);
  for (let i = 0; i < fields.length; i += SLACK_LIMITS.fields) {
    blocks.push({ type: "section", fields: fields.slice(i, i + SLACK_LIMITS.fields) });
  }
  return blocks;
}

function partBlocks(part: ReplyPart, language: Language): SlackBlock[] {
  switch (part.type) {
    case "markdown":
      return sectionTexts(part.text).map(section);
    case "card":
      return cardBlocks(part.card, language);
    case "comparison":
      return comparisonBlocks(part.comparison, language);
  }
}

function feedbackBlock(conversationId: string, language: Language): ActionsBlock {
  const l = labels[language];
  return {
    type: "actions",
    block_id: FEEDBACK_BLOCK_ID,
    elements: [
      {
        type: "button",
        action_id: FEEDBACK_ACTIONS.up,
        text: { type: "plain_text", text: "👍", emoji: true },
        value: conversationId,
        accessibility_label: l.helpful,
      },
      {
        type: "button",
        action_id: FEEDBACK_ACTIONS.down,
        text: { type: "plain_text", text: "👎", emoji: true },
        value: conversationId,
        accessibility_label: l.notHelpful,
      },
    ],
  };
}

/** Characters a block contributes to the message total Slack checks. */
function weight(block: SlackBlock): number {
  switch (block.type) {
    case "section":
      return (block.text?.text.length ?? 0) + (block.fields ?? []).reduce((n, f) => n + f.text.length, 0);
    case "context":
      return block.elements.reduce((n, e) => n + e.text.length, 0);
    case "header":
      return block.text.text.length;
    case "actions":
      return block.elements.reduce((n, e) => n + e.text.text.length + e.value.length, 0);
  }
}

function fallbackText(blocks: SlackBlock[], empty: string): string {
  const texts: string[] = [];
  for (const b of blocks) {
    if (b.type === "section") {
      if (b.text) texts.push(b.text.text);
    } else if (b.type === "header") texts.push(escapeMrkdwn(b.text.text));
    else if (b.type === "context") for (const e of b.elements) texts.push(e.text);
  }
  const text = texts.join("\n\n");
  return text.trim() === "" ? empty : text;
}

/** Packs blocks into messages within Slack's block count and total size. */
function pack(blocks: SlackBlock[], empty: string): SlackMessage[] {
  const messages: SlackBlock[][] = [];
  let current: SlackBlock[] = [];
  let size = 0;
  for (const block of blocks) {
    const w = weight(block);
    if (
      current.length > 0 &&
      (current.length + 1 > SLACK_LIMITS.blocksPerMessage || size + w > SLACK_LIMITS.messageBlockChars)
    ) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push(block);
    size += w;
  }
  if (current.length > 0) messages.push(current);
  if (messages.length === 0) messages.push([section(escapeMrkdwn(empty))]);
  return messages.map((b) => ({ text: fallbackText(b, empty), blocks: b }));
}

/**
 * A reply as Slack messages: markdown parts as mrkdwn sections (split, never truncated), project
 * cards as header + fields, comparisons as side-by-side fields, the notice and sources as context, and feedback buttons on the last message.
 * Every message is within Slack's limits, and no text in it can ping anyone.
 */
export function renderReply(reply: Reply, options: RenderOptions = {}): SlackMessage[] {
  const language = reply.language;
  const blocks: SlackBlock[] = [];
  if (options.preface) blocks.push(context([escapeMrkdwn(truncate(options.preface, 300))]));
  for (const part of reply.parts) blocks.push(...partBlocks(part, language));
  if (reply.notice)
    blocks.push(context([`:information_source: ${escapeMrkdwn(truncate(reply.notice, 2_000))}`]));
  if (reply.sources.length > 0) blocks.push(...sourcesBlocks(reply.sources, language));
  if (options.feedbackFor && options.feedbackFor.length <= SLACK_LIMITS.buttonValueChars) {
    blocks.push(feedbackBlock(options.feedbackFor, language));
  }
  return pack(blocks, labels[language].empty);
}

/**
 * The placeholder shown while an answer is written: "Thinking…", then the text so far. Only what
 * fits one message is shown; the final answer replaces it in full.
 */
export function renderProgress(partial: string, language: Language = "en"): SlackMessage {
  if (partial.trim() === "") return thinking[language];
  return progressMessage(partial, language);
}

function progressMessage(partial: string, language: Language): SlackMessage {
  const l = labels[language];
  const blocks: SlackBlock[] = [];
  let size = 0;
  for (const text of partial.trim() ? sectionTexts(partial) : []) {
    if (size + text.length > SLACK_LIMITS.messageBlockChars - 200 || blocks.length >= 40) break;
    blocks.push(section(text));
    size += text.length;
  }
  blocks.push(context([`:hourglass_flowing_sand: ${blocks.length > 0 ? l.writing : l.thinking}`]));
  return { text: fallbackText(blocks, l.thinking), blocks };
}

/** Every slow command's placeholder is the same message: built once per language, never mutated. */
const thinking: Record<Language, SlackMessage> = {
  en: Object.freeze(progressMessage("", "en")),
  zh: Object.freeze(progressMessage("", "zh")),
};
