import type { CommandSpec } from "../../core/index.js";

/**
 * What `/spotlight <text>` runs: the command its first word names (`project kubevirt`,
 * `kubevirt`, `help`), else a question to `ask` (`/spotlight who uses KubeVirt?`); empty: `help`.
 * Undefined when the command list has none of these.
 */
export function routeUmbrella(
  commands: CommandSpec[],
  text: string,
): { spec: CommandSpec; text: string } | undefined {
  const trimmed = text.trim();
  const byName = (name: string) => commands.find((c) => c.name === name);
  if (!trimmed) {
    const help = byName("help");
    return help ? { spec: help, text: "" } : undefined;
  }
  const match = /^\/?([\w-]+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  const named = match ? byName((match[1] as string).toLowerCase()) : undefined;
  if (named) return { spec: named, text: (match?.[2] ?? "").trim() };
  const ask = byName("ask");
  return ask ? { spec: ask, text: trimmed } : undefined;
}
