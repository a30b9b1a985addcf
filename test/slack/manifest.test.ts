import { describe, expect, it } from "vitest";
import {
  BOT_EVENTS,
  BOT_SCOPES,
  buildManifest,
  commandProblems,
  eventsUrl,
  type SlackManifest,
} from "../../src/adapters/slack/manifest.js";
import { runCliCaptured } from "../cli-harness.js";
import { createTestBot } from "../helpers.js";

const cli = (args: string[]) => runCliCaptured(args);

describe("Slack app manifest", () => {
  it("lists every core command, per-project shortcuts included, with usage hints", async () => {
    const bot = await createTestBot();
    const specs = bot.commands();
    const manifest = buildManifest(specs, { mode: "socket", prefix: "" });
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual(specs.map((s) => `/${s.name}`));
    expect(manifest.features.slash_commands).toContainEqual({
      command: "/compare",
      description: "Compare two projects' facts side by side.",
      usage_hint: "<project> <project>",
      should_escape: false,
    });
    expect(manifest.features.slash_commands.find((c) => c.command === "/kubevirt")?.usage_hint).toBe(
      "[question]",
    );
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions).toEqual({ bot_events: [...BOT_EVENTS] });
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true });
    expect(manifest.oauth_config.scopes.bot).toEqual([...BOT_SCOPES]);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
  });

  it("points every URL at /slack/events in HTTP mode, with the prefix on every command", async () => {
    const bot = await createTestBot();
    const manifest = buildManifest(bot.commands(), {
      mode: "http",
      prefix: "sl",
      url: "https://bot.example.com/",
    });
    const url = "https://bot.example.com/slack/events";
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.settings.event_subscriptions.request_url).toBe(url);
    expect(manifest.settings.interactivity.request_url).toBe(url);
    for (const c of manifest.features.slash_commands) {
      expect(c.command).toMatch(/^\/sl-[a-z0-9-]+$/);
      expect(c.url).toBe(url);
    }
    expect(eventsUrl("https://x.io/slack/events")).toBe("https://x.io/slack/events");
  });

  it("refuses command names Slack would refuse", async () => {
    const bot = await createTestBot();
    expect(commandProblems(bot.commands(), "")).toEqual([]);
    expect(commandProblems(bot.commands(), "averylongp")).toEqual([]);
    const long = [
      { name: "a".repeat(30), description: "d", options: [], usage: "/x", examples: [], slow: false },
    ];
    expect(commandProblems(long, "ab")[0]).toMatch(/longer than Slack's 32 characters/);
    expect(() => buildManifest(long, { mode: "socket", prefix: "ab" })).toThrow(/Cannot build/);
  });

  it("is printed by `spotlight slack-manifest`", async () => {
    const socket = await cli(["slack-manifest"]);
    expect(socket.code).toBe(0);
    const parsed = JSON.parse(socket.stdout) as SlackManifest;
    expect(parsed.settings.socket_mode_enabled).toBe(true);
    expect(parsed.features.slash_commands.length).toBeGreaterThan(15);

    const http = await cli([
      "slack-manifest",
      "--mode",
      "http",
      "--url",
      "https://bot.example.com",
      "--prefix",
      "sl",
    ]);
    expect(http.code).toBe(0);
    const manifest = JSON.parse(http.stdout) as SlackManifest;
    expect(manifest.settings.event_subscriptions.request_url).toBe("https://bot.example.com/slack/events");
    expect(manifest.features.slash_commands[0]?.command).toBe("/sl-ask");

    const bad = await cli(["slack-manifest", "--mode", "carrier-pigeon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--mode must be socket or http");
    const insecure = await cli(["slack-manifest", "--mode", "http", "--url", "http://bot.example.com"]);
    expect(insecure.code).toBe(2);
    expect(insecure.stderr).toContain("https");
  });
});

describe("Slack manifest choices", () => {
  it("--umbrella declares one /spotlight command; --shortcuts adds one per project", async () => {
    const bot = await createTestBot();
    const shortcutNames = new Set(bot.kb.projects.map((p) => p.id));
    const umbrella = buildManifest(bot.commands(), {
      mode: "socket",
      prefix: "",
      style: "umbrella",
      shortcutNames,
    });
    expect(umbrella.features.slash_commands.map((c) => c.command)).toEqual(["/spotlight"]);
    expect(umbrella.features.slash_commands[0]?.usage_hint).toBe("[command] [text]");
    const withShortcuts = buildManifest(bot.commands(), {
      mode: "socket",
      prefix: "sl",
      style: "umbrella",
      shortcuts: true,
      shortcutNames,
    });
    expect(withShortcuts.features.slash_commands.map((c) => c.command)).toEqual([
      "/sl-spotlight",
      ...bot.kb.projects.map((p) => `/sl-${p.id}`),
    ]);
  });

  it("--minimal subscribes to mentions and direct messages only, without channel history scopes", async () => {
    const run = await cli(["slack-manifest", "--minimal"]);
    expect(run.code).toBe(0);
    const manifest = JSON.parse(run.stdout) as SlackManifest;
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(["app_mention", "message.im"]);
    expect(manifest.oauth_config.scopes.bot).not.toContain("channels:history");
    expect(manifest.oauth_config.scopes.bot).not.toContain("groups:history");
    expect(manifest.oauth_config.scopes.bot).not.toContain("mpim:history");
    expect(manifest.oauth_config.scopes.bot).toContain("app_mentions:read");
  });

  it("takes SLACK_COMMAND_PREFIX and the style from the environment before any Slack token is set", async () => {
    const run = await runCliCaptured(["slack-manifest"], {
      env: { SLACK_COMMAND_PREFIX: "sl", SLACK_COMMAND_STYLE: "umbrella", SLACK_PROJECT_SHORTCUTS: "true" },
    });
    expect(run.code).toBe(0);
    const commands = (JSON.parse(run.stdout) as SlackManifest).features.slash_commands.map((c) => c.command);
    expect(commands[0]).toBe("/sl-spotlight");
    expect(commands).toContain("/sl-kubevirt");
    expect(commands).not.toContain("/sl-ask");
  });
});
