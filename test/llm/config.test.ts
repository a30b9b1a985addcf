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
      temperature: 0.2,
      queueSize: 16,
      stream: true,
      breakerCooldownMs: 30_000,
      probeIntervalMs: 2000,
      uncited: "notice",
      requiredForReadiness: false,
    });
  });

  it("leaves the context, the reply cap and the concurrency to be learned from the server when unset", () => {
    const llm = loadConfig(BASE).llm;
    expect(llm?.contextTokens).toBeUndefined();
    expect(llm?.maxTokens).toBeUndefined();
    expect(llm?.maxConcurrency).toBeUndefined();
  });

  it("rejects LLM_MAX_TOKENS at or above LLM_CONTEXT_TOKENS, naming the variable", () => {
    for (const max of ["512", "600"]) {
      const found = problems({ ...BASE, LLM_CONTEXT_TOKENS: "512", LLM_MAX_TOKENS: max });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^LLM_MAX_TOKENS: \d+ leaves no room for a prompt in LLM_CONTEXT_TOKENS=512/);
    }
    expect(loadConfig({ ...BASE, LLM_CONTEXT_TOKENS: "512", LLM_MAX_TOKENS: "128" }).llm?.maxTokens).toBe(
      128,
    );
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
      LLM_BREAKER_COOLDOWN_MS: "5000",
      LLM_PROBE_INTERVAL_MS: "500",
      LLM_UNCITED: "fallback",
      READINESS_REQUIRES_MODEL: "true",
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
      breakerCooldownMs: 5000,
      probeIntervalMs: 500,
      uncited: "fallback",
      requiredForReadiness: true,
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
    ["LLM_BREAKER_COOLDOWN_MS", "10"],
    ["LLM_UNCITED", "ignore"],
    ["READINESS_REQUIRES_MODEL", "perhaps"],
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
