import { z } from "zod";

const url = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
const bilingual = z.object({ en: z.string().min(1), zh: z.string().min(1) }).strict();
const link = z.object({ title: z.string().min(1), url }).strict();
/** A KubeCon session the article links; `recommended` only where the article says it recommends it. */
const session = z.object({ title: z.string().min(1), url, recommended: z.boolean().default(false) }).strict();
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes");
const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes (it becomes a slash command)")
  .max(32, "must be at most 32 characters (Slack and Discord command names)");

/**
 * Front matter of `data/articles/*.md`. Only `id`, `title.en` and `language` are needed (a file
 * without front matter gets them from its name, first heading and text); a Chinese article also
 * needs `title.zh`. Without `url`, its passages cite the article by title, without a link.
 */
export const articleFrontMatterSchema = z
  .object({
    id: slug,
    title: z.object({ en: z.string().min(1), zh: z.string().min(1).optional() }).strict(),
    url: url.optional(),
    author: z.string().min(1).optional(),
    publisher: z.string().min(1).optional(),
    language: z.enum(["zh", "en"]),
    translated_from: z.enum(["zh", "en"]).optional(),
    published: z.union([z.string().min(1), z.date()]).optional(),
  })
  .strict()
  .superRefine((meta, ctx) => {
    if (meta.language === "zh" && !meta.title.zh)
      ctx.addIssue({ code: "custom", path: ["title", "zh"], message: "is required for a Chinese article" });
  });
export type ArticleFrontMatter = z.infer<typeof articleFrontMatterSchema>;

/**
 * An article's metadata once loaded: a missing Chinese title is the English one, and a missing
 * URL, author or publisher is empty (texts that would name them leave them out).
 */
export interface ArticleMeta extends Omit<ArticleFrontMatter, "title" | "url" | "author" | "publisher"> {
  title: { en: string; zh: string };
  url: string;
  author: string;
  publisher: string;
}

/** Fills an article's optional metadata in. */
export function resolveArticleMeta(meta: ArticleFrontMatter): ArticleMeta {
  return {
    ...meta,
    title: { en: meta.title.en, zh: meta.title.zh ?? meta.title.en },
    url: meta.url ?? "",
    author: meta.author ?? "",
    publisher: meta.publisher ?? "",
  };
}

const talks = z
  .object({ count: z.number().int().min(0).optional(), en: z.string().min(1), zh: z.string().min(1) })
  .strict();

/** One entry of `data/projects.yaml`. Facts are optional: only what the article states is filled in. */
export const projectSchema = z
  .object({
    id,
    name: z.string().min(1),
    aliases: z.array(z.string().min(1)).default([]),
    article: z.string().min(1),
    section: z.string().min(1),
    featured: z.boolean().default(false),
    /** Only where the article says what kind of project it is. */
    category: bilingual.optional(),
    summary: bilingual,
    why: bilingual.optional(),
    facts: z
      .object({
        stars: z
          .object({ count: z.number().int().positive(), qualifier: z.enum(["about", "more-than"]) })
          .strict()
          .optional(),
        started: z.number().int().min(1970).max(2100).optional(),
        age: bilingual.optional(),
        maturity: bilingual.optional(),
        cncf: z
          .object({
            status: z.enum(["sandbox", "incubating", "graduated"]),
            since: z.number().int().optional(),
          })
          .strict()
          .optional(),
        creator: z.string().min(1).optional(),
        // A name ("Nvidia"), or a description in both languages ({ en: European railways, zh: 欧洲铁路 }).
        users: z.array(z.union([z.string().min(1), bilingual])).optional(),
        users_note: bilingual.optional(),
        contributors: z.array(z.string().min(1)).optional(),
        products: z.array(z.string().min(1)).optional(),
        maintenance: bilingual.optional(),
        talks: talks.optional(),
      })
      .strict()
      .default({}),
    links: z
      .object({ kubecon_session: session.optional(), further_reading: z.array(link).default([]) })
      .strict()
      .default({ further_reading: [] }),
  })
  .strict();
export type Project = z.infer<typeof projectSchema>;

export const catalogSchema = z.array(projectSchema).min(1, "the catalog lists no project");

/** One entry of `data/glossary.yaml`: words meaning the same in English and Chinese. */
export const glossarySchema = z.array(
  z.object({ en: z.array(z.string().min(1)).min(1), zh: z.array(z.string().min(1)).min(1) }).strict(),
);
export type Glossary = z.infer<typeof glossarySchema>;

/** One entry of `data/events.yaml`: an event the articles discuss, with the facts they state. */
export const eventSchema = z
  .object({
    id: slug,
    name: z.string().min(1),
    aliases: z.array(z.string().min(1)).default([]),
    article: z.string().min(1),
    section: z.string().min(1),
    url: url.optional(),
    facts: z.array(bilingual).min(1, "lists no fact"),
  })
  .strict();
export type EventEntry = z.infer<typeof eventSchema>;
export const eventsSchema = z.array(eventSchema);
