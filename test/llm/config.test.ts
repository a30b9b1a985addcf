import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/app/config.js";

const BASE = { OPENAI_BASE_URL: "http://localai:8080/v1" };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("LLM configuration", () => {
  it("has no model without OPENAI_BASE_URL (blank counts as unset)", () => {
    expect(loadConfig({}).llm).toBeUndefined();
    expect(loadConfig({ OPENAI_BASE_URL: "  " }).llm).toBeUndefined();
  });

  it("turns the LLM path on with OPENAI_BASE_URL and fills the defaults", () => {
    expect(loadConfig(BASE).llm).toEqual({
      baseURL: "http://localai:8080/v1",
      model: "gpt-4o-mini",
      timeoutMs: 60_000,
      firstTokenTimeoutMs: 30_000,
      maxTokens: 512,
      temperature: 0.2,
      contextTokens: 4096,
      maxConcurrency: 2,
      queueSize: 16,
      stream: true,
    });
  });

  it("reads every variable", () => {
    const llm = loadConfig({
      ...BASE,
      OPENAI_API_KEY: "sk-local",
      OPENAI_MODEL: "llama-3.2-1b-instruct",
      LLM_TIMEOUT_MS: "20000",
      LLM_FIRST_TOKEN_TIMEOUT_MS: "5000",
      LLM_MAX_TOKENS: "300",
      LLM_TEMPERATURE: "0",
      LLM_CONTEXT_TOKENS: "2048",
      LLM_MAX_CONCURRENCY: "1",
      LLM_QUEUE_SIZE: "0",
      LLM_STREAM: "false",
    }).llm;
    expect(llm).toMatchObject({
      apiKey: "sk-local",
      model: "llama-3.2-1b-instruct",
      timeoutMs: 20_000,
      firstTokenTimeoutMs: 5000,
      maxTokens: 300,
      temperature: 0,
      contextTokens: 2048,
      maxConcurrency: 1,
      queueSize: 0,
      stream: false,
    });
  });

  it("never waits longer for the first token than for the whole answer", () => {
    const llm = loadConfig({ ...BASE, LLM_TIMEOUT_MS: "2000", LLM_FIRST_TOKEN_TIMEOUT_MS: "9000" }).llm;
    expect(llm?.firstTokenTimeoutMs).toBe(2000);
  });

  it.each([
    ["OPENAI_BASE_URL", "localai:8080/v1"],
    ["OPENAI_BASE_URL", "ftp://localai/v1"],
    ["LLM_TIMEOUT_MS", "soon"],
    ["LLM_TIMEOUT_MS", "10"],
    ["LLM_FIRST_TOKEN_TIMEOUT_MS", "1.5"],
    ["LLM_MAX_TOKENS", "0"],
    ["LLM_MAX_TOKENS", "1000000"],
    ["LLM_TEMPERATURE", "3"],
    ["LLM_TEMPERATURE", "-0.1"],
    ["LLM_TEMPERATURE", "warm"],
    ["LLM_CONTEXT_TOKENS", "100"],
    ["LLM_MAX_CONCURRENCY", "0"],
    ["LLM_QUEUE_SIZE", "-1"],
    ["LLM_STREAM", "maybe"],
  ])("rejects %s=%j, naming the variable", (name, value) => {
    expect(problems({ ...BASE, [name]: value }).some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it("takes a blank OPENAI_MODEL as unset", () => {
    expect(loadConfig({ ...BASE, OPENAI_MODEL: " " }).llm?.model).toBe("gpt-4o-mini");
  });

  it("names every bad variable at once", () => {
    const found = problems({ ...BASE, LLM_TEMPERATURE: "9", LLM_MAX_TOKENS: "x" });
    expect(found.map((p) => p.split(":")[0]).sort()).toEqual(["LLM_MAX_TOKENS", "LLM_TEMPERATURE"]);
  });

  it("rejects an API key without a base URL, saying what to set", () => {
    const found = problems({ OPENAI_API_KEY: "sk-x" });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^OPENAI_API_KEY: .*OPENAI_BASE_URL/);
  });
});
