import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../src/config.js";
import { repoRoot } from "../helpers.js";

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

describe("docker-compose.yaml", async () => {
  const compose = parse(await readFile(path.join(repoRoot, "docker-compose.yaml"), "utf8")) as {
    services: Record<string, Service>;
  };
  const { spotlight, localai } = compose.services;

  it("runs LocalAI from its official image, pinned to a release, with a health check", () => {
    // A release tag (vX.Y.Z…), never a moving one such as latest-aio-cpu or master.
    expect(localai?.image).toMatch(/^localai\/localai:v\d+\.\d+\.\d+(-[a-z0-9-]+)?(@sha256:[0-9a-f]{64})?$/);
    expect(localai?.healthcheck?.test.join(" ")).toMatch(/readyz/);
  });

  it("builds Spotlight and wires it to LocalAI by env, without waiting for the model", () => {
    expect(spotlight?.build).toBe(".");
    // Spotlight answers extractively at once; LocalAI's first start downloads models for minutes.
    expect(spotlight?.depends_on?.localai?.condition ?? "service_started").toBe("service_started");
    const config = loadConfig(spotlight?.environment ?? {});
    expect(config.llm?.baseURL).toBe("http://localai:8080/v1");
    expect(config.llm?.model).toBe("gpt-4");
  });
});
