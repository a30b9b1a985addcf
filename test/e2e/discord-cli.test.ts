/**
 * `spotlight discord-register` and `spotlight start` against the fake Discord: registration is
 * idempotent and scoped as configured; bad settings fail naming the variable.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildCommandPayload } from "../../src/adapters/discord/registration.js";
import { runCliCaptured } from "../cli-harness.js";
import { APP_ID, FakeDiscord, GUILD_ID } from "../fakes/fake-discord.js";
import { createTestBot } from "../helpers.js";
import { TOKEN } from "./discord-harness.js";

let fake: FakeDiscord;

beforeEach(async () => {
  fake = await new FakeDiscord({ token: TOKEN, allowedPrivilegedIntents: 0 }).start();
});

afterEach(async () => {
  const errors = [...fake.protocolErrors];
  await fake.close();
  expect(errors).toEqual([]);
});

function cli(args: string[], env: Record<string, string>) {
  return runCliCaptured(args, { env: { LOG_LEVEL: "silent", ...env } });
}

const discordEnv = () => ({
  DISCORD_TOKEN: TOKEN,
  DISCORD_APPLICATION_ID: APP_ID,
  DISCORD_API_URL: fake.restUrl,
});

describe("spotlight discord-register", () => {
  it("registers globally without DISCORD_GUILD_ID, idempotently (same commands, same ids)", async () => {
    const bot = await createTestBot();
    const first = await cli(["discord-register"], discordEnv());
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(`^Registered ${bot.commands().length} commands globally: /ask /project`),
    );
    const before = fake.globalCommands.map((c) => [c.name, c.id]);
    const second = await cli(["discord-register"], discordEnv());
    expect(second.code).toBe(0);
    expect(fake.globalCommands.map((c) => [c.name, c.id])).toEqual(before);
    const puts = fake.callsMatching("PUT", /^\/applications\/\d+\/commands$/);
    expect(puts).toHaveLength(2);
    expect(puts[0]?.body).toEqual(buildCommandPayload(bot.commands(), { global: true }));
    expect(puts[1]?.body).toEqual(puts[0]?.body);
    expect(fake.guildCommands()).toEqual([]);
  });

  it("registers in the guild when DISCORD_GUILD_ID is set", async () => {
    const r = await cli(["discord-register"], { ...discordEnv(), DISCORD_GUILD_ID: GUILD_ID });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(`in guild ${GUILD_ID}`);
    expect(fake.guildCommands().map((c) => c.name)).toContain("kubevirt");
    expect(fake.globalCommands).toEqual([]);
  });

  it("prints the payload with --dry-run, needing no token", async () => {
    const r = await cli(["discord-register", "--dry-run"], {});
    expect(r.code).toBe(0);
    const payload = JSON.parse(r.stdout) as { name: string }[];
    expect(payload.map((c) => c.name)).toContain("compare");
    expect(fake.calls).toEqual([]);
  });

  it("names the setting when it is missing, malformed or refused", async () => {
    const missing = await cli(["discord-register"], {});
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/DISCORD_TOKEN/);

    const malformed = await cli(["discord-register"], {
      ...discordEnv(),
      DISCORD_APPLICATION_ID: "not-a-snowflake",
    });
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/DISCORD_APPLICATION_ID: must be the numeric application id/);

    const wrongApp = await cli(["discord-register"], {
      ...discordEnv(),
      DISCORD_APPLICATION_ID: "1180000000000000999",
    });
    expect(wrongApp.code).toBe(1);
    expect(wrongApp.stderr).toMatch(/DISCORD_APPLICATION_ID: is it this bot's application id\?/);

    const wrongToken = `${TOKEN.slice(0, -1)}x`;
    const refused = await cli(["discord-register"], { ...discordEnv(), DISCORD_TOKEN: wrongToken });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/DISCORD_TOKEN: Discord refused the bot token/);
    expect(refused.stderr).not.toContain(wrongToken);
  });
});

describe("spotlight start with Discord", () => {
  it("fails at start naming DISCORD_TOKEN when Discord refuses it", async () => {
    const r = await cli(["start"], { ...discordEnv(), DISCORD_TOKEN: `${TOKEN.slice(0, -1)}y` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DISCORD_TOKEN: Discord refused the bot token/);
  });

  it("fails at start naming DISCORD_MESSAGE_CONTENT when the portal has not enabled the intent", async () => {
    const r = await cli(["start"], { ...discordEnv(), DISCORD_MESSAGE_CONTENT: "true" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DISCORD_MESSAGE_CONTENT: the Message Content intent is not enabled/);
    expect(fake.gatewayConnects).toHaveLength(1); // it asked for the intent, and Discord closed with 4014
  });
});
