import { createProjectDetector, projectNames } from "./knowledge-base.js";
import type { Project } from "./schema.js";

/** Rows editDistance reuses from call to call: it runs on every name a command is matched against. */
let rows = [new Int32Array(16), new Int32Array(16), new Int32Array(16)];

/**
 * Edit distance counting a swap of two neighbours as one edit ("kubevrit" is one edit from "kubevirt").
 * Three rolling rows instead of a full matrix.
 */
export function editDistance(a: string, b: string): number {
  const n = b.length;
  if ((rows[0] as Int32Array).length <= n) rows = rows.map(() => new Int32Array(2 * n + 1));
  let [beforePrev, prev, row] = rows as [Int32Array, Int32Array, Int32Array];
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (beforePrev[j - 2] as number) + 1);
      }
      row[j] = best;
    }
    [beforePrev, prev, row] = [prev, row, beforePrev];
  }
  return prev[n] as number;
}

/** Whether a[from..] equals b[from + shift..] to the end of a. */
function sameTail(a: string, b: string, from: number, shift: number): boolean {
  for (let k = from; k < a.length; k++) if (a.charCodeAt(k) !== b.charCodeAt(k + shift)) return false;
  return true;
}

/**
 * Whether `a` is exactly one edit from `b` (editDistance(a, b) === 1) in one pass and no
 * allocation: free text is checked word by word against every name, passages sentence by sentence.
 */
export function isOneEdit(a: string, b: string): boolean {
  if (a.length < b.length) return isOneEdit(b, a);
  if (a.length - b.length > 1) return false;
  let i = 0;
  while (i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (a.length > b.length) return sameTail(a, b, i + 1, -1); // one letter more
  if (i === a.length) return false; // the same word
  // One letter changed, or two neighbours swapped.
  if (sameTail(a, b, i + 1, 0)) return true;
  return (
    i + 1 < a.length &&
    a.charCodeAt(i) === b.charCodeAt(i + 1) &&
    a.charCodeAt(i + 1) === b.charCodeAt(i) &&
    sameTail(a, b, i + 2, 0)
  );
}

const squash = (s: string) =>
  s
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s_-]+/g, "");

/** Enough for every sentence of a knowledge base of a few articles; then it starts over. */
const MENTION_CACHE = 4_096;
/** The longest text the memo keeps (a long sentence): at most ~4 MB in all. */
const MENTION_CACHE_TEXT = 500;

/** How many typos a name of this length tolerates. */
const tolerance = (length: number) => (length >= 8 ? 2 : length >= 5 ? 1 : 0);

/**
 * A name resolved to one project, or not: then the projects it may mean. `ambiguous` when the name
 * fits several equally well ("cluster": Cluster API or vCluster), so guessing would be wrong.
 */
export type ProjectMatch =
  | { project: Project }
  | { project?: undefined; suggestions: Project[]; ambiguous?: boolean };

/** Resolves catalog project names tolerant of case, aliases, spacing and typos. */
export class ProjectMatcher {
  private readonly detect: (text: string) => string[];
  private readonly byId: Map<string, Project>;
  private readonly names: { key: string; project: Project }[];
  /** mentionedIn's answers for texts scanned without a veto, up to MENTION_CACHE of them. */
  private readonly mentions = new Map<string, string[]>();

  constructor(readonly projects: Project[]) {
    this.detect = createProjectDetector(projects);
    this.byId = new Map(projects.map((p) => [p.id, p]));
    this.names = projects.flatMap((p) => projectNames(p).map((n) => ({ key: squash(n), project: p })));
  }

  get(id: string): Project | undefined {
    return this.byId.get(id);
  }

  /**
   * Exact name or alias first; then a name that only one project's names contain ("kubev"); then
   * the closest name within the typo tolerance. A name several projects contain is ambiguous.
   * Otherwise suggestions, including projects whose description holds the words ("虚拟机").
   */
  resolve(name: string): ProjectMatch {
    const key = squash(name);
    if (!key) return { suggestions: this.projects.filter((p) => p.featured) };
    const exact = this.names.find((n) => n.key === key);
    if (exact) return { project: exact.project };
    const containing = [
      ...new Set(this.names.filter((n) => key.length >= 3 && n.key.includes(key)).map((n) => n.project)),
    ];
    if (containing.length > 1) return { suggestions: containing.slice(0, 5), ambiguous: true };
    if (containing.length === 1 && key.length >= 4) return { project: containing[0] as Project };
    const ranked = this.rank(key).sort((a, b) => a.distance - b.distance);
    const best = ranked[0];
    if (
      best &&
      best.distance <= tolerance(key.length) &&
      best.distance < (ranked[1]?.distance ?? Number.POSITIVE_INFINITY)
    ) {
      return { project: best.project };
    }
    const described = /\p{Script=Han}/u.test(key)
      ? this.projects.filter((p) =>
          [p.category?.zh, p.summary.zh].some((t) => t !== undefined && squash(t).includes(key)),
        )
      : [];
    const near = ranked
      .filter((r) => r.distance <= Math.max(2, Math.ceil(key.length / 2)) || r.prefix)
      .map((r) => r.project);
    return { suggestions: [...new Set([...described, ...near])].slice(0, 5) };
  }

  /** Projects whose name starts with or resembles the text, best first (for autocomplete). */
  suggest(text: string, limit: number): Project[] {
    const key = squash(text);
    if (!key) return this.projects.slice(0, limit);
    return [
      ...new Set(
        this.rank(key)
          .filter((r) => r.prefix || r.contains || r.distance <= tolerance(key.length) + 1)
          .map((r) => r.project),
      ),
    ].slice(0, limit);
  }

  /**
   * Projects a free text names: exact names and aliases, plus words one typo away from a name.
   * `isKnownWord` vetoes typo matches for real words ("cluster" is a word, not a typo of "vCluster").
   */
  mentionedIn(text: string, isKnownWord?: (word: string) => boolean): string[] {
    // Long texts (a conversation's context) are scanned as they come: the memo is for sentences.
    if (isKnownWord || text.length > MENTION_CACHE_TEXT) return this.scan(text, isKnownWord ?? (() => false));
    // Without a veto the answer depends on the text alone, and the texts are mostly the knowledge
    // base's own sentences, scanned again for every answer that considers them.
    let found = this.mentions.get(text);
    if (!found) {
      if (this.mentions.size >= MENTION_CACHE) this.mentions.clear();
      found = this.scan(text, () => false);
      this.mentions.set(text, found);
    }
    return [...found];
  }

  private scan(text: string, isKnownWord: (word: string) => boolean): string[] {
    const found = new Set(this.detect(text));
    // Words as they are, and a name split or misspelt across two of them: "k8s gpt", "cluser api".
    const words =
      text
        .normalize("NFKC")
        .toLowerCase()
        .match(/[a-z0-9][a-z0-9-]*/g) ?? [];
    for (const word of words) {
      if (word.length < 5) continue;
      const key = squash(word);
      // The veto (a costlier lookup) only for words that are one typo from a name.
      const near = this.names.filter((n) => n.key.length >= 5 && isOneEdit(key, n.key));
      if (near.length > 0 && !isKnownWord(word)) for (const n of near) found.add(n.project.id);
    }
    for (let i = 0; i + 1 < words.length; i++) {
      const [a, b] = [words[i] as string, words[i + 1] as string];
      const key = squash(`${a}${b}`);
      if (key.length < 5 || a.length < 2 || b.length < 2) continue;
      for (const n of this.names) {
        if (n.key === key) found.add(n.project.id);
        // A typo needs a word that is no real word ("a cluster" is not "vCluster" misspelt).
        else if (n.key.length >= 8 && isOneEdit(key, n.key) && !(isKnownWord(a) && isKnownWord(b)))
          found.add(n.project.id);
      }
    }
    return [...found];
  }

  private rank(key: string) {
    const best = new Map<
      string,
      { project: Project; distance: number; prefix: boolean; contains: boolean }
    >();
    for (const n of this.names) {
      const distance = editDistance(key, n.key);
      const prefix = n.key.startsWith(key);
      const contains = n.key.includes(key);
      const prev = best.get(n.project.id);
      if (!prev || distance < prev.distance || (prefix && !prev.prefix)) {
        best.set(n.project.id, {
          project: n.project,
          distance: Math.min(distance, prev?.distance ?? distance),
          prefix: prefix || (prev?.prefix ?? false),
          contains: contains || (prev?.contains ?? false),
        });
      }
    }
    return [...best.values()].sort((a, b) => Number(b.prefix) - Number(a.prefix) || a.distance - b.distance);
  }
}
