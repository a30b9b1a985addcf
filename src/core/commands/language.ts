import { detectLanguage } from "../knowledge/tokenize.js";
import type { CommandRequest, Language } from "../types.js";

/** Commands answer in Chinese when their arguments are written in Chinese, in English otherwise. */
export function commandLanguage(request: CommandRequest): Language {
  const text = [request.text ?? "", ...Object.values(request.options ?? {}).map(String)].join(" ");
  return /\p{Script=Han}/u.test(text) ? detectLanguage(text) : "en";
}
