import { tokenize } from "../knowledge/tokenize.js";
import { CUES_ONCE, DETAIL_ONCE } from "./question-cues.js";

// Words of a question the knowledge base has never heard of that name something: a capitalised
// name, a guess offered after the question, a kind of thing qualified by an unknown name.

/**
 * Capitalised names the knowledge base doesn't know ("AWS re:Invent", "Ubuntu", "KVM"): content
 * even where a stop-word list or the tokenizer would drop them, and, about a covered subject, a
 * detail asked for. A question's first word is capitalised anyway and is left out.
 */
export function unknownProperNouns(question: string, isKnown: (word: string) => boolean): string[] {
  const out: string[] = [];
  // Capitalised words after the first, and technical tokens anywhere: mixed case or letters with
  // digits (vMotion, k3s, 70B, S3).
  for (const m of question.matchAll(
    /(?<=\S\s+|:)([A-Z][A-Za-z0-9]+)|(?<![\p{L}\p{N}])([a-z]+[A-Z][A-Za-z0-9]*|[A-Za-z]+\d[A-Za-z0-9]*|\d+[A-Za-z]+)(?![\p{L}\p{N}])/gu,
  )) {
    const raw = (m[1] ?? m[2]) as string;
    const word = raw.toLowerCase();
    // Everyday acronyms of asking (a URL, an API, the FAQ) name nothing; nor do a cue's own words
    // ("CFP" asks about submissions).
    if (COMMON_ACRONYMS.has(word) || CUES_ONCE.some((re) => re.test(word))) continue;
    const tokens = tokenize(word);
    if (tokens.length === 0 || isKnown(word) || tokens.some(isKnown)) continue;
    out.push(raw);
  }
  return out;
}

/**
 * Names offered as guesses after the question ("which railway runs Kairos? deutsche bahn?",
 * "哪家公司？德铁吗？", "which models? llama, mistral, whisper?"): short items after a first question
 * mark that the knowledge base never uses. Written in lower case, they are names all the same.
 */
const ASKING =
  /\b(how|what|which|who|whom|whose|when|where|why|does|do|is|are|can|did)\b|什么|啥|多少|几|哪|谁|怎|为何|为什么|是不是|有没有|能不能/i;

export function guessedNames(question: string, isKnown: (word: string) => boolean): string[] {
  const clauses = question.normalize("NFKC").split(/[?？]/);
  // A guess asks a question of its own: "…? deutsche bahn?", or "…？德铁吗" without a mark.
  const unmarked = /^\s*\p{Script=Han}{1,8}(吗|呢|吧|嘛)\s*$/u.test(clauses.at(-1) ?? "");
  if (clauses.length < 3 && !(clauses.length === 2 && unmarked)) return [];
  const out: string[] = [];
  for (const clause of clauses.slice(1)) {
    // A guess is a name or two, not another question ("and who makes it?", "大概多少？").
    if (ASKING.test(clause)) continue;
    const items = clause
      .split(/[,，、/;；]|\bor\b|还是|或者/)
      .map((s) => s.replace(/吗|呢|吧|嘛|么|\b(maybe|perhaps|like|e\.?g\.?|is it|or)\b/gi, " ").trim())
      .filter((s) => /\p{L}/u.test(s));
    if (items.some((s) => s.split(/\s+/).length > 3 || [...s].length > 24)) continue;
    for (const item of items) {
      if (/^\d/.test(item)) continue;
      // A name, not a phrase ("是今年的") nor a detail ("具体日期").
      if (/[是的了在有很都也就]/.test(item) || DETAIL_ONCE.test(item)) continue;
      const han = /\p{Script=Han}/u.test(item);
      const unknown = han
        ? !isKnown(item)
        : tokenize(item).length > 0 && tokenize(item).every((t) => !isKnown(t));
      if (unknown) out.push(item);
    }
  }
  return out;
}

const COMMON_ACRONYMS = new Set(
  "url urls link api apis faq ok cli ui ux ai ml llm llms vm vms os tl dr pr prs eu us uk".split(" "),
);

/** A yes/no question: "does…?", "is…?", "…吗？". */
const YES_NO_QUESTION = /^\s*(does|do|is|are|can|could|will|would|has|have|did|should)\b|吗\s*[?？]?\s*$/i;

/**
 * "Does CAPI have a proxmox provider?", "is there an azure provider?": in a yes/no question, an
 * unknown word right before a known one qualifies it with a name the article never uses. The
 * article can't confirm it: a detail it doesn't state.
 */
const DETERMINERS = new Set(
  "a an the any some its their our my with on have has support supports".split(" "),
);

export function qualifyingUnknowns(
  question: string,
  isKnown: (word: string) => boolean,
  isFiller: (token: string) => boolean,
): string[] {
  const text = question.normalize("NFKC").toLowerCase();
  // A version the knowledge base never mentions ("is kubevirt 1.0 out yet?").
  const versions = (text.match(/\bv?\d+\.\d+(?:\.\d+)?\b/g) ?? []).filter((v) => !isKnown(v));
  if (!YES_NO_QUESTION.test(question)) return versions;
  const words = text.match(/[a-z][a-z0-9-]*/g) ?? [];
  const out: string[] = [...versions];
  // "有阿里云的 provider 吗": a Chinese name qualifying a known thing with 的.
  for (const m of text.matchAll(
    /(?:有|支持|兼容|集成)(\p{Script=Han}{2,5})的\s*([a-z][a-z0-9-]*|\p{Script=Han}{2,4})/gu,
  )) {
    const qualifier = m[1] as string;
    const thing = m[2] as string;
    const thingKnown = /\p{Script=Han}/u.test(thing) ? isKnown(thing) : tokenize(thing).some(isKnown);
    if ([...qualifier].length >= 2 && !isKnown(qualifier) && thingKnown) out.push(qualifier);
  }
  for (let i = 1; i + 1 < words.length; i++) {
    const [before, word, next] = [words[i - 1] as string, words[i] as string, words[i + 1] as string];
    // A thing, as in "a proxmox provider", "with azure support": not "for apps written against".
    if (!DETERMINERS.has(before)) continue;
    // Adverbs ("actively maintained") qualify verbs, not things.
    if (word.length < 3 || word.endsWith("ly")) continue;
    const [token] = tokenize(word);
    const [nextToken] = tokenize(next);
    if (!token || !nextToken || isFiller(token)) continue;
    if (!isKnown(token) && isKnown(nextToken)) out.push(word);
  }
  return out;
}

/** Each word once, case-insensitively, as first written ("EKS", not a lower-case twin). */
export function firstSpellings(words: string[]): string[] {
  const seen = new Map<string, string>();
  for (const w of words) if (!seen.has(w.toLowerCase())) seen.set(w.toLowerCase(), w);
  return [...seen.values()];
}
