import type { ZodError } from "zod";
import type { Language } from "../types.js";
import { type Command, describeCommand } from "./command.js";

/**
 * A usage error written for people, in the request's language: what is missing or wrong, the usage
 * line and an example. Validator wording ("Too small: expected string…") never reaches users.
 */
export function describeUsageError(error: ZodError, command: Command, language: Language): string {
  if (command.usageHint) return command.usageHint[language];
  const spec = describeCommand(command);
  const issue = error.issues[0];
  const option = spec.options.find((o) => o.name === String(issue?.path[0] ?? ""));
  const what = option?.description.toLowerCase() ?? (language === "zh" ? "参数" : "an argument");
  const empty = issue?.input === undefined || issue?.input === "" || issue?.code === "too_small";
  const example = spec.examples[0] ? `\`${spec.examples[0]}\`` : "";
  if (language === "zh") {
    const problem = empty
      ? `需要${option ? `“${option.description}”` : "参数"}`
      : `的${option ? `“${option.description}”` : "参数"}太长或格式不对`;
    return `\`/${spec.name}\` ${problem}。用法：\`${spec.usage}\`${example ? `，例如 ${example}` : ""}。`;
  }
  const problem = empty ? `needs ${what}` : `got a ${what} it can't use (too long or malformed)`;
  return `\`/${spec.name}\` ${problem}. Usage: \`${spec.usage}\`${example ? `, e.g. ${example}` : ""}.`;
}

/** Splits "/project capi" into a command name and its text. */
export function parseCommandLine(line: string): { name: string; text: string } | undefined {
  const match = /^\/([\w-]+)(?:\s+([\s\S]*))?$/.exec(line.trim());
  if (!match) return undefined;
  return { name: (match[1] as string).toLowerCase(), text: (match[2] ?? "").trim() };
}
