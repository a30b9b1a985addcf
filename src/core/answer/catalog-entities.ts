import { userNames } from "../knowledge/project-facts.js";
import type { Project } from "../knowledge/schema.js";
import type { Intent } from "./question-cues.js";

/** A name the catalog states as a fact of a project: a user, a contributor, its creator, a product. */
export interface CatalogEntity {
  name: string;
  re: RegExp;
  projectId: string;
  intent: Intent;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Every name the catalog states as a fact, with the pattern that finds it in a question. */
export function catalogEntities(projects: Project[]): CatalogEntity[] {
  return projects.flatMap((p) => {
    const f = p.facts;
    const of = (names: string[] | undefined, intent: Intent) =>
      (names ?? []).map((name) => {
        // "Spectro Cloud Palette" is also just "Palette": a product name's distinctive last word.
        const last = name.includes(" ") ? (name.split(" ").at(-1) ?? "") : "";
        const forms = [name, ...(last.length >= 5 ? [last] : [])].map((n) => escapeRegExp(n.toLowerCase()));
        return {
          name,
          re: new RegExp(`(?<![a-z0-9])(?:${forms.join("|")})(?![a-z0-9])`, "u"),
          projectId: p.id,
          intent,
        };
      });
    return [
      ...of(userNames(f.users), "users"),
      ...of(f.contributors, "contributors"),
      ...of(f.creator ? [f.creator] : [], "creator"),
      ...of(f.products, "products"),
    ];
  });
}

/** The project whose further reading's address holds a slug of the text ("virtual-kubernetes-clusters-with-palette"). */
export function furtherReadingOwner(projects: Project[], text: string): string | undefined {
  const slugs = text.match(/[a-z0-9]+(?:-[a-z0-9]+){2,}/g)?.filter((s) => s.length >= 12) ?? [];
  if (slugs.length === 0) return undefined;
  return projects.find((p) => p.links.further_reading.some((l) => slugs.some((s) => l.url.includes(s))))?.id;
}
