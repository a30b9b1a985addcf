import type { SearchIndex, SearchResult } from "../knowledge/search-index.js";
import { tokenize } from "../knowledge/tokenize.js";
import { AUTHORS_VIEW } from "./question-cues.js";
import { projectSubjects, type Understanding } from "./understand.js";

const ABOUT_ARTICLE = /\b(the|this) (article|piece|post)\b|文章|这篇/;

/** The project a question is about when it names none: a need it fits, a description, a reason. */
export class ImplicitSubjects {
  constructor(private readonly index: SearchIndex) {}

  /**
   * For "I need X, what should I use?": the featured project whose own passages hold most of the
   * need's words (rarer words weigh more); retrieval order breaks ties.
   */
  recommendation(u: Understanding, retrieval: SearchResult): string | undefined {
    if (!u.intents.includes("recommend") || projectSubjects(u).length > 0 || AUTHORS_VIEW.test(u.text))
      return undefined;
    const { known, unknown } = u.content;
    if (known.length === 0) return undefined;
    const order = retrieval.hits.flatMap((h) => h.passage.projectIds);
    // "Does it mention anything for backups?" may be answered by a tool named in passing.
    const [best, next] = this.bestFit(known, order, MENTIONS_ANY.test(u.text));
    if (!best) return undefined;
    if (known.length > unknown.length) return best.id;
    // A need told at length ("we need to move a bunch of VMs off vmware because licensing went
    // nuts"): everyday words the article doesn't use don't count against it when the words it
    // does use point at one project decisively.
    return decisive(best, next) && known.length * 3 >= unknown.length ? best.id : undefined;
  }

  /**
   * Featured projects ranked by how many of the words their own passages hold (a word several
   * projects share counts less; a single Chinese character counts half), ties broken by `order`.
   */
  private bestFit(
    words: string[],
    order: string[] = [],
    /** Also the tools the article names in passing ("anything for k8s backups?" is Velero). */
    everyTool = false,
  ): { id: string; score: number }[] {
    const featured = this.index.kb.projects.filter((p) => everyTool || p.featured).map((p) => p.id);
    const scored = featured.map((id) => {
      let score = 0;
      for (const concept of words) {
        if (!this.index.knowsAbout(concept, [id])) continue;
        const holders = featured.filter((other) => this.index.knowsAbout(concept, [other])).length;
        const weight = /^\p{Script=Han}$/u.test(concept) ? 0.5 : 1;
        score += weight / holders;
      }
      const rank = order.indexOf(id);
      return { id, score: score + (rank < 0 ? 0 : 0.01 / (rank + 1)) };
    });
    return scored.filter((s) => s.score > 0.05).sort((a, b) => b.score - a.score);
  }

  /**
   * "Why run AI inference locally instead of in the cloud?" names no project but is plainly about
   * one: a why/what question whose words fit one project decisively is about that project.
   */
  withImplicitSubject(u: Understanding): Understanding {
    if (u.subjects.length > 0 || u.injection) return u;
    const described = this.described(u);
    if (described) return { ...u, subjects: [{ kind: "project", id: described }], needsSubject: false };
    if (u.needsSubject || ABOUT_ARTICLE.test(u.text)) return u;
    // Only why-questions: "what is the trend in cluster counts?" asks for a sentence, not a project.
    if (!u.intents.includes("why")) return u;
    if (u.intents.some((i) => i === "recommend" || i === "article" || i === "list" || i.startsWith("event-")))
      return u;
    const { known, unknown } = u.content;
    if (known.length < 2 || known.length <= unknown.length) return u;
    const [best, next] = this.bestFit(known);
    if (!best || !decisive(best, next)) return u;
    return { ...u, subjects: [{ kind: "project", id: best.id }] };
  }

  /**
   * "The vm thing", "that edge image builder one", "那个跑虚拟机的项目", "anything in there I could
   * point my OpenAI client at": a project described rather than named, when the description's
   * words fit one project decisively.
   */
  private described(u: Understanding): string | undefined {
    const phrase = DESCRIBED.exec(u.text);
    const describedBy = phrase ? ((phrase[1] ?? phrase[2] ?? "") as string) : undefined;
    let words: string[];
    if (describedBy !== undefined) {
      const tokens = new Set(tokenize(describedBy));
      words = u.content.known.filter((w) =>
        /\p{Script=Han}/u.test(w) ? describedBy.includes(w) : tokens.has(w),
      );
    } else if (WHICH_OF_THEM.test(u.text)) {
      // Everyday words the article doesn't use ("go-to", "boxes") don't count against the need.
      words = u.content.known;
    } else return undefined;
    if (words.length === 0) return undefined;
    const [best, next] = this.bestFit(words);
    if (!best || !decisive(best, next)) return undefined;
    return best.id;
  }
}

/** A project described, not named: "the vm thing", "that multi-cluster one", "那个跑虚拟机的项目". */
const DESCRIBED =
  /\b(?:the|that|this|those)\s+((?:[\w+-]+\s+){1,4}?)(?:thing|one|project|tool|stuff)s?\b|那个([^，。？！?,.!\s]{1,12}?)的?(?:项目|工具|东西|玩意)/iu;
/** Asking which covered project fits, without a descriptive phrase. */
const WHICH_OF_THEM =
  /\b(any|one|which) of (the five|them|those|these|the projects)\b|\banything (in there|in here|in the article|it covers|it mentions)\b|\bgo-to (for|when)\b|\bwhat should (i|we) use\b|文章推荐哪个|推荐哪个|用哪个|选哪个/i;

/** Asking whether the article mentions anything for a need, tools named in passing included. */
const MENTIONS_ANY =
  /\b(mention|mentions|cover|covers|say|says)\b[^?]{0,12}\banything\b|\banything (for|about|on)\b|(提到|介绍|讲)(了)?(什么|哪个|哪些)(工具|项目)/;

/** A best fit that wins outright: a word only it holds, and half again the runner-up's score. */
function decisive(best: { score: number }, next: { score: number } | undefined): boolean {
  return best.score >= 1 && (!next || best.score >= next.score * 1.5);
}
