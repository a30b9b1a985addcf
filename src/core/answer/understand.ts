import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { createProjectDetector } from "../knowledge/knowledge-base.js";
import { editDistance, type ProjectMatcher } from "../knowledge/project-matcher.js";
import { chineseWords, detectLanguage, normalizeText, tokenize } from "../knowledge/tokenize.js";
import type { Language } from "../types.js";
import { looksLikeInjection } from "./question-guard.js";

/**
 * What a question asks for. Attribute intents ask for one catalog fact of a subject; the others
 * ask about several subjects, the event, the article, or for a project that fits a need.
 */
export type Intent =
  | "what"
  | "why"
  | "creator"
  | "users"
  | "contributors"
  | "stars"
  | "age"
  | "talks"
  | "cncf"
  | "products"
  | "maintenance"
  | "compare"
  | "superlative"
  | "reverse-link"
  | "recommend"
  | "event-when"
  | "event-where"
  | "event-scale"
  | "article"
  | "list";

/** Intents answered by one fact of the catalog about a named subject. */
export const ATTRIBUTE_INTENTS = new Set<Intent>([
  "creator",
  "users",
  "contributors",
  "stars",
  "age",
  "talks",
  "cncf",
  "products",
  "maintenance",
]);

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
  injection: boolean;
  /**
   * The question's own concepts beyond names, question words and filler, split by whether the
   * knowledge base uses them: unknown ones are details the article does not state.
   */
  content: { known: string[]; unknown: string[] };
}

// Intent cues. Each is a kind of question, in both languages; the wording of any one set is not the point.
const CUES: [Intent, RegExp][] = [
  [
    "stars",
    /\bstars?\b|\bstargazers?\b|\bgithub\b.*\b(popular|count|rating)|星标|星星|颗星|个星|多少星|\bstar数|星数|几颗星|几个星/,
  ],
  [
    "age",
    /\bhow old\b|\bwhen (did|was|were|has)\b.*\b(start|begin|began|create|found|launch|born|kick)|\b(started|began|launched|founded) (in|back)\b|\bsince when\b|\bwhat year\b|\bage\b|\bolder\b|\bolde?st\b|\bnewer\b|\bnewest\b|\byoungest\b|\bbeen around\b|\bhow long\b|\bhow many years\b|\bmature\b|\bmaturity\b|多久|几年|哪年|哪一年|什么时候(开始|创建|启动|出现|诞生)|始于|开始于|历史|年头|多老|更老|最老|最早|成熟|诞生/,
  ],
  [
    "creator",
    /\bwho\b.*\b(made|makes|make|created|creates|create|built|builds|wrote|develop(s|ed)?|started|founded|behind|maintains?|owns?)\b|\bcreat(or|ors|ed by)\b|\bmakers?\b|\bcompany behind\b|\bwho'?s behind\b|谁(做|开发|创建|创造|写|发起|搞)|是谁(做|开发|创建|创造|写|搞)|创建者|创始|开发者|开发商|哪家公司(做|开发|创建)|出品|由谁|谁家/,
  ],
  [
    "users",
    /\bwho\b.*\b(uses?|using|runs?|running|adopted|relies|deploys?)\b|\bwhich\b.*\b(compan|organi[sz]ation|enterprise|firm|business)\w*\b.*\b(use|using|run|adopt|rely|deploy)|\busers?\b|\bcustomers?\b|\badopters?\b|\bin production\b|谁在用|谁用|谁在使用|(哪些|什么)(公司|企业|厂商|组织).*(用|使用)|用户|使用者|客户|在用|在使用/,
  ],
  ["contributors", /\bcontribut\w*|\bbacked by\b|\bbackers?\b|\bsponsor|贡献|支持者/],
  [
    "talks",
    /\btalks?\b|\bsessions?\b|\bspeak(er|ers|s|ing)?\b|\bpresent(ation|ations|s|ing)?\b|\bkeynotes?\b|\bschedule\b|\bsched\b|\blightning\b|\blinks?\b|\burls?\b|演讲|会议|议程|分享|讲座|链接|闪电|日程/,
  ],
  ["cncf", /\bcncf\b|\bsandbox\b|\bincubat\w*|\bgraduat\w*|沙箱|孵化|毕业/],
  [
    "products",
    /\bproducts?\b|\bvendors?\b|\bdistributions?\b|\bwhere (can|do) i find\b|\bships? (it|with)\b|产品|厂商|发行版/,
  ],
  [
    "maintenance",
    /\bmaintain\w*|\bactive(ly)?\b|\breleases?\b|\bstill alive\b|\bdead\b|维护|发布|活跃|新版本/,
  ],
];

const WHY =
  /\bwhy\b|\bmatters?\b|\bimportant\b|\bimportance\b|\bworth\b|\bcare\b|\bbenefits?\b|\badvantages?\b|\bpoint of\b|\bproblems?\b|\bsolves?\b|\bvalue\b|\bgood for\b|为什么|为何|重要|意义|好处|优势|价值|值得|解决|痛点|凭什么/;
const WHAT =
  /\bwhat(?:'s|s| is| are| does| do)\b|\bwhat\b.*\bfor\b|\bexplain\b|\bdescribe\b|\btell me about\b|\boverview\b|\bused for\b|\bpurpose\b|\bwtf is\b|\bwhats\b|\bintro(duce|duction)?\b|\bsummar(y|ize|ise)\b|是什么|是啥|是干|干嘛|干啥|做什么|干什么|用来|用于|介绍|有什么用|啥东西|说的是|讲的是|讲了什么|说了什么/;
const COMPARE =
  /\bvs\.?\b|\bversus\b|\bcompar\w*|\bdiffer\w*|\bbetter\b|\bor\b|\bthan\b|\bwhich (one|is|has)\b|区别|不同|对比|比较|相比|差异|差别|哪个|还是|更/;
const SUPERLATIVE =
  /\b(most|fewest|least|highest|lowest|oldest|newest|youngest|biggest|largest|smallest|popular(est)?|top)\b|最(多|少|老|早|新|晚|受欢迎|流行|火|热门|大|小|高|低)/;
const SUPERLATIVE_MIN = /\b(fewest|least|lowest|smallest|newest|youngest)\b|最(少|新|晚|小|低)/;
const SUPERLATIVE_AGE = /\b(oldest|newest|youngest|older|newer|age)\b|最(老|早|新|晚)|历史最/;
// A superlative about the catalog, not the world ("the most popular programming language").
const CATALOG_SCOPE =
  /\bprojects?\b|\bfive\b|\bthem\b|\bthese\b|\bthose\b|\blisted\b|\bmentioned\b|\barticle\b|\bcovered\b|\bstars?\b|\bgithub\b|项目|五个|这些|它们|文章|提到|星/;
const RECOMMEND =
  /\bshould i\b|\brecommend\w*|\bsuggest\w*|\bwhich (project|tool|one)\b|\bwhat (project|tool)\b|\bi (need|want|wanna|would like|'d like)\b|\bi'?m (looking|trying|searching)\b|\blooking for\b|\bbest (option|choice|fit|tool|project|way)\b|\bhelp me\b|\bgood (option|choice|fit)\b|\bfits?\b|\bsuits?\b|\bis there (a|any) (project|tool)\b|推荐|建议|适合|应该用|用哪个|选哪个|哪个项目|什么项目|什么工具|哪个工具|我(想|需要|要|打算)|有没有(什么)?(项目|工具|办法)/;
const EVENT_WORDS = /\bkubecon\b|\bcloudnativecon\b|\bconference\b|\bevent\b|\bsummit\b|大会|会议|活动|峰会/;
const EVENT_WHEN =
  /\bwhen\b|\bwhat (month|date|time|day)\b|\bdates?\b|\bmonth\b|什么时候|何时|几月|时间|哪个月|日期|哪天/;
const EVENT_WHERE =
  /\bwhere\b|\bwhich (city|country|place)\b|\bcity\b|\blocation\b|\bvenue\b|\bheld\b|哪里|在哪|哪个城市|地点|城市|举办|举行/;
const EVENT_SCALE =
  /\bhow many (talks|sessions|submissions|proposals)\b|\bsubmissions?\b|\bproposals?\b|\bcompetitive\b|\bselective\b|\bhard to get\b|\bacceptance\b|\baccepted\b|\bcfp\b|\bhow big\b|\bsize\b|投稿|提交|竞争|筛选|录取|入选|多少场|规模/;
// Questions about the article itself (who wrote it, its title, the translation), not about what it says.
const ARTICLE =
  /\bauthor\b|\bwho wrote\b|\bwritten by\b|\bwriter\b|\btitle\b|\bheadline\b|\bpublish\w*|\boriginal\b|\btranslat\w*|\bthe new stack\b|\bwhat is (the|this) (article|post|piece) about\b|\bsummar(y|ize|ise) (the|this) article\b|作者|标题|原文|翻译|译文|谁写|谁翻译|发表|原标题|出处|哪个网站|文章(主要)?(讲|说)了(什么|啥)|文章是关于什么/;
const LIST =
  /\b(which|what|list|all|name)\b.*\b(projects|tools)\b|\bprojects?\b.*\b(covered|mentioned|listed)\b|\bwhat does (it|the article) cover\b|哪些项目|几个项目|列出|所有项目|五个项目|介绍了哪些|哪五个|提到了哪些|有哪些工具/;
const REFERS_BACK =
  /\b(it|its|it's|they|them|their|this (one|project|tool)|that (one|project|tool)|the project|the tool)\b|它|它们|这个项目|那个项目|该项目|这个工具|这玩意|这东西/;
const SESSION_LINK = /(?:https?:\/\/)?sched\.co\/[A-Za-z0-9]+/i;

// Words that carry no content in a question: filler, politeness, and the generic vocabulary of
// asking. They are neither evidence that the article covers a question nor that it doesn't.
const FILLER_EN = new Set(
  `github produce produces provide provides offer offers work works handle handles fix fixes happen happens
  should would could might may must shall happen happening happened ever whole kinda actually basically so like really just kinda sorta quick q hey hi hello yo thanks thank pls please plz ok okay um uh
  curious wonder wondering wondered question questions ask asking asked know knowing tell told explain describe mean means
  meaning thing things stuff kind sort lot lots bit little quite pretty very also too again anyway btw fyi real really
  problem problems solve solves solving matter matters important worth care point good great best better nice cool
  use used uses using purpose need needs want wants look looking find idea think thought give get got make
  made do does did doing done go going gonna wanna let lets help exactly even still now today currently here
  there something anything everything someone anyone people guys folks one ones way ways bot spotlight read
  say says said article talk talks mention mentioned`
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((w) => tokenize(w)),
);
const FILLER_ZH =
  /请问一下|请问|一下|到底|究竟|这次|这个|那个|都没有|都|呀|啊|呢|吧|哈|嘛|哦|噢|诶|喔|么|啥|干嘛|干啥|做什么|干什么|说的是|讲的是|是什么|什么|怎么样|怎么|如何|为什么|为何|哪些|哪个|哪家|哪里|哪|谁|多少|几个|有没有|是不是|是否|能不能|可不可以|可以|知道|想知道|想问|我想|我们|你们|告诉我|介绍一下|介绍|问题|解决|重要|东西|情况|一些|有点|好奇|其实|基本上|所以|然后|就是|还有|文章|提到|里面|关于|项目|工具/g;

// Every cue, global: what the question's cues say is its intent, not its content.
const ALL_CUES = [
  ...CUES.map(([, re]) => re),
  WHY,
  WHAT,
  COMPARE,
  SUPERLATIVE,
  RECOMMEND,
  EVENT_WHEN,
  EVENT_WHERE,
  EVENT_SCALE,
  ARTICLE,
  LIST,
  REFERS_BACK,
].map((re) => new RegExp(re.source, `g${re.flags.replace("g", "")}`));

// Words left by segmentation that carry no content on their own.
const FILLER_ZH_WORDS = new Set(
  "用 要 好 有 能 会 在 做 想 让 给 跟 被 把 很 多 少 说 看 去 来 上 下 里 的是 很多 好几 几个 好多 一个 哪 里面 时候 现在 今天 具体 到底".split(
    " ",
  ),
);

/** The Latin/number concepts and Chinese words of a question that carry its content. */
function contentConcepts(question: string, isName: (word: string) => boolean): string[] {
  let rest = normalizeText(question).replace(SESSION_LINK, " ");
  for (const re of ALL_CUES) rest = rest.replace(re, " ");
  // Contractions ("i'm", "what's") are function words.
  const words = (
    rest.replace(/\p{Script=Han}+/gu, " ").match(/[\p{L}\p{N}][\p{L}\p{N}'’.-]*/gu) ?? []
  ).filter((w) => !/['’]/.test(w) && !isName(w));
  const latin = tokenize(words.join(" ")).filter((t) => !FILLER_EN.has(t) && !isName(t) && t.length > 1);
  const chinese = chineseWords(rest.replace(FILLER_ZH, " ")).filter(
    (w) => !isName(w) && !FILLER_ZH_WORDS.has(w),
  );
  return [...new Set([...latin, ...chinese])];
}

export interface UnderstandContext {
  /** Projects named by the conversation's previous turn, for follow-ups. */
  previousProjectIds?: string[];
  /** An explicit focus (a project shortcut command). */
  focusProjectId?: string;
}

/**
 * Reads a question once for both answerers: its subjects (catalog projects by name, alias, typo
 * or Chinese name; the event; the article), its intents, and its language.
 */
export class QuestionReader {
  private readonly detectEvents: (text: string) => string[];
  private readonly nameTokens: Set<string>;
  private readonly sessionOwners: Map<string, string>;
  /** Names the catalog states as facts (users, contributors, creators, products) -> which project and fact. */
  private readonly entities: { name: string; re: RegExp; projectId: string; intent: Intent }[];

  constructor(
    private readonly kb: KnowledgeBase,
    private readonly matcher: ProjectMatcher,
    /** Whether the knowledge base uses a term (a word of any passage, or its glossary translation). */
    private readonly knows: (concept: string) => boolean,
  ) {
    this.detectEvents = createProjectDetector(kb.events);
    // Names of projects, events and the people and companies the catalog states facts about.
    const entityNames = kb.projects.flatMap((p) => [
      ...(p.facts.users ?? []),
      ...(p.facts.contributors ?? []),
      ...(p.facts.creator ? [p.facts.creator] : []),
      ...(p.facts.products ?? []),
    ]);
    this.nameTokens = new Set(
      [
        ...[...kb.projects, ...kb.events].flatMap((p) => [p.name, p.id, ...p.aliases]),
        ...entityNames,
      ].flatMap((n) => [...tokenize(n), n.toLowerCase()]),
    );
    const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    this.entities = kb.projects.flatMap((p) => {
      const f = p.facts;
      const of = (names: string[] | undefined, intent: Intent) =>
        (names ?? []).map((name) => ({
          name,
          re: new RegExp(`(?<![a-z0-9])${escapeRegExp(name.toLowerCase())}(?![a-z0-9])`, "u"),
          projectId: p.id,
          intent,
        }));
      return [
        ...of(f.users, "users"),
        ...of(f.contributors, "contributors"),
        ...of(f.creator ? [f.creator] : [], "creator"),
        ...of(f.products, "products"),
      ];
    });
    this.sessionOwners = new Map(
      kb.projects.flatMap((p) =>
        p.links.kubecon_session ? [[sessionKey(p.links.kubecon_session.url), p.id]] : [],
      ),
    );
  }

  read(question: string, context: UnderstandContext = {}): Understanding {
    const language = detectLanguage(question);
    const text = normalizeText(question);
    const subjects: Subject[] = [];
    const link = SESSION_LINK.exec(question)?.[0];
    const linked = link ? this.sessionOwners.get(sessionKey(link)) : undefined;
    const named = this.matcher.mentionedIn(question, (w) => this.knows(w) || this.knows(tokenize(w)[0] ?? w));
    // Order subjects as the question names them ("X or Y" compares X first).
    const position = (id: string) => {
      const p = this.matcher.get(id);
      if (!p) return Number.POSITIVE_INFINITY;
      const spots = [p.name, p.id, ...p.aliases]
        .map((n) => text.indexOf(n.toLowerCase()))
        .filter((i) => i >= 0);
      return spots.length ? Math.min(...spots) : Number.POSITIVE_INFINITY;
    };
    named.sort((a, b) => position(a) - position(b));
    if (context.focusProjectId && !named.includes(context.focusProjectId))
      named.unshift(context.focusProjectId);
    if (linked && !named.includes(linked)) named.push(linked);
    // "Which project does Nvidia use?", "what did Loft Labs build?": a name the catalog states
    // as a fact points at its project, when the question asks about that relationship.
    let entityIntents: Intent[] = [];
    if (named.length === 0) {
      const asksRelation =
        CUES.some(
          ([intent, re]) =>
            ["users", "creator", "contributors", "products"].includes(intent) && re.test(text),
        ) ||
        /\bwhich (project|tool|one)\b|\bwhat (project|tool)\b|\bwho\b|哪个项目|什么项目|哪个工具|什么工具|用的是|用什么|在用什么/.test(
          text,
        );
      const hits = asksRelation ? this.entities.filter((e) => e.re.test(text)) : [];
      for (const hit of hits) if (!named.includes(hit.projectId)) named.push(hit.projectId);
      entityIntents = hits.map((h) => h.intent);
    }
    for (const id of named) subjects.push({ kind: "project", id });
    const events = this.detectEvents(question);
    // "kubecon londn": an event alias with a typo still names the event.
    if (events.length === 0 && EVENT_WORDS.test(text)) {
      const words = text.match(/[a-z][a-z0-9-]{4,}/g) ?? [];
      for (const e of this.kb.events)
        if (
          [e.name, ...e.aliases].some((alias) =>
            alias
              .toLowerCase()
              .split(/\s+/)
              .some(
                (w) =>
                  w.length >= 5 &&
                  !EVENT_WORDS.test(w) &&
                  words.some((x) => x !== w && editDistance(x, w) === 1),
              ),
          )
        )
          events.push(e.id);
    }
    // "KubeCon London" names the event; "kubecon" or "conference" alone may mean any edition.
    const eventish = events.length > 0 || EVENT_WORDS.test(text);
    const weakEvent = events.length === 0 && eventish;
    for (const id of events) subjects.push({ kind: "event", id });

    const intents: Intent[] = [];
    const add = (i: Intent) => {
      if (!intents.includes(i)) intents.push(i);
    };
    const projectCount = named.length;
    if (link) add("reverse-link");
    if (SUPERLATIVE.test(text) && projectCount !== 1 && projectCount !== 2 && CATALOG_SCOPE.test(text))
      add("superlative");
    if (projectCount >= 2 && COMPARE.test(text)) add("compare");
    // The event's own questions, when no project is the subject ("when is KubeCon?").
    if (projectCount === 0 && (eventish || EVENT_SCALE.test(text))) {
      if (EVENT_SCALE.test(text)) add("event-scale");
      if (EVENT_WHEN.test(text)) add("event-when");
      if (EVENT_WHERE.test(text)) add("event-where");
      if (
        intents.length === 0 &&
        eventish &&
        !ARTICLE.test(text) &&
        !CUES.some(([, re]) => re.test(text)) &&
        !LIST.test(text)
      )
        add("event-when");
    }
    // "Which projects does it cover?" lists the catalog; "which tools have no talks?" asks more.
    if (projectCount === 0 && LIST.test(text) && !CUES.some(([, re]) => re.test(text))) add("list");
    if (projectCount === 0 && ARTICLE.test(text) && !intents.includes("list")) add("article");
    const attributeCues = CUES.filter(([, re]) => re.test(text)).map(([intent]) => intent);
    // "talks" cues on an event question are about the event ("how many talks at KubeCon?").
    for (const intent of attributeCues) {
      if (intent === "talks" && projectCount === 0 && (intents.includes("event-scale") || link)) continue;
      if (intent === "age" && intents.includes("superlative")) continue;
      if (intent === "stars" && intents.includes("superlative")) continue;
      add(intent);
    }
    for (const intent of entityIntents) add(intent);
    if (WHY.test(text)) add("why");
    if (WHAT.test(text)) add("what");
    if (projectCount === 0 && !link && RECOMMEND.test(text)) add("recommend");

    let superlative: Understanding["superlative"];
    if (intents.includes("superlative")) {
      superlative = {
        attribute: SUPERLATIVE_AGE.test(text) ? "age" : "stars",
        direction: SUPERLATIVE_MIN.test(text) ? "min" : "max",
      };
    }

    const isName = (w: string) =>
      this.nameTokens.has(w) || (/^[a-z0-9-]{5,}$/.test(w) && this.matcher.mentionedIn(w).length > 0);
    const concepts = contentConcepts(question, isName);
    const known: string[] = [];
    const unknown: string[] = [];
    for (const c of concepts) (this.knows(c) ? known : unknown).push(c);
    // A who-question about a project with no other cue asks who made it ("who's behind vCluster?"),
    // unless it asks about someone the article never mentions ("who's the CEO of…").
    if (
      projectCount > 0 &&
      /\bwho\b|谁/.test(text) &&
      unknown.length === 0 &&
      !intents.some((i) => ATTRIBUTE_INTENTS.has(i))
    )
      intents.unshift("creator");
    // An event named only as "KubeCon", with details the article never mentions ("KubeCon North
    // America", "visa"), is some other edition or another topic: no subject.
    if (weakEvent && unknown.length > known.length) {
      for (let i = intents.length - 1; i >= 0; i--)
        if ((intents[i] as Intent).startsWith("event-")) intents.splice(i, 1);
    }

    const wantsAttribute = intents.some((i) => ATTRIBUTE_INTENTS.has(i) || i === "why" || i === "what");
    const needsSubject =
      projectCount === 0 &&
      !link &&
      !eventish &&
      !intents.some((i) => ["superlative", "recommend", "list", "article", "event-scale"].includes(i)) &&
      unknown.length <= known.length &&
      (REFERS_BACK.test(text) || (wantsAttribute && known.length === 0 && unknown.length === 0));
    let subjectsFromContext = false;
    if (needsSubject && context.previousProjectIds?.length) {
      for (const id of context.previousProjectIds) subjects.push({ kind: "project", id });
      subjectsFromContext = true;
      if (context.previousProjectIds.length >= 2 && COMPARE.test(text) && !intents.includes("compare"))
        intents.unshift("compare");
    }
    if (intents.includes("article") || intents.includes("list")) {
      const article = this.kb.articles[0];
      if (article) subjects.push({ kind: "article", id: article.meta.id });
    }
    return {
      text,
      language,
      subjects,
      intents,
      ...(superlative ? { superlative } : {}),
      ...(link ? { link } : {}),
      needsSubject: needsSubject && !subjectsFromContext,
      subjectsFromContext,
      injection: looksLikeInjection(question),
      content: { known, unknown },
    };
  }
}

function sessionKey(url: string): string {
  return url.replace(/^https?:\/\//i, "").toLowerCase();
}

/** The catalog projects among the subjects, in order. */
export function projectSubjects(u: Understanding): string[] {
  return u.subjects.flatMap((s) => (s.kind === "project" ? [s.id] : []));
}
