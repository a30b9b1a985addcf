import type { KnowledgeBase, Passage } from "../knowledge/knowledge-base.js";
import { projectFacts } from "../knowledge/project-facts.js";
import type { Project } from "../knowledge/schema.js";
import { tokenize } from "../knowledge/tokenize.js";
import { type ComposedAnswer, YES_NO } from "./fact-text.js";
import { projectSubjects, type Understanding } from "./understand.js";

/** "The article doesn't say …" about a covered subject, then the closest thing it does say. */
export class HedgeAnswers {
  constructor(
    private readonly kb: KnowledgeBase,
    private readonly byId: Map<string, Passage>,
    private readonly projects: Map<string, Project>,
    private readonly formsOf: (word: string) => string[],
  ) {}

  /**
   * What the article does say that is closest to the question: the catalog sentence about the
   * project holding most of the question's words ("which railway?" gets its users), else what it is.
   */
  private closest(project: Project, u: Understanding): string {
    const L = u.language;
    const candidates = [project.summary[L], ...projectFacts(project, L).map((f) => f.sentence)];
    const words = u.content.known;
    let best = candidates[0] as string;
    let most = 0;
    for (const sentence of candidates) {
      const terms = new Set(tokenize(sentence));
      const held = words.filter((w) => this.formsOf(w).some((f) => terms.has(f))).length;
      if (held > most) [best, most] = [sentence, held];
    }
    return best;
  }

  /** "The article doesn't say X" for details the knowledge base never mentions, then what it does say. */
  hedge(u: Understanding, details: string[]): ComposedAnswer | undefined {
    const L = u.language;
    const id = projectSubjects(u)[0];
    const project = id ? this.projects.get(id) : undefined;
    const passage = id ? this.byId.get(`catalog:${id}:${L}`) : undefined;
    const quoted = details.map((d) => (L === "zh" ? `“${d}”` : `“${d}”`)).join(L === "zh" ? "、" : ", ");
    if (project && passage) {
      // Asked about a company the catalog names ("the CEO of Loft Labs"): say it of the company.
      const entity = u.viaEntity ? u.entities[0] : undefined;
      const about = entity
        ? L === "zh"
          ? `${entity}（${project.name} 的相关方）`
          : `${entity} (of ${project.name})`
        : project.name;
      // A yes/no question resting on a premise ("LocalAI is a drop-in for the Anthropic API,
      // right?") is settled by the article's fact first, then what it doesn't say.
      if (YES_NO.test(u.text)) {
        const note =
          L === "zh" ? `文章没有提到${quoted}。` : `The article doesn't say anything about ${quoted}.`;
        return {
          sentences: [
            { text: this.closest(project, u), passage },
            { text: note, passage },
          ],
          hedged: true,
        };
      }
      const lead =
        L === "zh"
          ? `文章没有提到 ${about} 的${quoted}。关于 ${project.name}，文章说的是：`
          : `The article doesn't say anything about ${quoted} for ${about}. What it does say:`;
      return {
        sentences: [
          { text: lead, passage },
          { text: this.closest(project, u), passage },
        ],
        hedged: true,
      };
    }
    const event = u.subjects.find((s) => s.kind === "event");
    const eventPassage = event ? this.byId.get(`event:${event.id}:${L}`) : undefined;
    const entry = event ? this.kb.events.find((e) => e.id === event.id) : undefined;
    if (eventPassage && entry?.facts[0]) {
      if (YES_NO.test(u.text)) {
        const note =
          L === "zh" ? `文章没有提到${quoted}。` : `The article doesn't say anything about ${quoted}.`;
        return {
          sentences: [
            { text: entry.facts[0][L], passage: eventPassage },
            { text: note, passage: eventPassage },
          ],
          hedged: true,
        };
      }
      const lead =
        L === "zh"
          ? `文章没有提到 KubeCon 的${quoted}。文章说的是：`
          : `The article doesn't say anything about ${quoted} for KubeCon. What it does say:`;
      return {
        sentences: [
          { text: lead, passage: eventPassage },
          { text: entry.facts[0][L], passage: eventPassage },
        ],
        hedged: true,
      };
    }
    return undefined;
  }
}
