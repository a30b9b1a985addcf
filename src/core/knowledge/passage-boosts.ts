import type { Passage } from "./knowledge-base.js";

const PROJECT_BOOST = 1.6;
// Same-language passages read better in an answer; the other language still wins on better matches.
const SAME_LANGUAGE_BOOST = 1.3;

/**
 * Each passage's weight for one query: same-language passages read better in an answer, and
 * passages about the projects or events it names come first.
 */
export class PassageBoosts {
  /** Per language: each passage's weight, and the same with the last query's projects boosted. */
  private readonly rows = new Map<string, { base: Float64Array; boosts: Float64Array; boosted: number[] }>();
  /** The passages about each project or event id. */
  private readonly byProject = new Map<string, number[]>();

  constructor(private readonly passages: readonly Passage[]) {
    passages.forEach((p, doc) => {
      for (const id of new Set(p.projectIds)) {
        const docs = this.byProject.get(id);
        if (docs) docs.push(doc);
        else this.byProject.set(id, [doc]);
      }
    });
  }

  /** The weights for a query in `language` naming the `boosted` projects; valid until the next call. */
  weights(language: string, boosted: Set<string>): Float64Array {
    let row = this.rows.get(language);
    if (!row) {
      const base = Float64Array.from(this.passages, (p) =>
        p.language === language ? SAME_LANGUAGE_BOOST : 1,
      );
      row = { base, boosts: base.slice(), boosted: [] };
      this.rows.set(language, row);
    }
    // Only the passages the last query boosted differ from the language's weights: reset those
    // rather than copying the whole row, which at 68,000 passages cost a tenth of a query.
    const { base, boosts } = row;
    for (const doc of row.boosted) boosts[doc] = base[doc] as number;
    row.boosted.length = 0;
    for (const id of boosted)
      for (const doc of this.byProject.get(id) ?? []) {
        boosts[doc] = PROJECT_BOOST * (base[doc] as number);
        row.boosted.push(doc);
      }
    return boosts;
  }
}
