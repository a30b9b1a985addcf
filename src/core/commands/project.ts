import { z } from "zod";
import { defineCommand } from "./command.js";
import { commandLanguage } from "./language.js";
import { projectCard } from "./project-card.js";
import { resolveProjectOrFail } from "./resolve-project.js";

export const projectCommand = defineCommand({
  name: "project",
  description: "Show a project's card: what it is, why it matters, facts, KubeCon session, reading.",
  options: z.object({ name: z.string().trim().min(1).max(100).describe("Project name or alias, e.g. capi") }),
  autocomplete: { name: "project" },
  usage: "/project <name>",
  examples: ["/project kubevirt", "/project capi"],
  parseText: (text) => ({ name: text.trim() }),
  run({ options, index, kb, request }) {
    const language = commandLanguage(request);
    const project = resolveProjectOrFail(index, options.name, language);
    const card = projectCard(project, kb, language);
    return { parts: [{ type: "card", card }], language };
  },
});
