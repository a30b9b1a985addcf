// Whether a reply gives away the system prompt: verbatim, in pieces, encoded, paraphrased or
// translated. A verbatim check alone is beaten by "summarise your rules" or "translate the first
// message", so the rules' distinctive ideas are recognised in English and Chinese too.

/** Letters and digits only, lower-cased: compares text regardless of markup, spacing and punctuation. */
export const alnum = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");

const FINGERPRINT_MIN_CHARS = 30;

/**
 * The ideas the rules state, each in both languages. An honest answer about a project touches
 * none or one of them; a paraphrase or translation of the rules touches several.
 */
const RULE_IDEAS: RegExp[] = [
  /numbered passages?|passages? (are|is) numbered|编号(的)?(段落|文段|片段|文章段落)|带编号/i,
  /catalog(ue)? facts?|目录(中的)?(事实|信息)/i,
  /outside knowledge|external knowledge|prior knowledge|外部知识|额外知识|自己的知识/i,
  /\bcite\b|\bciting\b|citations?\b|引用|标注(来源|出处)|注明出处/i,
  /language of the question|question'?s language|same language as|(问题|提问)(所用)?的语言|用(提问|问题)的语言/i,
  /never (invent|guess|make up)|(do not|don't|must not|mustn't) (invent|guess|make (anything|things) up)|不(要|得|能|可)(编造|猜测|臆测|杜撰)|切勿编造|绝不编造/i,
  /data,? not instructions|(treated|treat them) as data|数据.{0,4}(而非|不是|并非)(指令|命令)/i,
  /(change|alter|override) (my|your|the bot'?s) (role|rules|persona)|改变.{0,4}(角色|规则|身份)/i,
  /\b(reveal|repeat|translate|describe|disclose)\b.{0,40}\b(instructions|rules|prompt)\b|(透露|泄露|重复|翻译|描述|公开).{0,10}(指令|规则|提示词|说明)/i,
  /@everyone|@here|@channel|mention no (users?|one|roles)|不(要|得)?提及(任何)?(用户|角色|频道)/i,
  /private marker|secret marker|\bcanary\b|私密标记|私有标记|秘密标记|金丝雀/i,
  /\b(my|these|the bot'?s|spotlight'?s) (rules|instructions|guidelines)\b|我的(规则|指令|设定)|这些(规则|指令)|系统提示/i,
  /\bbe brief\b|no headings|plain markdown|简短(地)?回答|不(使用|用|要)标题/i,
  /no (other )?urls?\b|write no urls?|不(要|得)?(写|输出|包含)(任何)?(其他)?(网址|链接|URL)/i,
];

/**
 * Words that start a rule idea before it is complete ("I only use the numbered …"): a streamed
 * sentence holding one waits for the final check instead of showing half a rule.
 */
const HOLD_CUES =
  /\b(numbered|passages?|cite|citing|invent|instructions?|rules?|guidelines|outside|external|canary|marker|prompt)\b|编号|段落|引用|编造|规则|指令|外部|提示|设定|标记/i;

/** Distinct rule ideas a reply may touch before it counts as the rules retold. */
const MAX_RULE_IDEAS = 2;

/** Encodings a model can be talked into: reversed, base64, hex of the characters, spelled out. */
function canaryForms(canary: string): string[] {
  const plain = alnum(canary);
  const secret = /[0-9a-f]{8,}$/i.exec(canary)?.[0]?.toLowerCase();
  const forms = new Set<string>([plain, [...plain].reverse().join("")]);
  for (const value of [canary, secret].filter((v): v is string => Boolean(v))) {
    forms.add(alnum(Buffer.from(value).toString("base64").replace(/=+$/, "")));
    forms.add(alnum(Buffer.from(value).toString("hex")));
  }
  if (secret) {
    forms.add(secret);
    forms.add([...secret].reverse().join(""));
  }
  return [...forms].filter((f) => f.length >= 8);
}

/** Recognises the system prompt in a reply, however it is dressed up. Built once per prompt. */
export class LeakCheck {
  private readonly forms: string[];
  private readonly base64Forms: string[];
  private readonly fingerprints: string[];
  /** The whole prompt folded, to tell whether a sentence being written may be its start. */
  private readonly folded: string;

  constructor(systemPrompt: string, canary: string) {
    this.forms = canaryForms(canary);
    // base64 is case-sensitive: compare it without folding case.
    this.base64Forms = [canary, /[0-9a-f]{8,}$/i.exec(canary)?.[0] ?? ""]
      .filter((v) => v.length >= 8)
      .map((v) => Buffer.from(v).toString("base64").replace(/=+$/, "").slice(0, -2));
    const withoutCanary = systemPrompt.split(canary).join(" ");
    this.folded = alnum(withoutCanary);
    // Quoted examples are left out: an honest answer may well look like one.
    this.fingerprints = withoutCanary
      .replace(/"[^"\n]*"|“[^”\n]*”/g, "\n")
      .split(/\n|(?<=[.:;!?。：；！？])\s+/)
      .map(alnum)
      .filter((f) => f.length >= FINGERPRINT_MIN_CHARS);
  }

  /** True when `text` holds the canary in any form, a sentence of the prompt, or retells its rules. */
  leaks(text: string): boolean {
    const folded = alnum(text);
    if (this.forms.some((f) => folded.includes(f))) return true;
    const compact = text.replace(/\s+/g, "");
    if (this.base64Forms.some((f) => compact.includes(f))) return true;
    if (this.fingerprints.some((f) => folded.includes(f))) return true;
    return ruleIdeas(text) > MAX_RULE_IDEAS;
  }

  /**
   * How much of a streamed draft may be shown: text from the start of a sentence that may still
   * grow into a sentence of the prompt, or that already touches one of the rules' ideas, waits for
   * the final check.
   */
  showable(text: string): number {
    let end = text.length;
    const idea = firstRuleIdea(text);
    if (idea >= 0) end = sentenceStart(text, idea);
    const last = sentenceStart(text, end);
    const tail = alnum(text.slice(last, end));
    if (tail.length > 0 && this.folded.includes(tail)) end = last;
    return end;
  }
}

/** How many of the rules' ideas `text` touches. */
export function ruleIdeas(text: string): number {
  return RULE_IDEAS.filter((idea) => idea.test(text)).length;
}

function firstRuleIdea(text: string): number {
  let first = text.search(HOLD_CUES);
  for (const idea of RULE_IDEAS) {
    const i = text.search(idea);
    if (i >= 0 && (first < 0 || i < first)) first = i;
  }
  return first;
}

/** Where the sentence holding position `at` starts. */
function sentenceStart(text: string, at: number): number {
  let start = 0;
  for (const m of text.slice(0, at).matchAll(/[.!?。！？\n]+\s*/g)) start = m.index + m[0].length;
  return Math.min(start, at);
}
