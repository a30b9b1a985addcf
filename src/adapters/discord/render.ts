import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  type APIEmbedField,
  ButtonStyle,
  ComponentType,
} from "discord.js";
import {
  type Comparison,
  comparisonTitle,
  type Language,
  messages,
  type ProjectCard,
  type Reply,
  type Source,
  sessionLabel,
} from "../../core/index.js";
import { LABELS } from "../shared/labels.js";
import { type FeedbackTarget, parseFeedbackTarget } from "../shared/reply-policy.js";
import { splitMessage } from "../shared/text-split.js";
import { containsUrl, hasUnwrappedUrl, neutralisePings, safeContent } from "./safe-text.js";

/** Discord's message limits, in characters (Discord counts code points; JS lengths never undercount them). */
export const LIMITS = {
  content: 2000,
  embedsPerMessage: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  /** Title, description, field names and values, footer and author of all embeds of one message. */
  embedTotal: 6000,
} as const;

/** One Discord message, platform-ready. Ephemerality is the sender's business, not the renderer's. */
export interface DiscordMessage {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  /** Set when the content holds URLs and the message carries no embeds of its own (no link previews). */
  suppressEmbeds: boolean;
}

export interface RenderOptions {
  /** Adds 👍/👎 buttons whose custom ids carry this conversation id. */
  feedbackFor?: string;
}

const ELLIPSIS = "…";

/** Cuts text to at most `max` characters (an ellipsis included), never inside a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - ELLIPSIS.length;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}${ELLIPSIS}`;
}

/** Joins lines, keeping only the whole lines that fit in `max` characters. */
function clipLines(lines: string[], max: number): string {
  let out = "";
  for (const line of lines) {
    const next = out ? `${out}\n${line}` : line;
    if (next.length > max) return out || clip(line, max);
    out = next;
  }
  return out;
}

/** The characters an embed counts against the 6,000 total. */
export function embedSize(embed: APIEmbed): number {
  let n = (embed.title ?? "").length + (embed.description ?? "").length;
  n += (embed.footer?.text ?? "").length + (embed.author?.name ?? "").length;
  for (const field of embed.fields ?? []) n += field.name.length + field.value.length;
  return n;
}

/** Drops fields from the end, then shortens the description, until the embed fits the total. */
function fitEmbed(embed: APIEmbed): APIEmbed {
  const fitted: APIEmbed = { ...embed, fields: [...(embed.fields ?? [])] };
  while (embedSize(fitted) > LIMITS.embedTotal && (fitted.fields?.length ?? 0) > 0) fitted.fields?.pop();
  const over = embedSize(fitted) - LIMITS.embedTotal;
  if (over > 0 && fitted.description) {
    fitted.description = clip(fitted.description, Math.max(1, fitted.description.length - over));
  }
  if (fitted.fields?.length === 0) delete fitted.fields;
  return fitted;
}

/** A markdown link; text that would break the link syntax is escaped, odd URLs are left as text. */
function link(text: string, url: string): string {
  const label = text.replace(/([[\]\\])/g, "\\$1");
  return isPlainUrl(url) ? `[${label}](${url})` : label;
}

/** An http(s) URL that cannot break markdown or read as a ping. */
function isPlainUrl(url: string): boolean {
  return /^https?:\/\/[^\s()<>]+$/.test(url) && neutralisePings(url) === url;
}

/** A project card as an embed: summary, facts as inline fields, session and reading as links. */
export function cardEmbed(card: ProjectCard, language: Language): APIEmbed {
  const l = LABELS[language];
  const fields: APIEmbedField[] = [];
  const addField = (name: string, value: string, inline = false): void => {
    const n = clip(neutralisePings(name).trim(), LIMITS.fieldName);
    const v = clip(neutralisePings(value).trim(), LIMITS.fieldValue);
    // Discord refuses blank field names and values.
    if (n && v) fields.push({ name: n, value: v, inline });
  };
  for (const fact of card.facts) addField(fact.label, fact.value, true);
  if (card.kubeconSession)
    addField(sessionLabel(card, language), link(card.kubeconSession.title, card.kubeconSession.url));
  if (card.furtherReading.length > 0) {
    const lines = card.furtherReading.map((r) => neutralisePings(`- ${link(clip(r.title, 200), r.url)}`));
    // Whole links only: a link cut in the middle would show as broken markdown.
    addField(l.reading, clipLines(lines, LIMITS.fieldValue));
  }
  const description = [card.summary, card.whyItMatters ? `**${l.why}:** ${card.whyItMatters}` : ""]
    .filter((part) => part.trim())
    .join("\n\n");
  const embed: APIEmbed = {
    footer: { text: clip(neutralisePings(`${l.source}: ${card.section}`), LIMITS.footer) },
  };
  const title = clip(neutralisePings(card.name).trim(), LIMITS.title);
  if (title) embed.title = title;
  const body = clip(neutralisePings(description).trim(), LIMITS.description);
  if (body) embed.description = body;
  if (fields.length > 0) embed.fields = fields.slice(0, LIMITS.fields);
  if (isPlainUrl(card.articleUrl)) embed.url = card.articleUrl;
  return fitEmbed(embed);
}

/** A comparison as an embed: both summaries, then each fact as two inline fields side by side. */
export function comparisonEmbed(comparison: Comparison, language: Language): APIEmbed {
  const [a, b] = comparison.projects;
  const fields: APIEmbedField[] = [];
  for (const row of comparison.rows) {
    for (const [i, project] of [a, b].entries()) {
      const name = clip(neutralisePings(`${row.label} — ${project.name}`).trim(), LIMITS.fieldName);
      const value = clip(neutralisePings(row.values[i] ?? comparison.missing).trim(), LIMITS.fieldValue);
      if (name && value) fields.push({ name, value, inline: true });
    }
  }
  const embed: APIEmbed = {
    title: clip(neutralisePings(comparisonTitle(comparison, language)), LIMITS.title),
    description: clip(
      neutralisePings(`**${a.name}:** ${a.summary}\n**${b.name}:** ${b.summary}`),
      LIMITS.description,
    ),
  };
  // Whole rows only: a row cut in half would show one project's value without the other's.
  const rows = fields.slice(0, LIMITS.fields - (LIMITS.fields % 2));
  if (rows.length > 0) embed.fields = rows;
  return fitEmbed(embed);
}

/** Numbered sources as one embed of links; `[n]` matches the citations in the text. */
export function sourcesEmbed(sources: Source[], language: Language): APIEmbed {
  const lines = sources.map((s) => {
    const label = clip(s.section ? `${s.title} — ${s.section}` : s.title, 200);
    return neutralisePings(`\`[${s.n}]\` ${link(label, s.url)}`);
  });
  return { title: LABELS[language].sources, description: clipLines(lines, LIMITS.description) };
}

/** Groups embeds into messages of at most 10 embeds and 6,000 characters. */
function packEmbeds(embeds: APIEmbed[]): APIEmbed[][] {
  const groups: APIEmbed[][] = [];
  let current: APIEmbed[] = [];
  let size = 0;
  for (const embed of embeds) {
    const n = embedSize(embed);
    if (current.length > 0 && (current.length === LIMITS.embedsPerMessage || size + n > LIMITS.embedTotal)) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(embed);
    size += n;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Custom ids of the feedback buttons: `fb:<up|down>:<conversation id>[#<answer record id>]` (at most
 * 100 characters: snowflakes are at most 20 digits, record ids 12 characters).
 */
const FEEDBACK_ID = /^fb:(up|down):(discord:(?:\d+|dm):\d+:(?:\d+|-)(?:#[A-Za-z0-9_-]{12})?)$/;

export function feedbackCustomId(value: "up" | "down", conversationId: string): string {
  return `fb:${value}:${conversationId}`;
}

/** The vote, conversation and answer record a feedback button carries, or undefined for any other custom id. */
export function parseFeedbackCustomId(
  customId: string,
): ({ value: "up" | "down" } & FeedbackTarget) | undefined {
  const match = FEEDBACK_ID.exec(customId);
  if (!match) return undefined;
  return { value: match[1] as "up" | "down", ...parseFeedbackTarget(match[2] as string) };
}

export function feedbackButtons(conversationId: string): APIActionRowComponent<APIButtonComponent> {
  const button = (value: "up" | "down", emoji: string, label: string): APIButtonComponent => ({
    type: ComponentType.Button,
    style: ButtonStyle.Secondary,
    custom_id: feedbackCustomId(value, conversationId),
    emoji: { name: emoji },
    label,
  });
  return {
    type: ComponentType.ActionRow,
    components: [button("up", "👍", LABELS.en.helpful), button("down", "👎", LABELS.en.notHelpful)],
  };
}

/** The reply's markdown parts and its notice: what goes in message content (cards and comparisons are embeds). */
function contentText(reply: Reply): string {
  const texts = reply.parts.flatMap((p) => (p.type === "markdown" ? [p.text.trim()] : []));
  const notice = reply.notice ? `-# ${reply.notice.replace(/\s+/g, " ").trim()}` : "";
  return [...texts, notice].filter(Boolean).join("\n\n");
}

function message(content: string, embeds: APIEmbed[]): DiscordMessage {
  return { content, embeds, components: [], suppressEmbeds: embeds.length === 0 && containsUrl(content) };
}

/**
 * Whether embeds may join a message with this content. SUPPRESS_EMBEDS would hide them too, so they
 * only join content whose links are all wrapped (a line cut inside a URL can leave one bare).
 */
function canCarryEmbeds(content: string): boolean {
  return !hasUnwrappedUrl(content);
}

/**
 * Reply → Discord messages within every limit: text split at 2,000 characters with balanced code
 * fences, cards and sources as embeds (≤ 10 and ≤ 6,000 characters a message), feedback buttons on
 * the last message. Text is defused (no pings) and its links do not unfurl.
 */
export function renderReply(reply: Reply, options: RenderOptions = {}): DiscordMessage[] {
  const language = reply.language;
  const chunks = splitMessage(safeContent(contentText(reply)), LIMITS.content);
  const embeds = [
    ...reply.parts.flatMap((part) =>
      part.type === "card"
        ? [cardEmbed(part.card, language)]
        : part.type === "comparison"
          ? [comparisonEmbed(part.comparison, language)]
          : [],
    ),
    ...(reply.sources.length > 0 ? [sourcesEmbed(reply.sources, language)] : []),
  ];
  const groups = packEmbeds(embeds);
  const out: DiscordMessage[] = chunks.map((chunk) => message(chunk, []));
  const lastText = out.at(-1);
  const [firstGroup, ...otherGroups] = groups;
  if (lastText && firstGroup && canCarryEmbeds(lastText.content)) {
    Object.assign(lastText, message(lastText.content, firstGroup));
  } else if (firstGroup) out.push(message("", firstGroup));
  for (const group of otherGroups) out.push(message("", group));
  // Discord refuses an empty message; the core never answers with nothing, but a blank answer must not crash.
  if (out.length === 0) out.push(message(ELLIPSIS, []));
  if (options.feedbackFor) (out.at(-1) as DiscordMessage).components = [feedbackButtons(options.feedbackFor)];
  return out;
}

/** A partial answer while it streams: the first 2,000 characters, fences balanced, or undefined if blank. */
export function renderProgress(text: string): DiscordMessage | undefined {
  const chunks = splitMessage(safeContent(text), LIMITS.content - 2);
  const first = chunks[0];
  if (first === undefined) return undefined;
  return message(chunks.length > 1 ? `${first}\n${ELLIPSIS}` : first, []);
}

/** The placeholder of an answer that has not started streaming yet. */
export function renderThinking(language: Language): DiscordMessage {
  return message(LABELS[language].thinking, []);
}

/** The short apology a failed request ends with. */
export function renderApology(language: Language): DiscordMessage {
  return message(messages.apology[language], []);
}

/** A one-line notice (acknowledgements), defused like everything else. */
export function renderNotice(text: string): DiscordMessage {
  return message(safeContent(text), []);
}
