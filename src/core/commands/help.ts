import { z } from "zod";
import { markdownDraft } from "../reply.js";
import { defineCommand } from "./command.js";

export const helpCommand = defineCommand({
  name: "help",
  description: "How to use Spotlight.",
  options: z.object({}),
  usage: "/help",
  run({ specs }) {
    const all = specs();
    const builtins = all.filter((s) => !s.name.startsWith("-") && !s.usage.includes("[question]"));
    const shortcuts = all.filter((s) => s.usage.includes("[question]"));
    const text = [
      "**Spotlight** answers questions about the cloud-native projects in its knowledge base.",
      "Mention me with a question (I answer in a thread and follow the conversation), or use a command:",
      "",
      ...builtins.map((s) => `- \`${s.usage}\` — ${s.description}`),
      "",
      `**Shortcuts:** ${shortcuts.map((s) => `\`/${s.name}\``).join(", ")} — a project's card, or \`/kubevirt who uses it?\` for an answer about it.`,
    ].join("\n");
    return markdownDraft(text, { ephemeral: true });
  },
});
