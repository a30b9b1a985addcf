// English and Chinese stop words from stopwords-iso (the package holds 58 languages; a test keeps
// this copy equal to it).

import { isOneEdit } from "../knowledge/project-matcher.js";
import { chineseWords, normalizeText, tokenize } from "../knowledge/tokenize.js";
import stopwordsIso from "./stopwords.json" with { type: "json" };

// The cues of question understanding: which words say what a question asks, which are filler,
// which ask for a detail. Kinds of question in both languages, never one set's wording.
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
  | "reading"
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
  "reading",
]);

// Intent cues. Each is a kind of question, in both languages; the wording of any one set is not the point.
export const CUES: [Intent, RegExp][] = [
  [
    "stars",
    /\bstars?\b|\bstargazers?\b|\bgithub\b.*\b(popular|count|rating)|\bpopular\w*\b.*\bgithub\b|\bmore popular\b|\b(bigger|biggest|more popular|most popular)\b[^?]{0,20}\bgithub\b|星(多|少)|星标|星星|颗星|个星|多少星|\bstar数|星数|几颗星|几个星|github\s*(上的?)?星/,
  ],
  [
    "age",
    /\bhow old\b|\bwhen (did|was|were|has)\b.*\b(start|begin|began|create|found|launch|born|kick|release)|\b(started|began|launched|founded) (in|back)\b|\bsince when\b|\bwhat year\b|\bage\b|\bolder\b|\bolde?st\b|\bnewer\b|\bnewest\b|\byoungest\b|\bbeen around\b|\bhow long (has|have|is|are)\b[^?]{0,40}\b(been|existed|around|running)\b|\bhow long ago\b|\bhow many years\b|\bmature\b|\bmaturity\b|\bbrand[- ]new\b|\bnewcomer\b|(?<!(起|启动|创建|拉起|部署|等|要|需要|花)[^，。？]{0,4})多久|几年|多少年|多长时间|哪年|哪一年|什么时候(开始|创建|启动|出现|诞生)|始于|开始于|历史|年头|多老|更老|最老|最早|成熟|诞生|老项目|新项目/,
  ],
  [
    "creator",
    /\bwho\b.*\b(made|makes|make|created|creates|create|built|builds|wrote|develop(s|ed)?|started|founded|behind|maintains?|owns?)\b|\bcreat(or|ors|ed by)\b|\bmakers?\b|\b(company|team|org\w*|vendor|who|who's|whos)\b.{0,12}\bbehind\b|谁(做|开发|创建|创造|写|发起|搞|推出|维护)|是谁(做|开发|创建|创造|写|搞|的)|创建者|创始|开发者|开发商|(哪家|哪个|什么)(公司|团队|厂商|组织).{0,4}(做|开发|创建|搞|推出|出品|弄|发起)|出品|由谁|谁家|背后|(哪家|哪个|什么)(公司|团队|厂商|组织)的(项目|工具|产品)/,
  ],
  [
    "users",
    /\bwho\b.*\b(uses?|using|runs?|running|adopted|relies|deploys?)\b|\bwhich\b.*\b(compan|organi[sz]ation|enterprise|firm|business)\w*\b.*\b(use|using|run|adopt|rely|deploy)|\busers?\b|\bcustomers?\b|\badopters?\b|\bin production\b|\bwhere\b.*\b(used|deployed|running|runs)\b|\bin the (real )?world\b|生产上|生产环境|谁在用|哪里(在)?用|谁用|谁在使用|(哪些|什么)(公司|企业|厂商|组织).*(用|使用)|用户|使用者|客户|在用|在使用|(企业|公司).{0,8}(哪几家|哪些|是谁)|(不能|不允许)透露|落地|(实际|真实)(案例|应用|使用)|\b(enterprises?|compan(y|ies)|organi[sz]ations?|firms?)\b[^?]{0,20}\b(running|using|use|uses|run|runs)\b/,
  ],
  [
    "contributors",
    /\bcontribut\w*|\bbacked by\b|\bbackers?\b|\bsponsor|\bhands in\b|\binvolved (in|with)\b|贡献|支持者|参与/,
  ],
  [
    "talks",
    // "Nobody talks about it" is the verb: a talk is given, not done by nobody.
    /(?<!\b(?:nobody|no one|anyone|anybody|everyone|everybody|people|he|she|who|it|someone|somebody)\s)\btalks?\b(?! about (it|them|this|that)\b)|\bsessions?\b|\bspeak(er|ers|s|ing)?\b|\bpresent(ation|ations|s|ing)?\b|\bkeynotes?\b|\bschedule\b|\bsched\b|\blightning\b|演讲|会议|议程|分享|讲座|闪电|日程|多少场|几场|\b(folks|team|people|maintainers|devs)\b[^?]{0,20}\b(at|@) kubecon\b|\b(meet|say hi)\b[^?]{0,30}\b(team|folks|people|maintainers)\b|(团队|维护者)[^？?]{0,10}(在哪|哪里)/,
  ],
  [
    "cncf",
    /\bcncf\b(\s+status)?|\b(into|in|joined?) the (cloud native )?foundation\b|基金会|\bsandbox\b|\bincubat\w*|\bgraduat\w*|沙箱|孵化|毕业/,
  ],
  [
    "products",
    /\bproducts?\b|\bdistributions?\b|\bwhere (can|do) i find\b(?![^?]{0,30}\b(folks|team|people|maintainers|devs)\b)|\bships? (it|with)\b|产品|厂商|发行版/,
  ],
  [
    "maintenance",
    /\bmaintain\w*|\bactive(ly)?\b|\breleases?\b|\bstill alive\b|\bdead\b|维护|发布|活跃|新版本/,
  ],
  [
    "reading",
    /\bblog\w*|\bwrite-?ups?\b|\bfurther reading\b|\bread more\b|\bwhat (should|can) i read\b|\bdeep dive\b|\barchive\b|\bposts?\b.*\b(link|recommend|about|on)\b|博文|博客|延伸阅读|深入了解|推荐(看|读)|阅读/,
  ],
];

export const WHY =
  /\bwhy\b|为啥|凭啥|理由|原因|\bhelps?\b|\buseful\b|\bmatters?\b|\bimportant\b|\bimportance\b|\bworth\b|\bcare\b|\bbenefits?\b|\badvantages?\b|\bpoint of\b|\bproblems?\b|\bsolves?\b|\bvalue\b|\bgood for\b|\buse cases?\b|\bhandy\b|\bbest (for|at)\b|\bshines?\b|\bsweet spot\b|为什么|适合(什么|哪些|哪种)|(什么|哪些|哪种)场景|用武之地|为何|重要|意义|好处|优势|价值|值得|解决|痛点|凭什么/;
export const WHAT =
  /\bwhat(?:'s|s| is| are| does| do)\b|\bwhat\b[^?]{0,30}\b(does|do)\b|\bwhat\b.*\bfor\b|\bexplain\b|\bdescribe\b|\btell me about\b|\boverview\b|\bused for\b|\bpurpose\b|\bwtf is\b|\bwhats\b|\bintro(duce|duction)?\b|\bsummar(y|ize|ise)\b|是什么|是啥|是干|干嘛|干啥|做什么|干什么|用来|用于|介绍|有什么用|啥东西|说的是|讲的是|讲了什么|说了什么/;
export const COMPARE =
  /\bvs\.?\b|\bversus\b|\bcompar\w*|\bdiffer\w*|\bbetter\b|\bor\b|\bthan\b|\bwhich (one|is|has)\b|区别|不同|对比|比较|相比|差异|差别|哪个|还是|更/;
export const SUPERLATIVE =
  /\b(most|fewest|least|highest|lowest|oldest|newest|youngest|biggest|largest|smallest|longest|popular(est)?|top)\b|最(多|少|老|早|新|晚|久|长|受欢迎|流行|火|热门|大|小|高|低)/;
export const SUPERLATIVE_MIN = /\b(fewest|least|lowest|smallest|newest|youngest)\b|最(少|新|晚|小|低)/;
export const SUPERLATIVE_AGE =
  /\b(oldest|newest|youngest|older|newer|age|longest|around)\b|最(老|早|新|晚|久|长)|历史最/;
// A superlative about the catalog, not the world ("the most popular programming language").
export const CATALOG_SCOPE =
  /\bprojects?\b|\bfive\b|\bthem\b|\bthese\b|\bthose\b|\blisted\b|\bmentioned\b|\barticle\b|\bcovered\b|\bstars?\b|\bgithub\b|项目|五个|这些|它们|文章|提到|星/;
export const RECOMMEND =
  /\bshould i\b|\brecommend\w*|\bsuggest\w*|\bwhich (project|tool|one)\b|\bwhat (project|tool)\b|\bi (need|want|wanna|would like|'d like)\b|\bi'?m (looking|trying|searching)\b|\blooking for\b|\bbest (option|choice|fit|tool|project|way)\b|\bhelp me\b|\bgood (option|choice|fit)\b|\bfits?\b|\bsuits?\b|\bis there (a|any) (project|tool)\b|\b(does it|does the article) (mention|cover|have|say) anything (for|about|on)\b|\banything (for|about|on)\b|(文章|它)(提到|介绍|讲)(了)?(什么|哪个|哪些)(工具|项目)|推荐|建议|适合|应该用|用哪个|选哪个|哪个项目|什么项目|什么工具|哪个工具|我(想|需要|要|打算)|有没有(什么)?(项目|工具|办法)/;
export const EVENT_WORDS =
  /\bkubecon\b|\bcloudnativecon\b|\bconference\b|\bevent\b|\bsummit\b|大会|会议|活动|峰会/;
export const EVENT_WHEN =
  /\bwhen\b|\bwhat (month|date|time|day)\b|\bdates?\b|\bmonth\b|什么时候|何时|几月|时间|哪个月|日期|哪天/;
export const EVENT_WHERE =
  /\bwhere\b|\bwhich (city|country|place)\b|\bcity\b|\blocation\b|\bvenue\b|\bheld\b|哪里|在哪|哪个城市|地点|城市|举办|举行/;
export const EVENT_SCALE =
  /\bhow many (talks|sessions|submissions|proposals)\b|\bsubmissions?\b|\bproposals?\b|\bcompetitive\b|\bselective\b|\bhard to get\b|\bacceptance\b|\baccepted\b|\bcfp\b|\bhow big\b|\bsize\b|投稿|提交|竞争|筛选|录取|入选|多少场|规模/;
// Questions about the article itself (who wrote it, its title, the translation), not about what it says.
export const ARTICLE =
  /\bwho\b.*\bauthor\b|\bauthor'?s name\b|\bauthor of\b|\bwho wrote\b|\bwritten by\b|\bwriter\b|\btitle\b|\bheadline\b|\bpublish\w*|\bpublicat\w*|\boriginal(ly)?\b|\bwrite-?up\b|\b(section|chapter) (headings?|titles?)\b|\bsections?\b.*\b(article|piece|post)\b|\b(article|piece|post)\b.*\bsections?\b|\b(article|post|piece|this|it)\b.*\btranslat\w*|\btranslat\w*.*\b(article|post|piece|original)\b|\bthe new stack\b|\bconclu\w*|\btl;?dr\b|\btakeaways?\b|\bmain point\b|\b(at|near) the (very )?end\b|\bend of the (article|piece|post)\b|\b(last|final|closing) (section|part|bit)\b|\bone more section\b|结论|总结|要点|结尾|最后(那)?一?(节|部分|段)|最后(说|提到|推荐)|\bwhat is (the|this) (article|post|piece) about\b|\bsummar(y|ize|ise) (the|this) article\b|作者|标题|原文|(文章|这篇|译文).*翻译|翻译.*(文章|这篇|原文)|译文|谁写|谁翻译|发表|(文章|这篇).{0,3}(什么时候|啥时候|何时|哪年)|(文章|这篇)[^？?]{0,8}(几号|哪天|哪一天|几月)|(什么时候|啥时候|何时|几号|哪天)(发|写)的|(文章|这篇).{0,4}(章节|小节|几节|几个部分|分几部分)|原标题|出处|哪个网站|文章(主要)?(讲|说)了(什么|啥)|文章是关于什么/;
export const LIST =
  /\bhow many projects\b|\bprojects?\b[^?]{0,30}\bcover(s|ed)?\b|\b(which|what|list|all|name)\b.*\b(projects|tools)\b|\bprojects?\b.*\b(covered|mentioned|listed)\b|\bwhat does (it|the article) cover\b|哪些项目|几个项目|列出|所有项目|五个项目|介绍了哪些|哪五个|提到了哪些|有哪些工具/;
export const REFERS_BACK =
  /\b(?!it (mentions?|covers?|says?)\b)(it|its|it's|they|them|their|this (one|project|tool)|that (one|project|tool)|the project|the tool)\b(?! (mention|cover|say) anything)|它|它们|这个项目|那个项目|该项目|这个工具|这玩意|这东西/;
/** A task for a general assistant, not a question: "write me a manifest", "给我一份…清单". */
export const TASK =
  /^\s*(please\s+|pls\s+|can you\s+|could you\s+)?(write|generate|create|draft|give me|show me|make me|produce)\b[^?？]{0,80}\b(manifests?|yaml|ya?ml file|config(uration)? files?|commands?|scripts?|code|snippets?|helm charts?|dockerfiles?|terraform|crds?)\b|\b(manifest|yaml|snippet)s? (for|of)\b[^?？]{0,60}\b(pls|please|plz)\b|(帮我|给我|请帮我|请你)(写|生成|出|来|做|弄)(一份|一个|个|一段)?[^。？！?]{0,50}(yaml|清单|配置文件|命令|脚本|代码|manifest|规则|查询语句|promql)|(帮我|给我)(一份|一个|一段)[^。？！?]{0,50}(yaml|清单|配置文件|脚本|代码|manifest)/i;

/** Asking for instructions: how to set something up, configure, write or run it. */
export const HOW_TO =
  /\bhow (do|can|should|would|could) (i|we|you)\b|\bhow to\b|^\s*(please\s+)?(set ?up|configure|deploy|install|tune|debug|troubleshoot|fix)\b|(怎么|怎样|如何)[^，。？！?,]{0,6}?(配置|写|用|部署|安装|搭建|设置|接入|调试|排查|导出|恢复|备份|建|创建|实现|开启|启用|迁移|升级|监控|调)|(配置|写|部署|搭建)(教程|方法|步骤)/i;
// Kinds of detail people ask about a project or an event that an overview article rarely states.
// A question asking one is answered "the article doesn't say" unless the subject's passages use it.
export const DETAIL =
  /\b(pric\w*|costs?|fees?|licen[cs]\w*|(?:version|release) numbers?|versions?|employer|works? for|job title|restore|migrat\w*|upgrad\w*|rooms?|venues?|what time|dates?|speakers?|speaking|speaks|presenters?|attendees?|attendance|how many people|country|countries|located|based (?:in|out of)|valuation|paid|what day|which day|day (and|\+|&) time|keynotes?|learning curve|hard to learn|easy to learn|released|shipped|wip|work in progress|ceo|founders?|headquarter\w*|funding|install\w*|setup|configur\w*|tutorials?|steps?|benchmarks?|performance|latency|requirements?|hardware|gpus?|cpus?|ram|windows|macos|arm64|architectures?|roadmap|translat\w*|exact|precise|free|free of charge|recordings?|recorded|tickets?|hypervisors?|certifi\w*|compliance|savings?|save|supports?|supported|features?|integrat\w*|speed|throughput|per second|size|how big|vram|availab\w*|ga|how many days)\b|速度|每秒|吞吐|几天|多大|大小|显存|正式可用|正式发布|讲啥|讲什么内容|具体内容|门票|认证|职位|头衔|怎么(用|配置|部署|安装|写|迁移|恢复|升级)|支持|功能|集成|价格|多少钱|费用|收费|许可证?|开源协议|版本号|房间|会场|会展中心|场馆|会议室|几号厅|哪个厅|要钱|主题演讲|keynote|上手|学习曲线|难不难学|展馆在哪|参会人数|多少人|参加人数|几个人|国家|估值|融了|版本|房间|会场|几点|几号|日期|讲者|演讲者|嘉宾|创始人|总部|融资|安装|步骤|配置|教程|性能|基准|硬件|显卡|内存|架构|路线图|翻译|准确|精确|具体数字/gi;

export const DETAIL_ONCE = new RegExp(DETAIL.source, "i");

/** The article's conclusion or closing ("tl;dr", "at the very end", 结论). */
export const CONCLUSION =
  /\bconclu\w*|\btl;?dr\b|\btakeaways?\b|\bmain point\b|\b(at|near) the (very )?end\b|\bend of the (article|piece|post)\b|\b(last|final|closing) (section|part|bit)\b|\bone more section\b|结论|总结|要点|结尾|最后(那)?一?(节|部分|段)|最后(说|提到|推荐)/i;

/** Travel and logistics around an event: not what the article is about. */
export const TRAVEL =
  /\bvisas?\b|\bhotels?\b|\bflights?\b|\brestaurants?\b|\beat\b|\bfood\b|\bairport\b|\bpubs?\b|\bbars?\b|\bbeers?\b|\bdrinks?\b|\bnightlife\b|\bsightseeing\b|\bweather\b|\bcoat\b|\bumbrella\b|\brain(ing|y)?\b|\bflying\b|\bfly in\b|\btaxis?\b|\bthe tube\b|天气|下雨|带伞|穿什么|签证|酒吧|景点|酒店|住宿|机票|航班|餐厅|美食|吃/;

// "Which of the five…", "这五个项目里哪个…": a question across the catalog, not a follow-up.
export const WHICH_OF_CATALOG =
  /\bwhich (of|one|ones|project|projects|tool|tools)\b|\bwhat projects\b|(哪个|哪些|哪一个).*(项目|工具)|(项目|工具).*(哪个|哪些|哪一个)|五个/;
export const SESSION_LINK = /(?:https?:\/\/)?sched\.co\/[A-Za-z0-9]+/i;

// Words that carry no content in a question: filler, politeness, and the generic vocabulary of
// asking. They are neither evidence that the article covers a question nor that it doesn't.
export const FILLER_EN = new Set(
  `github produce produces provide provides offer offers work works handle handles fix fixes happen happens
  should would could might may must shall happen happening happened ever whole kinda actually basically so like really just kinda sorta quick q hey hi hello yo thanks thank pls please plz ok okay um uh
  curious wonder wondering wondered question questions ask asking asked know knowing tell told explain describe mean means
  meaning thing things stuff kind sort lot lots bit little quite pretty very also too again anyway btw fyi real really
  problem problems solve solves solving matter matters important worth care point good great best better nice cool
  use used uses using purpose need needs want wants look looking find idea think thought give get got make
  made do does did doing done go going gonna wanna let lets help exactly even still now today currently here
  there something anything everything someone anyone people guys folks one ones way ways bot spotlight read
  say says said article talk talks mention mentioned kubernetes k8s hear hearing heard suddenly
  lately recently per piece person meet world`
    .split(/\s+/)
    .concat(stopwordsIso.en)
    .filter(Boolean)
    .flatMap((w) => tokenize(w)),
);
export const FILLER_ZH =
  /请问一下|请问|一下|到底|究竟|这次|这个|那个|都没有|都|呀|啊|呢|吧|哈|嘛|哦|噢|诶|喔|么|啥|干嘛|干啥|做什么|干什么|说的是|讲的是|是什么|什么|怎么样|怎么|如何|为什么|为何|哪些|哪个|哪家|哪里|哪|谁|多少|几个|有没有|是不是|是否|能不能|可不可以|可以|知道|想知道|想问|我想|我们|你们|告诉我|介绍一下|介绍|问题|解决|重要|东西|情况|一些|有点|好奇|其实|基本上|所以|然后|就是|还有|文章|提到|里面|关于|项目|工具/g;

// Every cue, global: what the question's cues say is its intent, not its content.
export const ALL_CUES = [
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
export const FILLER_ZH_WORDS = new Set([
  ..."用 要 好 有 能 会 在 做 想 让 给 跟 被 把 很 多 少 说 看 去 来 上 下 里 的是 很多 好几 几个 好多 一个 哪 里面 时候 现在 今天 具体 到底 觉得 认为 做了 搞 出来 办 弄 叫 讲 聊 谈 看看 听说 了解 是不是 有没有 能否 应该 需要 可能 大概 好像 据说 最近 突然 以后 东西 事情 方面 之类 上有 开 举行 举办 今年 明年 去年 本次 这次 跑 直接 丢 丢给 放 拿 这种 那种 某些 给个 一些 哪家 公司 项目 工具 文章 说说 呗 啦".split(
    " ",
  ),
  ...stopwordsIso.zh,
]);

// The same cues without the global flag, for testing one word (a global regex keeps state).
export const CUES_ONCE = ALL_CUES.map((re) => new RegExp(re.source, re.flags.replace("g", "")));

/** The Latin/number concepts and Chinese words of a question that carry its content. */
export function contentConcepts(
  question: string,
  isName: (word: string) => boolean,
  /** The knowledge base's own vocabulary (glossary words): never filler, whatever a stop-word list says. */
  isDomain: (word: string) => boolean = () => false,
): string[] {
  let rest = normalizeText(question).replace(SESSION_LINK, " ");
  for (const re of ALL_CUES) rest = rest.replace(re, " ");
  // Contractions ("i'm", "what's") are function words.
  const words = (
    rest.replace(/\p{Script=Han}+/gu, " ").match(/[\p{L}\p{N}][\p{L}\p{N}'’.-]*/gu) ?? []
  ).filter((w) => !/['’]/.test(w) && !isName(w));
  // A detail word ("room", "number") is content even where a stop-word list says otherwise.
  const details = new Set(tokenize((question.normalize("NFKC").match(DETAIL) ?? []).join(" ")));
  const latin = tokenize(words.join(" ")).filter(
    (t) => (details.has(t) || isDomain(t) || !FILLER_EN.has(t)) && !isName(t) && t.length > 1,
  );
  const chinese = chineseWords(rest.replace(FILLER_ZH, " ")).filter(
    (w) => !isName(w) && (isDomain(w) || !FILLER_ZH_WORDS.has(w)),
  );
  return [...new Set([...latin, ...chinese])];
}

/** Quoted phrases long enough to point at one sentence (a number like "35+" does too). */
export function quotedPhrases(question: string): string[] {
  // Apostrophes ("what's") are not quotes.
  return [...question.matchAll(/[“"「『]([^”"」』]{2,60})[”"」』]/g)]
    .map((m) => (m[1] as string).trim())
    .filter(
      (q) =>
        /\d/.test(q) || [...q.replace(/[^\p{Script=Han}]/gu, "")].length >= 3 || q.split(/\s+/).length >= 3,
    );
}

/** Whether the first unknown name comes before every project the question names. */
export function leadsWith(names: string[], projectPositions: number[], text: string): boolean {
  // Capitalised names only: a technical token ("CO2", "k3s") is a detail, not a topic.
  const first = names.find((n) => /^[A-Z][A-Za-z]{2,}$/.test(n));
  if (first === undefined || projectPositions.length === 0) return false;
  const name = first.toLowerCase();
  // The sentence that asks ("How does Crossplane work?"), not the context before it ("We run EKS.").
  const asking = /[^.!?。！？]*[?？]/.exec(text);
  if (!asking) {
    // No question mark ("讲讲 Crossplane 的 Composition 怎么写吧"): the name said most is the topic.
    const times = text.split(name).length - 1;
    return times > 1 && projectPositions.every((p) => p > text.indexOf(name));
  }
  const start = asking.index;
  const end = start + asking[0].length;
  const inside = projectPositions.filter((p) => p >= start && p < end);
  const at = text.indexOf(name, start);
  if (at < start || at >= end) return false;
  // Asked about with no covered project in the same sentence, or before all of them there
  // ("configure the HPA to scale on a Prometheus metric").
  return inside.length === 0 || at < Math.min(...inside);
}

export function sessionKey(url: string): string {
  return url.replace(/^https?:\/\//i, "").toLowerCase();
}

/** The question's words one edit away from a word of these aliases ("londn" for "London"). */
export function aliasTypos(text: string, aliases: string[]): string[] {
  const words = text.match(/[a-z][a-z0-9-]{4,}/g) ?? [];
  const aliasWords = aliases.flatMap((a) => a.toLowerCase().split(/\s+/));
  return words.filter((x) =>
    aliasWords.some((w) => w.length >= 5 && !EVENT_WORDS.test(w) && x !== w && isOneEdit(x, w)),
  );
}

/** Asking what the author or the article thinks, finds or claims about something. */
export const AUTHORS_VIEW =
  /\b(author|writer)('s)?\b[^?]{0,30}\b(say|says|said)\b|\b(author|writer|article|piece|post)\b[^?]{0,30}\b(think|thinks|view|views|opinion|buy|buys|agree|agrees|believe|believes|find|finds|surprising|surprised|surprise|claim|claims|argue|argues|feel|feels|make of|evaluat\w*)\b|\baccording to (the author|the article|their research|the research)\b|(作者|文章)[^？?]{0,6}(怎么看|怎么评价|如何评价|认为|觉得|看法|观点|评价|相信|同意)/;

/** Asking when a project started, not a year of something else ("哪年进的cncf"). */
export const STARTED = /\bhow old\b|\bstart|\bbegin|\bbegan|\bfound|开始|始于|诞生|历史|成立/;

/** Careers, courses and books: what a general assistant is asked, not an article. */
export const CAREER_OR_STUDY =
  /\b(career|job hunt\w*|salary|salaries|interview questions?|cv|books|(a|any) (good )?book (on|about|for)|courses|(an? |online )course (on|about|for)|bootcamps?)\b|转行|前途|找工作|面试题|薪资|工资|简历|学习路线|几本|(本|的)书|书籍|课程/i;

/** Asking for a tool's examples, templates or manifests. */
export const TOOL_MANUAL = /\b(examples?|samples?|templates?|manifests?|yaml)\b|示例|样例|模板/i;

/** Troubleshooting: something keeps failing, an error, a timeout. */
export const TROUBLESHOOT =
  /\b(keeps? (failing|crashing|dying|restarting)|fails?|failing|error|errors|timeouts?|timing out|not working|doesn'?t work|broken|stuck)\b|报错|失败|超时|起不来|挂了|不工作|卡住/;

/** Questions about the bot itself: which model it runs, who built it. */
export const ABOUT_THE_BOT =
  /\b(which|what) (llm|model|ai)\b[^?]{0,20}\b(are you|do you use|powers you|is this)\b|\bare you (gpt|chatgpt|claude|gemini|llama|an? (ai|bot|llm))\b|\bwho (made|built|created) you\b|你是(用)?(哪个|什么)(大)?模型|你是(gpt|chatgpt|claude)|谁(开发|做|创建)了你|你是谁/i;
