import type { z } from "zod";
import type { QuestionService } from "../answer/question-service.js";
import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import type { SearchIndex } from "../knowledge/search-index.js";
import type { ReplyDraft } from "../reply.js";
import type { CommandRequest, HandleOptions, Language } from "../types.js";

/** What a command can use. Built per request by the bot. */
export interface CommandContext<O> {
  options: O;
  request: CommandRequest;
  kb: KnowledgeBase;
  index: SearchIndex;
  questions: QuestionService;
  handle: HandleOptions;
  /** The full command list, for `help`. */
  specs: () => CommandSpec[];
}

/** One slash command, declared once; adapters derive Slack's manifest and Discord's registration from it. */
export interface Command<S extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  /** Options as a zod object; each field's `.describe()` is its help text; order is positional order. */
  options: S;
  /** Options whose values autocomplete from the catalog. */
  autocomplete?: Partial<Record<keyof z.infer<S> & string, "project">>;
  /** Turns free text (Slack, CLI) into options. Default: positional words, the last option takes the rest. */
  parseText?: (text: string, ctx: { index: SearchIndex }) => Record<string, unknown>;
  /** Usage line, e.g. `/compare <project> <project>`. Default: derived from the options. */
  usage?: string;
  /** Example invocations for help texts. */
  examples?: string[];
  /** What to tell a user whose arguments don't fit, per language (default: derived from the options). */
  usageHint?: Record<Language, string>;
  /** Whether the answer may be slow (calls the answerer): adapters acknowledge first. */
  slow?: boolean;
  /** The description and option descriptions in Chinese, where the command provides them. */
  zh?: CommandTranslation;
  run(ctx: CommandContext<z.infer<S>>): Promise<ReplyDraft> | ReplyDraft;
}

export interface CommandOptionSpec {
  name: string;
  description: string;
  required: boolean;
  autocomplete?: "project";
}

/** A command's texts in another language: its description and, by option name, its options'. */
export interface CommandTranslation {
  description: string;
  options?: Record<string, string>;
}

/** A platform-neutral description of a command, for registration and manifests. */
export interface CommandSpec {
  name: string;
  description: string;
  options: CommandOptionSpec[];
  usage: string;
  examples: string[];
  slow: boolean;
  zh?: CommandTranslation;
}

/** Describes a command's options from its zod schema. */
export function describeCommand(command: Command): CommandSpec {
  const options = Object.entries(command.options.shape).map(([name, schema]) => {
    const field = schema as z.ZodType;
    const spec: CommandOptionSpec = {
      name,
      description: field.description ?? name,
      required: !field.safeParse(undefined).success,
    };
    const auto = (command.autocomplete as Record<string, "project" | undefined> | undefined)?.[name];
    if (auto) spec.autocomplete = auto;
    return spec;
  });
  const usage =
    command.usage ??
    [`/${command.name}`, ...options.map((o) => (o.required ? `<${o.name}>` : `[${o.name}]`))].join(" ");
  return {
    name: command.name,
    description: command.description,
    options,
    usage,
    examples: command.examples ?? [],
    slow: command.slow ?? false,
    ...(command.zh ? { zh: command.zh } : {}),
  };
}

/** Default text parsing: one word per option, the last option takes the rest; empty words are left out. */
export function parsePositional(command: Command, text: string): Record<string, unknown> {
  const names = Object.keys(command.options.shape);
  const words = text.trim().split(/\s+/).filter(Boolean);
  const out: Record<string, unknown> = {};
  names.forEach((name, i) => {
    const value = i === names.length - 1 ? words.slice(i).join(" ") : words[i];
    if (value) out[name] = value;
  });
  return out;
}

/** Declares a command with its option types inferred from the zod schema. */
export function defineCommand<S extends z.ZodObject>(command: Command<S>): Command<S> {
  return command;
}
