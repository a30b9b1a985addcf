// @ts-check
// A reply's parts as DOM: markdown (with [n] citation buttons), its mode badge, the passages it
// cites and its feedback buttons. Text goes in as textContent, links only for http(s) URLs.
import { externalLink, h, langOf } from "./dom.js";
import { parseMarkdown } from "./markdown.js";

/**
 * @typedef {import("./markdown.js").Inline} Inline
 * @typedef {import("./cards.js").Card} Card
 * @typedef {import("./cards.js").Comparison} Comparison
 * @typedef {{ n: number; articleId: string; title: string; section: string; url: string; text: string }} Source
 * @typedef {{ type: "markdown"; text: string } | { type: "card"; card: Card }
 *   | { type: "comparison"; comparison: Comparison }} ReplyPart
 * @typedef {{ id: string; text: string; parts: ReplyPart[]; sources: Source[];
 *   mode?: "llm" | "extractive" | "declined"; fallback?: string; notice?: string; language: "en" | "zh";
 *   ephemeral: boolean; error?: string; rateable: boolean }} WebReply
 */

// ---------------------------------------------------------------- markdown -> DOM

/**
 * @typedef {{ sources: Source[]; replyId: string }} CiteContext
 */

/**
 * @param {Inline[]} inlines
 * @param {CiteContext | undefined} cites
 * @returns {Node[]}
 */
function inlineNodes(inlines, cites) {
  return inlines.map((node) => {
    switch (node.type) {
      case "text":
        return document.createTextNode(node.text);
      case "br":
        return h("br");
      case "code":
        return h("code", { text: node.text });
      case "strong":
        return h("strong", {}, inlineNodes(node.children, cites));
      case "em":
        return h("em", {}, inlineNodes(node.children, cites));
      case "link":
        return externalLink(node.href, inlineNodes(node.children, cites));
      case "cite":
        return citeNode(node.n, cites);
      default:
        return document.createTextNode("");
    }
  });
}

/**
 * A [n] citation: a button opening the cited passage when the source is known, else plain text
 * (while an answer streams, its sources are not known yet).
 * @param {number} n
 * @param {CiteContext | undefined} cites
 * @returns {Node}
 */
function citeNode(n, cites) {
  const source = cites?.sources.find((s) => s.n === n);
  if (!cites || !source) return document.createTextNode(`[${n}]`);
  const button = h("button", { className: "cite", text: `[${n}]` });
  button.type = "button";
  button.setAttribute("aria-label", `Source ${n}: ${source.section}`);
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", sourceId(cites.replyId, n));
  button.dataset.source = sourceId(cites.replyId, n);
  button.addEventListener("click", () => openSource(sourceId(cites.replyId, n)));
  return button;
}

/**
 * @param {string} markdown
 * @param {CiteContext} [cites]
 * @param {string} [lang] the reply's language when known; else guessed from the text
 * @returns {Node[]}
 */
export function markdownNodes(markdown, cites, lang = langOf(markdown)) {
  return parseMarkdown(markdown).map((block) => {
    switch (block.type) {
      case "paragraph":
        return h("p", { lang }, inlineNodes(block.children, cites));
      case "list":
        return h(
          "ul",
          { lang },
          block.items.map((item) => h("li", {}, inlineNodes(item, cites))),
        );
      case "code":
        return h("pre", {}, [h("code", { text: block.text })]);
      default:
        return document.createTextNode("");
    }
  });
}

// ---------------------------------------------------------------- replies

/**
 * @param {string} replyId
 * @param {number} n
 */
const sourceId = (replyId, n) => `source-${replyId}-${n}`;

/**
 * Opens a cited passage, shows it and moves focus to it.
 * @param {string} id
 */
function openSource(id) {
  const details = document.getElementById(id);
  if (!(details instanceof HTMLDetailsElement)) return;
  details.open = true;
  syncCites(details);
  details.scrollIntoView({ block: "nearest" });
  details.querySelector("summary")?.focus();
}

/**
 * Keeps the [n] buttons' aria-expanded in step with their passage.
 * @param {HTMLDetailsElement} details
 */
function syncCites(details) {
  for (const button of document.querySelectorAll(`button.cite[data-source="${CSS.escape(details.id)}"]`)) {
    button.setAttribute("aria-expanded", String(details.open));
  }
}

const FALLBACK_LABELS = /** @type {Record<string, string>} */ ({
  "llm-error": "the model failed",
  "llm-timeout": "the model timed out",
  "llm-busy": "the model was busy",
  "llm-circuit-open": "the model is unavailable",
  "llm-down": "the model's server is unreachable",
  "llm-unauthorised": "the model refused the API key",
  "llm-model-missing": "the model is missing",
  "llm-context": "the model's context is too small",
  "llm-uncited": "the model cited nothing",
});

/**
 * How the answer was produced, as shown on its badge.
 * @param {WebReply} reply
 * @returns {{ label: string; kind: string } | undefined}
 */
export function modeOf(reply) {
  if (reply.mode === "llm") return { label: "LLM", kind: "llm" };
  if (reply.mode === "extractive") {
    const why = reply.fallback ? FALLBACK_LABELS[reply.fallback] : undefined;
    return why
      ? { label: `Fallback: ${why}`, kind: "fallback" }
      : { label: "Extractive", kind: "extractive" };
  }
  if (reply.mode === "declined") return { label: "Declined", kind: "declined" };
  return undefined;
}

/**
 * The numbered passages an answer cites, each opening to its text, section and link.
 * @param {WebReply} reply
 * @returns {HTMLElement}
 */
export function sourcesNode(reply) {
  const headingId = `sources-${reply.id}`;
  const section = h("section", { className: "sources" }, [
    h("h3", { text: reply.language === "zh" ? "来源" : "Sources" }),
  ]);
  section.firstElementChild?.setAttribute("id", headingId);
  section.setAttribute("aria-labelledby", headingId);
  const list = h("ol");
  for (const source of reply.sources) {
    const details = h("details", { className: "source" }, [
      h("summary", {}, [h("span", { className: "n", text: `[${source.n}]` }), ` ${source.section}`]),
      h("blockquote", { text: source.text, lang: langOf(source.text) }),
      h("p", { className: "source-line" }, [
        externalLink(source.url, [source.title]),
        ` — section “${source.section}”`,
      ]),
    ]);
    details.id = sourceId(reply.id, source.n);
    details.addEventListener("toggle", () => syncCites(details));
    list.append(h("li", {}, [details]));
  }
  section.append(list);
  return section;
}

/** Longest reason the page sends with a 👎: one line. */
export const REASON_CHARS = 200;

/**
 * Posts one vote (and a 👎's optional reason) to api/feedback.
 * @param {string} replyId
 * @param {"up" | "down"} value
 * @param {string} [reason]
 * @returns {Promise<boolean>} whether it was recorded
 */
async function sendFeedback(replyId, value, reason) {
  try {
    const res = await fetch("api/feedback", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(reason ? { replyId, value, reason } : { replyId, value }),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * The one-line "what was wrong?" form a 👎 opens, as Slack's and Discord's modals do. Send (or
 * Enter) posts the 👎 with the reason, Skip (or Esc) without one.
 * @param {string} replyId
 * @param {(reason: string) => void} done called once, with the reason ("" when skipped)
 * @returns {HTMLFormElement}
 */
function reasonForm(replyId, done) {
  const inputId = `reason-${replyId}`;
  const label = h("label", {
    className: "visually-hidden",
    text: "What was wrong with this answer? (optional)",
  });
  label.htmlFor = inputId;
  const input = h("input");
  input.id = inputId;
  input.type = "text";
  input.maxLength = REASON_CHARS;
  input.placeholder = "What was wrong? (optional)";
  input.autocomplete = "off";
  input.enterKeyHint = "send";
  const send = h("button", { className: "vote", text: "Send" });
  send.type = "submit";
  const skip = h("button", { className: "link-button", text: "Skip" });
  skip.type = "button";
  const form = h("form", { className: "feedback-reason" }, [label, input, send, skip]);
  form.setAttribute("aria-label", "Why was this answer not helpful?");
  let finished = false;
  /** @param {string} reason */
  const finish = (reason) => {
    if (finished) return;
    finished = true;
    done(reason.replace(/\s+/g, " ").trim().slice(0, REASON_CHARS));
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    finish(input.value);
  });
  skip.addEventListener("click", () => finish(""));
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    finish("");
  });
  return form;
}

/**
 * 👍/👎 buttons posting to api/feedback; one vote per answer. 👍 is sent at once; 👎 first asks
 * for an optional one-line reason and is sent with it.
 * @param {WebReply} reply
 * @returns {HTMLElement}
 */
export function feedbackNode(reply) {
  const status = h("span", { className: "feedback-status" });
  status.setAttribute("role", "status");
  status.tabIndex = -1;
  const group = h("div", { className: "feedback" });
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Was this answer helpful?");
  /** @type {HTMLButtonElement[]} */
  const buttons = [];
  /**
   * @param {"up" | "down"} value
   * @param {string} [reason]
   */
  const submit = async (value, reason) => {
    const ok = await sendFeedback(reply.id, value, reason);
    status.textContent = ok ? "Thanks for the feedback!" : "Could not record the feedback.";
  };
  for (const [value, emoji, label] of /** @type {const} */ ([
    ["up", "👍", "Helpful"],
    ["down", "👎", "Not helpful"],
  ])) {
    // A visible word too: the emoji alone is a blank box where no emoji font is installed.
    const button = h("button", { className: "vote" }, [
      h("span", { className: "emoji", text: emoji }),
      h("span", { text: label }),
    ]);
    button.firstElementChild?.setAttribute("aria-hidden", "true");
    button.type = "button";
    button.setAttribute("aria-pressed", "false");
    button.dataset.value = value;
    button.addEventListener("click", () => {
      for (const b of buttons) b.disabled = true;
      button.setAttribute("aria-pressed", "true");
      if (value === "up") {
        void submit(value);
        return;
      }
      const form = reasonForm(reply.id, (reason) => {
        form.remove();
        // Focus stays by the answer (the form's input is gone), where the thanks is read out.
        status.focus();
        void submit(value, reason || undefined);
      });
      group.insertBefore(form, status);
      form.querySelector("input")?.focus();
    });
    buttons.push(button);
  }
  group.append(...buttons, status);
  return group;
}
