/**
 * Checks shared by the Slack renderer tests: Slack's limits (the fake's validator plus the stricter
 * ones the renderer keeps), balanced code blocks and the absence of anything that could ping.
 */
import { expect } from "vitest";
import { SLACK_LIMITS, type SlackBlock, type SlackMessage } from "../../src/adapters/slack/render.js";
import { validateMessage } from "../fakes/fake-slack.js";

/** Every text a block shows. */
export function blockTexts(block: SlackBlock): string[] {
  switch (block.type) {
    case "section":
      return [...(block.text ? [block.text.text] : []), ...(block.fields ?? []).map((f) => f.text)];
    case "context":
      return block.elements.map((e) => e.text);
    case "header":
      return [block.text.text];
    case "actions":
      return block.elements.map((e) => e.text.text);
  }
}

/** The answer body: section texts in order. */
export function sectionText(messages: SlackMessage[]): string {
  return messages
    .flatMap((m) => m.blocks)
    .flatMap((b) => (b.type === "section" && b.text ? [b.text.text] : []))
    .join("");
}

/** Fails unless `text` is ping-free mrkdwn: every `<` opens a link to http(s), no broadcast word. */
export function expectNoPings(text: string): void {
  expect(text).not.toMatch(/<(?!https?:\/\/)/);
  // Inside a link's URL "@here" is a path, not a broadcast.
  const withoutUrls = text.replace(/<https?:\/\/[^|>]*/g, "<URL");
  expect(withoutUrls).not.toMatch(/@(?:here|channel|everyone|group)(?![\p{L}\p{N}_])/iu);
}

/** Plain text (headers, buttons) is not parsed for links, but must not spell a mention either. */
export function expectNoPlainPings(text: string): void {
  expect(text).not.toMatch(/<[!@#]/);
  expect(text).not.toMatch(/@(?:here|channel|everyone|group)(?![\p{L}\p{N}_])/iu);
}

/** Fails unless the message is within Slack's limits, its sections' code blocks balance and nothing pings. */
export function expectWithinLimits(message: SlackMessage): void {
  expect(validateMessage({ text: message.text, blocks: message.blocks }, true)).toBeUndefined();
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageTextChars);
  const total = message.blocks.flatMap(blockTexts).reduce((n, t) => n + t.length, 0);
  // Slack refuses roughly 13,000 characters of blocks (msg_blocks_too_long).
  expect(total).toBeLessThanOrEqual(12_000);
  for (const block of message.blocks) {
    for (const text of blockTexts(block)) {
      if (block.type === "header" || block.type === "actions") expectNoPlainPings(text);
      else expectNoPings(text);
      expect((text.match(/```/g) ?? []).length % 2).toBe(0);
    }
    if (block.type === "context") expect(block.elements.length).toBeLessThanOrEqual(10);
  }
  expectNoPings(message.text);
}
