import type { FallbackReason } from "../types.js";

/** User-facing fixed texts, per language. Kept together so both languages stay in step. */
export const messages = {
  /** `topic` names what the knowledge base holds (see knowledgeTopic): never a fixed article. */
  declinedOffTopic: {
    en: (topic: string) =>
      `The knowledge base does not cover that. I answer questions about the projects in ${topic}: try \`/projects\`.`,
    zh: (topic: string) => `知识库没有涉及这个问题。我只回答${topic}中的项目相关问题：试试 \`/projects\`。`,
  },
  declinedInjection: {
    en: "I can only answer questions about the projects in the knowledge base, and I keep my rules. Ask me about a project instead: try `/projects`.",
    zh: "我只回答知识库中项目相关的问题，并且会遵守我的规则。请换个关于项目的问题：试试 `/projects`。",
  },
  questionEmpty: {
    en: "Please ask a question, e.g. “Who uses KubeVirt?”.",
    zh: "请输入一个问题，例如“谁在使用 KubeVirt？”。",
  },
  questionTooLong: {
    en: (max: number, got: number) => `That question is ${got} characters long; please keep it under ${max}.`,
    zh: (max: number, got: number) => `这个问题有 ${got} 个字符，请控制在 ${max} 个字符以内。`,
  },
  extractiveNotice: {
    en: "Extractive answer: sentences quoted from the article's best-matching passages.",
    zh: "摘录式回答：引用自文章中最相关的段落。",
  },
  fallbackNotice: {
    en: {
      "no-llm":
        "Extractive answer: no language model is configured, so these are sentences quoted from the article.",
      "llm-error": "Fallback: the language model failed, so these are sentences quoted from the article.",
      "llm-timeout":
        "Fallback: the language model took too long, so these are sentences quoted from the article.",
      "llm-busy": "Fallback: the language model is busy, so these are sentences quoted from the article.",
      "llm-circuit-open":
        "Fallback: the language model is unavailable right now, so these are sentences quoted from the article.",
      "llm-down":
        "Fallback: the language model's server can't be reached, so these are sentences quoted from the article.",
      "llm-unauthorised":
        "Fallback: the language model's server refused Spotlight's API key, so these are sentences quoted from the article.",
      "llm-model-missing":
        "Fallback: the language model's server doesn't have the configured model, so these are sentences quoted from the article.",
      "llm-context":
        "Fallback: the question and passages don't fit the language model's context, so these are sentences quoted from the article.",
      "llm-uncited":
        "Fallback: the language model's answer cited no passage, so these are sentences quoted from the article.",
    } satisfies Record<FallbackReason, string>,
    zh: {
      "no-llm": "摘录式回答：未配置语言模型，以下句子引用自文章。",
      "llm-error": "后备回答：语言模型出错，以下句子引用自文章。",
      "llm-timeout": "后备回答：语言模型响应超时，以下句子引用自文章。",
      "llm-busy": "后备回答：语言模型繁忙，以下句子引用自文章。",
      "llm-circuit-open": "后备回答：语言模型暂时不可用，以下句子引用自文章。",
      "llm-down": "后备回答：无法连接语言模型服务器，以下句子引用自文章。",
      "llm-unauthorised": "后备回答：语言模型服务器拒绝了 Spotlight 的 API 密钥，以下句子引用自文章。",
      "llm-model-missing": "后备回答：语言模型服务器没有所配置的模型，以下句子引用自文章。",
      "llm-context": "后备回答：问题和段落超出了语言模型的上下文长度，以下句子引用自文章。",
      "llm-uncited": "后备回答：语言模型的回答没有引用任何段落，以下句子引用自文章。",
    } satisfies Record<FallbackReason, string>,
  },
  uncitedNotice: {
    en: "The model cited no passage for this answer: it may not come from the article.",
    zh: "模型的这个回答没有引用任何段落，可能并非出自文章。",
  },
  rateLimited: {
    en: (seconds: number) => `You're asking faster than I can answer. Please try again in ${seconds} s.`,
    zh: (seconds: number) => `提问太快了，请在 ${seconds} 秒后再试。`,
  },
  restarting: {
    en: "Spotlight is restarting. Please ask again in a moment.",
    zh: "Spotlight 正在重启，请稍后再问。",
  },
  apology: {
    en: "Sorry, something went wrong while answering. Please try again in a moment.",
    zh: "抱歉，回答时出了点问题，请稍后再试。",
  },
} as const;
