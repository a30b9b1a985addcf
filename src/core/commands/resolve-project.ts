import { UserError } from "../errors.js";
import type { Project } from "../knowledge/schema.js";
import type { SearchIndex } from "../knowledge/search-index.js";
import type { Language } from "../types.js";

/** A catalog project by name, alias or near-typo; an unknown name fails with a "did you mean" list. */
export function resolveProjectOrFail(index: SearchIndex, name: string, language: Language): Project {
  const match = index.matcher.resolve(name);
  if (match.project) return match.project;
  const names = match.suggestions.map((p) => `\`${p.id}\``);
  const zh = language === "zh";
  if (match.ambiguous) {
    const options = match.suggestions.map((p) => `${p.name} (\`${p.id}\`)`);
    throw new UserError(
      "ambiguous-project",
      zh
        ? `“${name}”可能指 ${options.join("、")}，请写出完整名称。`
        : `“${name}” could mean ${options.join(" or ")}; please name one.`,
    );
  }
  const hint =
    names.length > 0
      ? zh
        ? `你是不是想找：${names.join("、")}？`
        : `Did you mean ${names.join(", ")}?`
      : zh
        ? "用 `/projects` 查看全部项目。"
        : "See `/projects` for the full list.";
  throw new UserError(
    "unknown-project",
    zh ? `目录中没有名为“${name}”的项目。${hint}` : `I don't know a project called “${name}”. ${hint}`,
  );
}
