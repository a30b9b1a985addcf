import { projectFacts } from "../knowledge/project-facts.js";
import type { SearchIndex, SearchResult } from "../knowledge/search-index.js";
import { detectLanguage, tokenize } from "../knowledge/tokenize.js";
import { knowledgeTopic } from "../knowledge/topic.js";
import { type BotMetrics, noopMetrics } from "../metrics.js";
import type { AnswerReply, ConversationId, HandleOptions, Language } from "../types.js";
import type { Answerer } from "./answerer.js";
import { FactComposer, quotes } from "./fact-answers.js";
import { ImplicitSubjects } from "./implicit-subject.js";
import type { ConversationMemory } from "./memory.js";
import { messages } from "./messages.js";
import {
  ABOUT_THE_BOT,
  AUTHORS_VIEW,
  CAREER_OR_STUDY,
  DETAIL_ONCE,
  FILLER_EN,
  HOW_TO,
  TASK,
  TOOL_MANUAL,
  TRAVEL,
  TROUBLESHOOT,
} from "./question-cues.js";
import { checkQuestion } from "./question-guard.js";
import { ATTRIBUTE_INTENTS, projectSubjects, QuestionReader, type Understanding } from "./understand.js";

/** Below this share of the question's content found in the top passages, the knowledge base does not cover it. */
export const MIN_COVERAGE = 0.5;
/** How many unknown words, with no known one, make a question about something the article doesn't say. */
const UNKNOWN_ONLY_MIN = 2;

const COUNT = /\bhow many\b|\bnumber of\b|多少个|几个|多少种/;

const ABOUT_ARTICLE = /\b(the|this) (article|piece|post|author)\b|文章|这篇|作者/;

/** Passages retrieved per question unless configured otherwise (RETRIEVAL_K). */
export const DEFAULT_RETRIEVAL_K = 4;

export interface AskOptions extends HandleOptions {
  conversationId?: ConversationId;
  /** Focus on one catalog project (shortcut commands). */
  projectId?: string;
  k?: number;
}

export interface AskResult {
  reply: AnswerReply;
  retrieval?: SearchResult;
  understanding?: Understanding;
}

/** Free questions: guard, understand, recall the conversation, retrieve, decline or answer, remember. */
export class QuestionService {
  private readonly reader: QuestionReader;
  private readonly composer: FactComposer;
  private readonly subjects: ImplicitSubjects;

  constructor(
    private readonly index: SearchIndex,
    private readonly answerer: Answerer,
    private readonly memory: ConversationMemory,
    private readonly metrics: BotMetrics = noopMetrics,
    private readonly defaultK: number = DEFAULT_RETRIEVAL_K,
  ) {
    this.reader = new QuestionReader(index.kb, index.matcher, (concept) => index.knowsConcept(concept));
    this.composer = new FactComposer(index.kb, (w) => index.formsOf(w));
    this.subjects = new ImplicitSubjects(index);
  }

  /** How a question is understood, without answering it (for eval, debugging and the bench). */
  understand(question: string, previousProjectIds?: string[]): Understanding {
    return this.reader.read(question, previousProjectIds ? { previousProjectIds } : {});
  }

  async ask(rawQuestion: string, options: AskOptions = {}): Promise<AskResult> {
    const language: Language = detectLanguage(rawQuestion);
    const question = checkQuestion(rawQuestion, language);
    const history = options.conversationId ? await this.memory.get(options.conversationId) : [];
    const last = history.at(-1);
    const read = this.reader.read(question, {
      ...(last ? { previousProjectIds: last.projectIds } : {}),
      ...(options.projectId ? { focusProjectId: options.projectId } : {}),
    });
    const u = this.subjects.withImplicitSubject(read);
    if (u.injection) {
      return {
        reply: { text: messages.declinedInjection[language], sources: [], mode: "declined", language },
        understanding: u,
      };
    }
    if (u.needsSubject) {
      return { reply: this.clarify(language), understanding: u };
    }
    const subjects = projectSubjects(u);
    const k = options.k ?? this.defaultK;
    const retrievalStarted = performance.now();
    const retrieval = this.index.search(question, {
      k,
      projectIds: subjects,
      // A follow-up that names nothing ("and who uses it?") borrows the previous question's terms.
      ...(u.subjectsFromContext && last ? { context: last.question } : {}),
    });
    this.metrics.retrievalSeconds((performance.now() - retrievalStarted) / 1000);

    const recommended = this.subjects.recommendation(u, retrieval);
    if (!this.onTopic(u, retrieval, recommended)) {
      return {
        reply: {
          text: messages.declinedOffTopic[language](knowledgeTopic(this.index.kb, language)),
          sources: [],
          mode: "declined",
          language,
        },
        retrieval,
        understanding: u,
      };
    }
    // What the understood question rests on joins the retrieved passages, first: the model sees
    // the subjects' catalog facts, and the extractive answer can cite them.
    const evidence = this.composer.evidence(u, recommended);
    const hits = [
      ...evidence.map((passage) => ({ passage, score: retrieval.hits[0]?.score ?? 1 })),
      ...retrieval.hits.filter((h) => !evidence.includes(h.passage)),
    ].slice(0, k + evidence.length);
    const grounded: SearchResult = {
      ...retrieval,
      hits,
      projectIds: [...new Set([...subjects, ...retrieval.projectIds])],
    };
    const hedge = this.unstatedDetails(u, question);
    const result = await this.answerer.answer({
      question,
      language,
      retrieval: grounded,
      history,
      understanding: u,
      catalogFacts: this.catalogFacts(u, recommended),
      hedge: hedge.length > 0,
      ...(hedge.length > 0 ? { unstated: hedge } : {}),
      ...(recommended ? { recommended } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (options.conversationId && result.mode !== "declined") {
      await this.memory.append(options.conversationId, {
        question,
        answer: result.text,
        projectIds:
          subjects.length > 0 ? subjects : recommended ? [recommended] : retrieval.projectIds.slice(0, 2),
        at: Date.now(),
      });
    }
    const reply: AnswerReply = { text: result.text, sources: result.sources, mode: result.mode, language };
    if (result.fallback) reply.fallback = result.fallback;
    if (result.notice) reply.notice = result.notice;
    if (result.hedged) reply.hedged = true;
    return { reply, retrieval: grounded, understanding: u };
  }

  /**
   * Decline only questions about nothing the knowledge base covers: a named subject, a question
   * about the catalog, the event or the article, or a retrieval match on the question's own content
   * words is on topic, whatever filler surrounds it.
   */
  private onTopic(u: Understanding, retrieval: SearchResult, recommended: string | undefined): boolean {
    // Travel and logistics around the event (a visa, a pub near the venue) are not the article's.
    if (TRAVEL.test(u.text) && projectSubjects(u).length === 0 && !u.intents.includes("event-when"))
      return false;
    // A question with no subject about things the knowledge base has never heard of (Argo CD,
    // "Cilium or Calico") is about them, unless it mostly asks what the article says.
    // The article as a subject doesn't count here: "The New Stack's piece on WebAssembly" is another one.
    // Instructions for a tool the article only names in passing ("set up Prometheus alerts",
    // "multus 的 NAD 怎么写") are in none of its passages: that is another tool's manual.
    const named = projectSubjects(u);
    const featured = (id: string) => this.index.kb.projects.some((p) => p.id === id && p.featured);
    if (named.length > 0 && !named.some(featured) && HOW_TO.test(u.text)) return false;
    // "Write me a Cluster API manifest for AWS": a task, not a question about the article.
    if (TASK.test(u.text)) return false;
    // "Which model are you?": about the bot, not the article.
    if (ABOUT_THE_BOT.test(u.text)) return false;
    // Careers, courses and books ("转行做云原生运维有前途吗", "推荐几本学 Go 的书"): not the article's.
    if (CAREER_OR_STUDY.test(u.text) && !u.intents.includes("reading")) return false;
    // "Kubernetes 1.32 有哪些新特性？": a release the knowledge base never mentions, with no project.
    if (named.length === 0 && u.content.unknown.some((w) => /^\d+\.\d+(\.\d+)?$/.test(w))) return false;
    // "otel collector config to export traces to jaeger?": a tool the article only names, asked
    // about in words none of which the article uses of it, is that tool's own manual.
    // Troubleshooting it ("MAAS commissioning keeps failing") is too.
    const asksOpen = u.intents.some((i) => ATTRIBUTE_INTENTS.has(i) || i === "what" || i === "why");
    const foreignWords =
      u.content.unknown.filter((c) => !this.index.knowsAbout(c, named)).length >= 3 &&
      u.content.known.every((c) => !this.index.knowsAbout(c, named));
    if (
      named.length > 0 &&
      !named.some(featured) &&
      (TROUBLESHOOT.test(u.text) ||
        TOOL_MANUAL.test(u.text) ||
        (u.details.length === 0 && !asksOpen && foreignWords))
    )
      return false;
    const covered = u.subjects.filter((s) => s.kind !== "article").length;
    const unheardOf =
      covered === 0 &&
      u.unknownNames.length > 0 &&
      !(
        (ABOUT_ARTICLE.test(u.text) || u.intents.includes("article")) &&
        u.content.known.length > u.unknownNames.length
      );
    // "Cilium or Calico?": a choice between things the article never mentions.
    const names = u.unknownNames.filter((n) => /^[A-Z][A-Za-z]{2,}$/.test(n) && !DETAIL_ONCE.test(n));
    // "istio vs linkerd": both sides of a choice unknown, capitalised or not.
    const sides = [...u.text.matchAll(/([a-z][\w-]+)\s*(?:vs\.?|versus|or|还是|和|与|跟)\s*([a-z][\w-]+)/g)];
    const choiceOfUnknowns =
      (new Set(names.map((n) => n.toLowerCase())).size >= 2 && /\bor\b|\bvs\.?\b|还是/.test(u.text)) ||
      (covered === 0 &&
        sides.some((m) =>
          [m[1], m[2]].every((w) => tokenize(w as string).every((t) => u.content.unknown.includes(t))),
        ));
    if (unheardOf || u.leadsWithUnknownName || choiceOfUnknowns) return false;
    if (u.subjects.length > 0 || recommended || quotes(u, this.index.kb).length > 0) return true;
    if (
      u.intents.some(
        (i) => ["superlative", "list", "article", "reverse-link"].includes(i) || i.startsWith("event-"),
      )
    )
      return true;
    if (retrieval.hits.length === 0) return false;
    // With no subject, a detail the knowledge base never mentions (a visa, a hotel) is the topic.
    const never = (d: string) =>
      /\p{Script=Han}/u.test(d)
        ? !this.index.knowsConcept(d)
        : tokenize(d).every((t) => !this.index.knowsConcept(t));
    if (u.details.some(never) && !AUTHORS_VIEW.test(u.text)) return false;
    const { known, unknown } = u.content;
    // A question about what the article says ("where does Red Hat come up in the article?") is on
    // topic when any of its words is the article's.
    if (ABOUT_ARTICLE.test(u.text) && (known.length > 0 || u.entities.length > 0)) return true;
    // "Which of the five is a CNCF project?": a question across the catalog.
    if (u.acrossCatalog && u.intents.length > 0) return true;
    if (known.length === 0 || known.length <= unknown.length) return false;
    return retrieval.coverage >= MIN_COVERAGE || this.contentCoverage(u, retrieval) >= MIN_COVERAGE;
  }

  /** Share of the question's content concepts found in its top passages. */
  private contentCoverage(u: Understanding, retrieval: SearchResult): number {
    const all = [...u.content.known, ...u.content.unknown];
    if (all.length === 0) return 0;
    const top = retrieval.hits.slice(0, 3).map((h) => this.index.termsOf(h.passage.id));
    const found = all.filter((c) => {
      const forms = this.index.formsOf(c);
      return top.some((terms) => forms.some((f) => terms.has(f)));
    });
    return found.length / all.length;
  }

  /**
   * Details the question asks about a covered subject that the knowledge base never mentions
   * ("pricing", "CEO", "install"): the answer says the article doesn't state them.
   */
  private unstatedDetails(u: Understanding, question: string): string[] {
    if (u.subjects.length === 0 || u.intents.includes("compare") || u.intents.includes("superlative"))
      return [];
    // Known to the knowledge base is not enough: the subject's own passages must use the word
    // ("价格" occurs in the article, but never about vCluster).
    const ids = projectSubjects(u);
    // A detail asked for (price, room, license…) that the subject's passages never mention.
    const details = u.details.filter(
      (d) =>
        tokenize(d).some((t) => !this.index.knowsAbout(t, ids)) ||
        (/\p{Script=Han}/u.test(d) && !this.index.knowsAbout(d, ids)),
    );
    if (details.length > 0) return details;
    // "Is CAPI better than crossplane?": a comparison with something the article never mentions.
    if (ids.length === 1) {
      const other = [
        ...u.text.matchAll(
          /\b(?:than|vs\.?|versus|compared (?:to|with)|or)\s+([a-z][\w-]*)|(?:比|和|跟|与)\s*([a-z][\w-]*)/g,
        ),
      ]
        .map((m) => (m[1] ?? m[2]) as string)
        .filter((w) => {
          const tokens = tokenize(w);
          // A word, not filler ("…or still wip?").
          return (
            tokens.length > 0 &&
            tokens.every((t) => !this.index.knowsConcept(t) && !FILLER_EN.has(t) && t.length > 2)
          );
        });
      if (other.length > 0) return other;
    }
    // "How do I configure the CAPI AWS provider?": an overview article gives no instructions.
    if (ids.length > 0 && HOW_TO.test(u.text))
      return [u.language === "zh" ? "具体的操作步骤" : "step-by-step instructions"];
    // "How many CAPI providers are there?": a count the catalog doesn't keep (it counts stars,
    // talks and years) is a number the article doesn't give.
    const counted = ["stars", "talks", "age", "contributors", "users", "maintenance"];
    if (ids.length > 0 && COUNT.test(u.text) && !u.intents.some((i) => counted.includes(i)))
      return [u.language === "zh" ? "具体数量" : "how many"];
    const all = [...u.content.known, ...u.content.unknown];
    const unknown = all.filter((c) => !this.index.knowsAbout(c, ids));
    const known = all.filter((c) => !unknown.includes(c));
    // Ordinary words the article doesn't use ("spin up", "互相") are not a detail asked for: only a
    // question made of nothing but such words is.
    if (unknown.length === 0 || known.length > 0 || unknown.length < UNKNOWN_ONLY_MIN) return [];
    // The user's own words for the unknown concepts, as they wrote them.
    const words = question.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
    const surface = new Set<string>();
    for (const c of unknown) {
      if (/\p{Script=Han}/u.test(c)) surface.add(c);
      else {
        const word = words.find((w) => !/\p{Script=Han}/u.test(w) && tokenize(w).includes(c));
        if (word) surface.add(word);
      }
    }
    return [...surface];
  }

  /** Compact catalog lines about the understood subjects, for the model's prompt. */
  private catalogFacts(u: Understanding, recommended: string | undefined): string[] {
    const ids = [...projectSubjects(u), ...(recommended ? [recommended] : [])];
    const lines: string[] = [];
    for (const id of [...new Set(ids)].slice(0, 3)) {
      const p = this.index.matcher.get(id);
      if (!p) continue;
      const facts = projectFacts(p, u.language)
        .filter((f) => f.key !== "category")
        .map((f) => `${f.label}: ${f.value}`);
      const session = p.links.kubecon_session
        ? [`KubeCon London session: ${p.links.kubecon_session.title} (${p.links.kubecon_session.url})`]
        : [];
      lines.push(`${p.name} — ${[p.summary[u.language], ...facts, ...session].join("; ")}`);
    }
    return lines;
  }

  private clarify(language: Language): AnswerReply {
    const featured = this.index.kb.projects.filter((p) => p.featured).map((p) => p.name);
    const text =
      language === "zh"
        ? `你问的是哪个项目？例如：${featured.join("、")}。`
        : `Which project do you mean? For example: ${featured.slice(0, -1).join(", ")} or ${featured.at(-1)}.`;
    return { text, sources: [], mode: "clarify", language };
  }
}
