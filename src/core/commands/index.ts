import { DataError } from "../errors.js";
import type { Project } from "../knowledge/schema.js";
import { aboutCommand } from "./about.js";
import { askCommand } from "./ask.js";
import type { Command } from "./command.js";
import { compareCommand } from "./compare.js";
import { helpCommand } from "./help.js";
import { projectCommand } from "./project.js";
import { projectShortcut } from "./project-shortcut.js";
import { projectsCommand } from "./projects.js";
import { talksCommand } from "./talks.js";

/** The built-in commands, in the order help lists them. A static list: no folder scanning. */
export const builtinCommands: Command[] = [
  askCommand,
  projectCommand,
  projectsCommand,
  compareCommand,
  talksCommand,
  aboutCommand,
  helpCommand,
] as unknown as Command[];

/** Built-ins plus one shortcut per catalog project. A project id that clashes with a built-in is a data error. */
export function buildCommandList(projects: Project[]): Command[] {
  const builtinNames = new Set(builtinCommands.map((c) => c.name));
  projects.forEach((p, i) => {
    if (builtinNames.has(p.id)) {
      throw new DataError(
        "projects.yaml",
        `[${i}].id`,
        `"${p.id}" is a built-in command name; choose another id`,
      );
    }
  });
  return [...builtinCommands, ...projects.map(projectShortcut)];
}
