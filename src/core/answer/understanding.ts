import type { Language } from "../types.js";
import type { Intent } from "./question-cues.js";

export type Subject =
  | { kind: "project"; id: string }
  | { kind: "event"; id: string }
  | { kind: "article"; id: string };

export interface Understanding {
  /** The question, case- and width-folded. */
  text: string;
  language: Language;
  /** What the question is about, in the order it names them. */
  subjects: Subject[];
  /** What it asks, most specific first (a message may ask two things). */
  intents: Intent[];
  /** For superlatives: the attribute and which end of it. */
  superlative?: { attribute: "stars" | "age"; direction: "max" | "min" };
  /** A session link the question quotes (a link asked backwards). */
  link?: string;
  /** The question refers back ("it", "它") or asks an attribute of nobody: it needs a subject from context. */
  needsSubject: boolean;
  /** Subjects were taken from the conversation, not the question. */
  subjectsFromContext: boolean;
  /** The subject was found through a name the catalog states as a fact ("Loft Labs" -> vCluster). */
  viaEntity: boolean;
  /** Names the catalog states as facts that the question mentions (Red Hat, Nvidia, Loft Labs…). */
  entities: string[];
  /** "Which of the five…": a question across the catalog rather than about one project. */
  acrossCatalog: boolean;
  /** Capitalised names the knowledge base doesn't know (Crossplane, Ubuntu, AWS). */
  unknownNames: string[];
  /** The first such name comes before any project the question names. */
  leadsWithUnknownName: boolean;
  /** Phrases the question quotes (“网络超级工具”): they point at the sentence that holds them. */
  quotes: string[];
  injection: boolean;
  /** Words asking for a specific detail (price, license, version, room, speakers, install steps…). */
  details: string[];
  /**
   * The question's own concepts beyond names, question words and filler, split by whether the
   * knowledge base uses them: unknown ones are details the article does not state.
   */
  content: { known: string[]; unknown: string[] };
}

export interface UnderstandContext {
  /** Projects named by the conversation's previous turn, for follow-ups. */
  previousProjectIds?: string[];
  /** An explicit focus (a project shortcut command). */
  focusProjectId?: string;
}
