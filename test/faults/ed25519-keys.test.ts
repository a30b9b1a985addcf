import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ed25519KeyProblem } from "../../src/adapters/discord/ed25519-key.js";
import { discordPublicKey } from "../../src/adapters/discord/http-interactions.js";
import { ConfigError, loadConfig } from "../../src/app/config.js";

function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

// The eight small-order points of Ed25519, as libsodium's blocklist encodes them.
const SMALL_ORDER = {
  "the identity": "0100000000000000000000000000000000000000000000000000000000000000",
  "the point of order 2": "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "a point of order 4": "0000000000000000000000000000000000000000000000000000000000000000",
  "the other point of order 4": "0000000000000000000000000000000000000000000000000000000000000080",
  "a point of order 8": "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "a second point of order 8": "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
  "a third point of order 8": "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "a fourth point of order 8": "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
};

const NON_CANONICAL = {
  "y = p (the identity's non-canonical twin)":
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "y = p + 1": "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "negative zero x": "0100000000000000000000000000000000000000000000000000000000000080",
};

function realKey(): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  return publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
}

describe("Ed25519 public keys are checked at start", () => {
  it.each(Object.entries(SMALL_ORDER))("refuses %s", (_name, hex) => {
    expect(ed25519KeyProblem(hex)).toMatch(/small-order/);
    expect(() => discordPublicKey(hex)).toThrow(/small-order/);
  });

  it.each(Object.entries(NON_CANONICAL))("refuses a non-canonical encoding: %s", (_name, hex) => {
    expect(ed25519KeyProblem(hex)).toMatch(/canonical/);
    expect(() => discordPublicKey(hex)).toThrow(/canonical/);
  });

  it("refuses a value that is not a point on the curve", () => {
    expect(ed25519KeyProblem("ab".repeat(32))).toMatch(/not a point/);
  });

  it("accepts real keys", () => {
    for (let i = 0; i < 20; i++) expect(ed25519KeyProblem(realKey())).toBeUndefined();
  });

  it("names the variable when the configuration holds a weak key", () => {
    const problems = configProblems({
      DISCORD_PUBLIC_KEY: SMALL_ORDER["the identity"],
      DISCORD_APPLICATION_ID: "123456789012345678",
    });
    expect(problems.join("\n")).toMatch(/^DISCORD_PUBLIC_KEY: is a small-order point/m);
  });
});
