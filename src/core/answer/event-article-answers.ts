import type { KnowledgeBase, Passage } from "../knowledge/knowledge-base.js";
import { tokenize } from "../knowledge/tokenize.js";
import {
  ASKS_LINK,
  type ComposedAnswer,
  type FactSentence,
  largestNumber,
  MONTH,
  sentencesOf,
  unstated,
} from "./fact-text.js";
import { CONCLUSION } from "./question-cues.js";
import type { Understanding } from "./understand.js";

/** The overview's sentence listing the article's sections. */
const SECTIONS_LEAD = /^(Its sections:|文章的各节：)/;
/** Asking for the article's sections or headings. */
const SECTIONS =
  /\bsections?\b|\bheadings?\b|\bchapters?\b|\bparts\b|章节|小节|几节|哪几节|各节|分几部分|几个部分/i;

const OTHERS = /\bother\b|\bbesides\b|\belse\b|\bapart from\b|其他|其它|另外|还提到|除了/;

/** Answers about the event and about the article itself: when and where, its identity, its closing. */
export class EventAndArticleAnswers {
  constructor(
    private readonly kb: KnowledgeBase,
    private readonly byId: Map<string, Passage>,
    private readonly formsOf: (word: string) => string[] = (w) => [w],
  ) {}

  event(u: Understanding): ComposedAnswer | undefined {
    const L = u.language;
    const sentences: FactSentence[] = [];
    for (const e of this.kb.events) {
      const passage = this.byId.get(`event:${e.id}:${L}`);
      if (!passage) continue;
      const facts = e.facts.map((f) => f[L]);
      const picks = new Set<string>();
      // When/where: the fact that places the event in time (a month or date). Scale: the one with
      // the largest number (submissions outnumber talks).
      // The event's page when a link is asked for (looking at "the sched" asks no link).
      if (/\blinks?\b|\burls?\b|\bpage\b|\bwebsite\b|\bsite\b|链接|网址|官网|网站/.test(u.text)) {
        // Sentences end at "。", or at "." before a space: a URL's dots don't end one.
        const page = passage.text.split(/(?<=。)|(?<=\.)\s+/u).find((t) => /https?:\/\//.test(t));
        if (page) picks.add(page);
      }
      if (u.intents.includes("event-when") || u.intents.includes("event-where")) {
        const placed = facts.find((f) => MONTH.test(f)) ?? facts[0];
        if (placed) picks.add(placed);
      }
      if (u.intents.includes("event-scale")) {
        const biggest = [...facts].sort((a, b) => largestNumber(b) - largestNumber(a))[0];
        if (biggest) picks.add(biggest);
      }
      for (const text of picks) sentences.push({ text, passage });
    }
    return sentences.length ? { sentences, hedged: false } : undefined;
  }

  article(u: Understanding, what: "list" | "about"): ComposedAnswer | undefined {
    const L = u.language;
    const article = this.kb.articles[0];
    if (what === "about" && CONCLUSION.test(u.text) && article) return this.conclusion(u, article.meta.id);
    const passage = article ? this.byId.get(`article:${article.meta.id}:${L}`) : undefined;
    if (!passage) return undefined;
    const all = passage.text.split(/(?<=[。.])\s*/u).filter(Boolean);
    // The sections sentence lists headings, which may hold dots of their own: it is found by its lead.
    const sectionsAt = all.findIndex((t) => SECTIONS_LEAD.test(t));
    const sectionList = sectionsAt >= 0 ? all.slice(sectionsAt).join(" ") : undefined;
    const sentences = sectionsAt >= 0 ? all.slice(0, sectionsAt) : all;
    const [identity, translation, covers, mentions] = sentences;
    // "What are the article's sections?": its headings.
    if (what === "about" && sectionList && SECTIONS.test(u.text) && !CONCLUSION.test(u.text))
      return { sentences: [{ text: sectionList, passage }], hedged: false };
    const picks: string[] = [];
    // "Besides the five, what else does it mention?" wants the others first.
    if (what === "list")
      picks.push(
        ...(OTHERS.test(u.text) ? [mentions, covers] : [covers, mentions]).filter((s): s is string => !!s),
      );
    else {
      // Who translated it, or when exactly: the article's metadata names the author and publisher only.
      if (/translat|翻译|译/.test(u.text) && /\bwho\b|谁/.test(u.text)) {
        return {
          sentences: [
            { text: unstated(L, L === "zh" ? "译者是谁" : "who translated it"), passage },
            ...(translation ? [{ text: translation, passage }] : []),
          ],
          hedged: true,
        };
      }
      // "Got a link to the original?": the article's address.
      if (ASKS_LINK.test(u.text) && article?.meta.url) {
        const text =
          L === "zh" ? `原文链接：${article.meta.url}` : `The original article: ${article.meta.url}`;
        return {
          sentences: [{ text, passage }, ...(identity ? [{ text: identity, passage }] : [])],
          hedged: false,
        };
      }
      // "Has the author written anything else?": the knowledge base holds this one article.
      if (
        /\b(other|else|more)\b[^?]{0,20}\b(articles?|pieces?|posts?|written|wrote)\b|(别的|其他|其它).{0,4}(文章|作品)/.test(
          u.text,
        )
      )
        return {
          sentences: [
            {
              text: unstated(L, L === "zh" ? "作者的其他文章" : "what else the author has written"),
              passage,
            },
            ...(identity ? [{ text: identity, passage }] : []),
          ],
          hedged: true,
        };
      // "The exact publication date": the article's metadata doesn't give it.
      // "When was it published?": the article's metadata gives no date; nor anything about its
      // author beyond the name.
      // Words about the article itself (its translation, title) are what it does state.
      const details = u.details.filter((d) => !/translat|title|original|翻译|标题|原文/i.test(d));
      // When it was published: the metadata's date, as precise as it is (a month is no day).
      const published = String(article?.meta.published ?? "");
      const asksWhen = /\bwhen\b|什么时候|啥时候|何时|哪一?天|哪年|几月|\bdate\b|日期/.test(u.text);
      const asksDay = /\b(exact|exactly|day)\b|哪一?天|几号|具体(日期|哪天)/.test(u.text);
      const knownWhen = /^\d{4}/.test(published) && (!asksDay || /^\d{4}-\d{2}-\d{2}/.test(published));
      const asked = [
        // Date words are covered by the date phrase, known or not.
        ...details.filter(
          (d) => !/\b(dates?|exact|precise|when|what day|which day)\b|日期|几号|几点|具体/i.test(d),
        ),
        ...((asksWhen || asksDay) && !knownWhen
          ? [
              L === "zh"
                ? asksDay
                  ? "具体发表日期"
                  : "发表时间"
                : asksDay
                  ? "exact publication date"
                  : "publication date",
            ]
          : []),
      ];
      if (asked.length > 0) {
        const list = asked.map((d) => `“${d}”`).join(L === "zh" ? "、" : ", ");
        return {
          sentences: [
            {
              text:
                L === "zh"
                  ? `文章本身没有说明${list}。关于这篇文章：`
                  : `The article doesn't state its ${list}. About the article:`,
              passage,
            },
            ...(identity ? [{ text: identity, passage }] : []),
          ],
          hedged: true,
        };
      }
      if (identity) picks.push(identity);
      // "When was it published?": the month the metadata gives, and that it gives no day.
      if (asksWhen && /^\d{4}-\d{2}$/.test(published) && identity)
        return {
          sentences: [
            { text: identity, passage },
            { text: unstated(L, L === "zh" ? "具体哪一天发表" : "the exact day it was published"), passage },
          ],
          hedged: true,
        };
      if (/translat|翻译|译|original|原文|english|英文|chinese|中文/i.test(u.text) && translation)
        picks.push(translation);
      if (covers && picks.length < 2) picks.push(covers);
    }
    return { sentences: picks.map((text) => ({ text, passage })), hedged: false };
  }

  /** The article's closing section: its first sentences, the ones holding the question's words first. */
  private conclusion(u: Understanding, articleId: string): ComposedAnswer | undefined {
    const last = this.closing(articleId);
    if (last.length === 0) return undefined;
    const sentences = last.flatMap((p) =>
      sentencesOf(p.text)
        // A link's leftover ("请查看。") is no sentence.
        .filter((t) => [...t].length > 6)
        .map((text) => ({ text, passage: p })),
    );
    // "At the very end" wants the closing sentences; a conclusion, the opening ones.
    // The sentences holding the question's words ("what did the research find?"), else by position.
    const words = u.content.known.filter((w) => w.length > 1);
    const holds = (t: string) => {
      const terms = new Set(tokenize(t));
      return words.filter((w) => t.toLowerCase().includes(w) || this.formsOf(w).some((f) => terms.has(f)))
        .length;
    };
    // The very end ("the last lines", "最后一句") wants the closing sentences; the closing section
    // ("结尾", "the end of the article") its main point, which opens it.
    const atEnd =
      /\bvery end\b|\blast (sentences?|lines?|words|paragraph)\b|最后一句|最后几句|最后一段|末尾/.test(
        u.text,
      );
    // Ties go to the end when the end is asked about.
    const late = atEnd || /\bend\b|最后|结尾/.test(u.text);
    const ordered = late ? [...sentences].reverse() : sentences;
    const matching = [...ordered].sort((a, b) => holds(b.text) - holds(a.text));
    const picked =
      words.length > 0 && holds(matching[0]?.text ?? "") > 0
        ? matching.slice(0, 2)
        : atEnd
          ? sentences.slice(-2).reverse()
          : sentences.slice(0, 2);
    const section = last[0]?.section ?? "";
    const L = u.language;
    const lead =
      L === "zh" ? `文章的结尾一节是“${section}”：` : `The article closes with the section “${section}”:`;
    return { sentences: [{ text: lead, passage: last[0] as Passage }, ...picked], hedged: false };
  }

  /** The passages of an article's last section. */
  closing(articleId: string): Passage[] {
    const passages = this.kb.passages.filter((p) => p.kind === "article" && p.articleId === articleId);
    const section = passages.at(-1)?.section;
    return section === undefined ? [] : passages.filter((p) => p.section === section);
  }
}
