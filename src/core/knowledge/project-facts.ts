import type { Language } from "../types.js";
import type { Project } from "./schema.js";

/** One fact of a catalog project, as a card row and as a sentence that can be indexed and quoted. */
export interface ProjectFact {
  key: string;
  label: string;
  value: string;
  sentence: string;
}

/** "3,700": a whole number with thousands separators (Intl.NumberFormat costs ~5 MB of RSS for this). */
export function groupThousands(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A project's users as written in one language, or in every language when none is given. */
export function userNames(users: Project["facts"]["users"], lang?: Language): string[] {
  return (users ?? []).flatMap((u) => (typeof u === "string" ? [u] : lang ? [u[lang]] : [u.en, u.zh]));
}

function list(items: string[], lang: Language): string {
  if (lang === "zh") return items.join("、");
  if (items.length <= 2) return items.join(" and ");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** Facts built once per project and language: every answer about a project reads them. */
const built = new WeakMap<Project, Partial<Record<Language, readonly ProjectFact[]>>>();

/** The facts the article states about a project, in the given language, in a stable order. */
export function projectFacts(p: Project, lang: Language): readonly ProjectFact[] {
  let forProject = built.get(p);
  if (!forProject) {
    forProject = {};
    built.set(p, forProject);
  }
  const facts = forProject[lang] ?? Object.freeze(buildFacts(p, lang));
  forProject[lang] = facts;
  return facts;
}

function buildFacts(p: Project, lang: Language): ProjectFact[] {
  const f = p.facts;
  const zh = lang === "zh";
  const out: ProjectFact[] = [];
  const add = (key: string, label: string, value: string, sentence: string) =>
    out.push({ key, label, value, sentence });

  if (p.category)
    add(
      "category",
      zh ? "类别" : "Category",
      p.category[lang],
      zh ? `${p.name} 属于${p.category.zh}。` : `${p.name} is in the ${p.category.en} space.`,
    );
  if (f.stars) {
    const n = groupThousands(f.stars.count);
    const more = f.stars.qualifier === "more-than";
    add(
      "stars",
      zh ? "GitHub 星标（文章发表时）" : "GitHub stars (as of the article)",
      zh ? (more ? `超过 ${n}` : n) : more ? `more than ${n}` : n,
      zh
        ? `${p.name} 在 GitHub 上有${more ? "超过 " : " "}${n} 个星标。`
        : `${p.name} has ${more ? "more than " : "about "}${n} GitHub stars (as of the article).`,
    );
  }
  if (f.started !== undefined)
    add(
      "started",
      zh ? "始于" : "Started",
      String(f.started),
      zh ? `${p.name} 始于 ${f.started} 年。` : `${p.name} started in ${f.started}.`,
    );
  if (f.age)
    add(
      "age",
      zh ? "历史" : "Age",
      f.age[lang],
      zh ? `${p.name} ${f.age.zh}。` : `${p.name} has been ${f.age.en}.`,
    );
  if (f.maturity)
    add(
      "maturity",
      zh ? "成熟度" : "Maturity",
      f.maturity[lang],
      zh ? `${p.name} 属于“${f.maturity.zh}”阵营。` : `${p.name} is in the ${f.maturity.en} camp.`,
    );
  if (f.cncf) {
    const since = f.cncf.since === undefined ? "" : f.cncf.since;
    add(
      "cncf",
      zh ? "CNCF 状态" : "CNCF status",
      zh
        ? `${f.cncf.status}${since ? `（${since} 年起）` : ""}`
        : `${f.cncf.status}${since ? ` (since ${since})` : ""}`,
      zh
        ? `${p.name} ${since ? `在 ${since} 年` : ""}成为 CNCF ${f.cncf.status === "sandbox" ? "沙箱" : f.cncf.status}项目。`
        : `${p.name} became a CNCF ${f.cncf.status} project${since ? ` in ${since}` : ""}.`,
    );
  }
  if (f.creator)
    add(
      "creator",
      zh ? "创建者" : "Created by",
      f.creator,
      zh ? `${p.name} 由 ${f.creator} 创建。` : `${p.name} was created by ${f.creator}.`,
    );
  if (f.users?.length || f.users_note) {
    const users = list(userNames(f.users, lang), lang);
    const note = f.users_note ? f.users_note[lang] : "";
    const value = [users, note].filter(Boolean).join(zh ? "，" : ", ");
    add(
      "users",
      zh ? "用户" : "Users",
      value,
      zh ? `${p.name} 的用户包括 ${value}。` : `${p.name} is used by ${value}.`,
    );
  }
  if (f.contributors?.length) {
    const c = list(f.contributors, lang);
    add(
      "contributors",
      zh ? "贡献者" : "Contributors",
      c,
      zh ? `${p.name} 的贡献者包括 ${c}。` : `${p.name}'s contributors include ${c}.`,
    );
  }
  if (f.products?.length) {
    const c = list(f.products, lang);
    add(
      "products",
      zh ? "包含它的产品" : "Found in",
      c,
      zh ? `${p.name} 包含在 ${c} 等产品中。` : `You can find ${p.name} in products such as ${c}.`,
    );
  }
  if (f.maintenance)
    add(
      "maintenance",
      zh ? "维护" : "Maintenance",
      f.maintenance[lang],
      zh ? `${p.name} ${f.maintenance.zh}。` : `${p.name} is ${f.maintenance.en}.`,
    );
  if (f.talks)
    add(
      "talks",
      zh ? "KubeCon 伦敦演讲" : "KubeCon London talks",
      f.talks[lang],
      zh
        ? `KubeCon 伦敦上关于 ${p.name} 的演讲：${f.talks.zh}。`
        : `KubeCon London talks about ${p.name}: ${f.talks.en}.`,
    );
  return out;
}
