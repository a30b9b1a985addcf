import { describe, expect, it } from "vitest";
import { ConfigError, hasPlatform, loadConfig } from "../../src/app/config.js";

const SLACK_BOT = "xoxb-1234-5678-abcdef";
const SLACK_APP = "xapp-1-A1-123-abcdef";
const DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDe.abcdefghijklmnopqrstuvwxyz012345";

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("has working defaults with nothing set (no tokens needed)", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.llm).toBeUndefined();
    expect(hasPlatform(config)).toBe(false);
    expect(config.dataDir).toMatch(/data$/);
  });

  it("treats blank variables as unset", () => {
    expect(loadConfig({ OPENAI_BASE_URL: " ", SLACK_BOT_TOKEN: "" }).llm).toBeUndefined();
  });

  it("names each bad variable and what it expects", () => {
    const p = problems({ PORT: "eighty", OPENAI_BASE_URL: "localai:8080", LOG_LEVEL: "loud" });
    expect(p.find((x) => x.startsWith("PORT:"))).toMatch(/number/);
    expect(p.find((x) => x.startsWith("OPENAI_BASE_URL:"))).toMatch(/http\(s\) URL/);
    expect(p.find((x) => x.startsWith("LOG_LEVEL:"))).toBeTruthy();
  });

  it("validates Slack credentials and picks the connection mode", () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: SLACK_BOT, SLACK_APP_TOKEN: SLACK_APP }).slack?.mode).toBe("socket");
    expect(
      loadConfig({ SLACK_BOT_TOKEN: SLACK_BOT, SLACK_SIGNING_SECRET: "0123456789abcdef0123456789abcdef" })
        .slack?.mode,
    ).toBe("http");
    expect(problems({ SLACK_BOT_TOKEN: "xoxp-user-token", SLACK_APP_TOKEN: SLACK_APP })[0]).toMatch(
      /^SLACK_BOT_TOKEN: .*xoxb-/,
    );
    expect(problems({ SLACK_BOT_TOKEN: SLACK_BOT })[0]).toMatch(/SLACK_APP_TOKEN or SLACK_SIGNING_SECRET/);
    expect(problems({ SLACK_APP_TOKEN: SLACK_APP })[0]).toMatch(/^SLACK_BOT_TOKEN: is required/);
  });

  it("validates Discord settings", () => {
    const ok = loadConfig({ DISCORD_TOKEN, DISCORD_APPLICATION_ID: "123456789012345678" });
    expect(ok.discord?.applicationId).toBe("123456789012345678");
    expect(problems({ DISCORD_TOKEN })[0]).toMatch(/^DISCORD_APPLICATION_ID: is required/);
    expect(
      problems({ DISCORD_TOKEN: "not-a-token", DISCORD_APPLICATION_ID: "123456789012345678" })[0],
    ).toMatch(/^DISCORD_TOKEN:/);
    expect(problems({ DISCORD_PUBLIC_KEY: "abc", DISCORD_APPLICATION_ID: "123456789012345678" })[0]).toMatch(
      /^DISCORD_PUBLIC_KEY: .*64 hex/,
    );
  });

  it("turns the LLM path on with OPENAI_BASE_URL and validates its numbers", () => {
    const config = loadConfig({
      OPENAI_BASE_URL: "http://localai:8080/v1",
      OPENAI_MODEL: "phi-3",
      LLM_TEMPERATURE: "0.5",
    });
    expect(config.llm).toMatchObject({ baseURL: "http://localai:8080/v1", model: "phi-3", temperature: 0.5 });
    expect(config.llm?.apiKey).toBeUndefined();
    expect(problems({ OPENAI_BASE_URL: "http://x/v1", LLM_TEMPERATURE: "hot" })[0]).toMatch(
      /^LLM_TEMPERATURE:/,
    );
    expect(problems({ OPENAI_API_KEY: "sk-123" })[0]).toMatch(/OPENAI_BASE_URL/);
  });

  it("never puts a secret's value in its error message", () => {
    const secret = "xoxp-very-secret-value";
    const p = problems({ SLACK_BOT_TOKEN: secret, SLACK_APP_TOKEN: SLACK_APP });
    expect(p.join("\n")).not.toContain(secret);
  });
});
