import { createProjectDetector, projectNames } from "./knowledge-base.js";
import type { Project } from "./schema.js";

/**
 * Edit distance counting a swap of two neighbours as one edit ("kubevrit" is one edit from "kubevirt").
 * Three rolling rows instead of a full matrix: it runs on every word of every question.
 */
export function editDistance(a: string, b: string): number {
  const n = b.length;
  let beforePrev = new Int32Array(n + 1);
  let prev = new Int32Array(n + 1);
  let row = new Int32Array(n + 1);
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

const squash = (s: string) =>
  s
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s_-]+/g, "");

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
  mentionedIn(text: string, isKnownWord: (word: string) => boolean = () => false): string[] {
    const found = new Set(this.detect(text));
    for (const word of text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[a-z0-9][a-z0-9-]{4,}/g) ?? []) {
      const key = squash(word);
      if (isKnownWord(word)) continue;
      for (const n of this.names) {
        if (n.key.length >= 5 && Math.abs(n.key.length - key.length) <= 1 && editDistance(key, n.key) === 1) {
          found.add(n.project.id);
        }
      }
    }
    // A name split or misspelt across two words: "k8s gpt", "cluser api".
    const words =
      text
        .normalize("NFKC")
        .toLowerCase()
        .match(/[a-z0-9][a-z0-9-]*/g) ?? [];
    for (let i = 0; i + 1 < words.length; i++) {
      const [a, b] = [words[i] as string, words[i + 1] as string];
      const key = squash(`${a}${b}`);
      if (key.length < 5 || a.length < 2 || b.length < 2) continue;
      // A typo needs a word that is no real word ("a cluster" is not "vCluster" misspelt).
      const typoAllowed = !(isKnownWord(a) && isKnownWord(b));
      for (const n of this.names)
        if (n.key === key || (typoAllowed && n.key.length >= 8 && editDistance(key, n.key) === 1))
          found.add(n.project.id);
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
