/**
 * Ping neutralisation for untrusted text (model output, quoted passages, user questions echoed
 * back). Platform neutral: renderers call it as their last line of defence, whatever upstream
 * sanitising did, so no text can notify a channel, a role or a person.
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
