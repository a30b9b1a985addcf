import { ApplicationCommandOptionType } from "discord.js";
import { describe, expect, it } from "vitest";
import { buildCommandPayload } from "../../src/adapters/discord/registration.js";
import type { CommandSpec } from "../../src/core/commands/command.js";
import { createTestBot } from "../helpers.js";

describe("buildCommandPayload", () => {
  it("registers every command of the core, one shortcut per catalog project, with typed options", async () => {
    const bot = await createTestBot();
    const specs = bot.commands();
    const payload = buildCommandPayload(specs, { global: false });
    expect(payload.map((c) => c.name)).toEqual(specs.map((s) => s.name));
    for (const project of bot.kb.projects) expect(payload.map((c) => c.name)).toContain(project.id);
    for (const command of payload) {
      expect(command.description?.length).toBeGreaterThan(0);
      expect(command.description?.length).toBeLessThanOrEqual(100);
      expect("contexts" in command).toBe(false);
      for (const option of command.options ?? []) {
        expect(option.type).toBe(ApplicationCommandOptionType.String);
        expect(option.description.length).toBeLessThanOrEqual(100);
      }
    }
    const byName = new Map(payload.map((c) => [c.name, c]));
    expect(byName.get("project")?.options).toEqual([
      expect.objectContaining({ name: "name", required: true, autocomplete: true }),
    ]);
    expect(
      byName.get("compare")?.options?.map((o) => [o.name, "autocomplete" in o && o.autocomplete]),
    ).toEqual([
      ["first", true],
      ["second", true],
    ]);
    expect(byName.get("ask")?.options).toEqual([
      expect.objectContaining({ name: "question", required: true }),
    ]);
    expect(byName.get("kubevirt")?.options).toEqual([
      expect.objectContaining({ name: "question", required: false }),
    ]);
    expect(byName.get("help")?.options).toBeUndefined();
  });

  it("lets global commands be used in servers and DMs", async () => {
    const bot = await createTestBot();
    const [first] = buildCommandPayload(bot.commands(), { global: true });
    expect(first).toMatchObject({ integration_types: [0], contexts: [0, 1] });
  });

  it("puts required options first and clips long descriptions", () => {
    const spec: CommandSpec = {
      name: "x",
      description: "d".repeat(300),
      options: [
        { name: "later", description: "optional", required: false },
        { name: "first", description: "required", required: true },
      ],
      usage: "/x",
      examples: [],
      slow: false,
    };
    const [command] = buildCommandPayload([spec], { global: false });
    expect(command?.options?.map((o) => o.name)).toEqual(["first", "later"]);
    expect(command?.description).toHaveLength(100);
  });

  it("refuses names Discord would refuse, naming them", () => {
    const spec = (name: string): CommandSpec => ({
      name,
      description: "d",
      options: [],
      usage: "",
      examples: [],
      slow: false,
    });
    expect(() => buildCommandPayload([spec("Bad Name")], { global: true })).toThrow(/"Bad Name"/);
    expect(() =>
      buildCommandPayload(
        Array.from({ length: 101 }, (_, i) => spec(`c${i}`)),
        { global: true },
      ),
    ).toThrow(/100 commands/);
  });
});

describe("zh-CN localizations", () => {
  // Discord's published rule for names, and its lower-case requirement where the script has case.
  const DISCORD_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
  const validName = (name: string) => DISCORD_NAME.test(name) && name === name.toLowerCase();

  it("name and describe every command and option in Chinese, within Discord's limits", async () => {
    const bot = await createTestBot();
    const payload = buildCommandPayload(bot.commands(), { global: true });
    for (const command of payload) {
      const description = command.description_localizations?.["zh-CN"];
      expect(description, `/${command.name}`).toMatch(/[\u4e00-\u9fff]/);
      expect(description?.length).toBeLessThanOrEqual(100);
      const name = command.name_localizations?.["zh-CN"];
      if (typeof name === "string") expect(validName(name), name).toBe(true);
      for (const option of command.options ?? []) {
        const optionDescription = option.description_localizations?.["zh-CN"];
        expect(optionDescription, `/${command.name} ${option.name}`).toMatch(/[\u4e00-\u9fff]/);
        expect(optionDescription?.length).toBeLessThanOrEqual(100);
        const optionName = option.name_localizations?.["zh-CN"];
        expect(
          typeof optionName === "string" && validName(optionName),
          `/${command.name} ${option.name}`,
        ).toBe(true);
      }
    }
    const byName = new Map(payload.map((c) => [c.name, c]));
    expect(byName.get("project")?.name_localizations).toEqual({ "zh-CN": "项目" });
    expect(byName.get("kubevirt")?.description_localizations?.["zh-CN"]).toContain("KubeVirt");
    // Options keep their English names on the wire.
    expect(byName.get("ask")?.options?.[0]?.name).toBe("question");
  });
});
