import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/app/config.js";
import { createLogger } from "../../src/app/logging.js";

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (d) => {
    text += String(d);
  });
  return { stream, text: () => text };
}

const SECRETS = {
  SLACK_BOT_TOKEN: "xoxb-1111-2222-secretbot",
  SLACK_APP_TOKEN: "xapp-1-A1-3333-secretapp",
  SLACK_SIGNING_SECRET: "0123456789abcdef0123456789abcdef",
  DISCORD_TOKEN: "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDe.secretdiscordtokenvalue0123456",
  DISCORD_APPLICATION_ID: "123456789012345678",
  // A valid Ed25519 point: start-up refuses keys that are not.
  DISCORD_PUBLIC_KEY: "b7e72dfbd922761cedf270827daf8a6a8148fa29341d35c1febae01bfdeb417b",
  OPENAI_BASE_URL: "http://localai:8080/v1",
  OPENAI_API_KEY: "sk-secret-openai-key",
};

describe("structured logs", () => {
  it("are JSON lines carrying request context", async () => {
    const out = capture();
    const logger = createLogger("info", out.stream);
    logger.child({ requestId: "r1", conversationId: "slack:T:C:1" }).info({ mode: "llm" }, "answered");
    await new Promise((r) => setImmediate(r));
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      requestId: "r1",
      conversationId: "slack:T:C:1",
      mode: "llm",
      msg: "answered",
      service: "spotlight",
    });
  });

  it("never contain tokens or secrets, whichever way they are passed", async () => {
    const out = capture();
    const logger = createLogger("debug", out.stream);
    const config = loadConfig(SECRETS);
    logger.info({ config }, "config");
    logger.info({ slack: config.slack, discord: config.discord, llm: config.llm }, "parts");
    logger.info({ token: SECRETS.DISCORD_TOKEN, apiKey: SECRETS.OPENAI_API_KEY }, "flat");
    logger.info({ req: { headers: { authorization: `Bearer ${SECRETS.SLACK_BOT_TOKEN}` } } }, "headers");
    logger.info({ headers: { authorization: `Bot ${SECRETS.DISCORD_TOKEN}` } }, "headers2");
    await new Promise((r) => setImmediate(r));
    const text = out.text();
    expect(text.split("\n").filter(Boolean)).toHaveLength(5);
    for (const [name, value] of Object.entries(SECRETS)) {
      if (name.endsWith("_URL") || name.endsWith("APPLICATION_ID")) continue;
      expect(text, name).not.toContain(value);
    }
    expect(text).toContain("[redacted]");
  });
});

describe("request logs", () => {
  it("carry the request and conversation ids of every request", async () => {
    const { createTestBot } = await import("../helpers.js");
    const out = capture();
    const bot = await createTestBot({ logger: createLogger("info", out.stream) });
    await bot.handle({
      kind: "command",
      platform: "slack",
      conversationId: "slack:T1:C1:1.2",
      userId: "U1",
      requestId: "Ev1",
      name: "projects",
    });
    await new Promise((r) => setImmediate(r));
    const line = out
      .text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "request handled");
    expect(line).toMatchObject({
      requestId: "Ev1",
      conversationId: "slack:T1:C1:1.2",
      platform: "slack",
      command: "projects",
      outcome: "ok",
    });
  });
});
