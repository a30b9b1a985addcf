/**
 * Ping neutralisation for untrusted text (model output, quoted passages, user questions echoed
 * back), every rule in one place. Three strengths, because three places need them:
 * - `neutraliseMarkup`: the sanitiser's, for model output. Slack and Discord mention syntax becomes
 *   the readable label it stood for (`<@U1|bob>` → `@bob`), defused.
 * - `neutraliseMentions`: every renderer's last line of defence, whatever upstream did; the text
 *   reads the same.
 * - `removeMentions`: Discord content, where a raw `<@123>` would show as a ping-looking pill; the
 *   mention is dropped instead.
 * Each inserts a zero-width space so no text can notify a channel, a role or a person.
 */

const ZWSP = "\u200b";

// Broadcast words every chat platform knows in some form (Slack @channel/@here, Discord
// @everyone/@here, Slack user groups' legacy @group). No word boundary after them: Discord
// pings "@everyoneee" too, and breaking a harmless "@groupware" costs nothing.
const BROADCAST = /@(everyone|here|channel|group)/giu;
// Slack special syntax (<!here>, <@U123>, <#C1>, <!subteam^S1>) and Discord's (<@123>, <@&role>,
// <#channel>) all start with one of these after a "<".
const ANGLE_MENTION = /<(?=[@!#])/g;

/** Breaks every mention and broadcast in `text` with a zero-width space; the text reads the same. */
export function neutraliseMentions(text: string): string {
  return text.replace(BROADCAST, `@${ZWSP}$1`).replace(ANGLE_MENTION, `<${ZWSP}`);
}

/** @everyone, @here, @channel and Slack/Discord mention syntax, made inert, labels kept. */
export function neutraliseMarkup(text: string): string {
  return (
    text
      .replace(/<!(channel|here|everyone)(?:\|[^>]*)?>/gi, `@${ZWSP}$1`)
      .replace(/<!subteam\^[^>|]*(?:\|@?([^>]*))?>/gi, (_m, label?: string) => `@${ZWSP}${label || "group"}`)
      .replace(/<!([^>]*)>/g, "$1")
      .replace(/<@[!&]?(\w+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => `@${ZWSP}${label || id}`)
      .replace(/<#(\w+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => `#${ZWSP}${label || id}`)
      // No word boundaries: Discord pings "@everyoneee" and "a@here" too.
      .replace(/@(everyone|here|channel)/gi, `@${ZWSP}$1`)
  );
}

/** Discord user, nickname and role mentions: `<@1>`, `<@!1>`, `<@&1>`. */
const DISCORD_MENTION = /<@[!&]?\d+>/g;
const DISCORD_BROADCAST = /@(everyone|here)/gi;

/** Removes Discord user and role mentions and defuses @everyone/@here with a zero-width space. */
export function removeMentions(text: string): string {
  // Removing one mention can join its neighbours into a new one ("<@<@1>2>"), so repeat until stable.
  let out = text;
  for (;;) {
    const next = out.replace(DISCORD_MENTION, "");
    if (next === out) break;
    out = next;
  }
  return out.replace(DISCORD_BROADCAST, `@${ZWSP}$1`);
}
