// @ts-check
// The Spotlight playground page: a chat over POST api/ask and api/command (streamed NDJSON) and a
// knowledge-base view over GET api/kb. Everything from the server is inserted with textContent or
// as a checked http(s) href; the page's CSP enforces Trusted Types, so an innerHTML slip would throw.
import { parseMarkdown, safeHref } from "./markdown.js";

/**
 * @typedef {import("./markdown.js").Inline} Inline
 * @typedef {{ n: number; articleId: string; title: string; section: string; url: string; text: string }} Source
 * @typedef {{ title: string; url: string }} Link
 * @typedef {{ projectId: string; name: string; summary: string; whyItMatters?: string;
 *   facts: { label: string; value: string }[]; kubeconSession?: Link; furtherReading: Link[];
 *   section: string; articleUrl: string; aliases?: string[]; featured?: boolean }} Card
 * @typedef {{ projects: { projectId: string; name: string; summary: string }[];
 *   rows: { label: string; values: string[] }[]; missing: string }} Comparison
 * @typedef {{ type: "markdown"; text: string } | { type: "card"; card: Card }
 *   | { type: "comparison"; comparison: Comparison }} ReplyPart
 * @typedef {{ id: string; text: string; parts: ReplyPart[]; sources: Source[];
 *   mode?: "llm" | "extractive" | "declined"; fallback?: string; notice?: string; language: "en" | "zh";
 *   ephemeral: boolean; error?: string; rateable: boolean }} WebReply
 * @typedef {{ type: "delta"; text: string } | { type: "text"; text: string }
 *   | { type: "reply"; reply: WebReply } | { type: "error"; message: string }} StreamEvent
 * @typedef {{ heading: string; path: string[]; paragraphs: string[]; links: string[] }} ArticleSection
 * @typedef {{ id: string; title: string; titleEn: string; url: string; author: string; publisher: string;
 *   language: string; sections: ArticleSection[] }} Article
 * @typedef {{ version: string; projects: Card[]; articles: Article[] }} KnowledgeBaseView
 */

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new (...args: never[]) => T} type
 * @returns {T}
 */
function byId(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`#${id} is missing`);
  return el;
}

/**
 * An element with optional class and text; text goes in as textContent.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{ className?: string; text?: string; lang?: string }} [options]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
function h(tag, options = {}, children = []) {
  const el = document.createElement(tag);
  if (options.className) el.className = options.className;
  if (options.text !== undefined) el.textContent = options.text;
  if (options.lang) el.lang = options.lang;
  el.append(...children);
  return el;
}

const HAN = /[\u3400-\u9fff]/;
/** @param {string} text */
const langOf = (text) => (HAN.test(text) ? "zh" : "en");

/**
 * A link that opens outside the playground; only http(s) URLs, else plain text.
 * @param {string} url
 * @param {(Node | string)[]} children
 * @returns {HTMLElement}
 */
function externalLink(url, children) {
  const href = safeHref(url);
  if (!href) return h("span", {}, children);
  const a = h("a", {}, children);
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

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
function markdownNodes(markdown, cites, lang = langOf(markdown)) {
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
function modeOf(reply) {
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

let cardCount = 0;

/**
 * Two projects side by side: a table with one row per fact.
 * @param {Comparison} comparison
 * @param {"en" | "zh"} language
 */
function comparisonNode(comparison, language) {
  const [a, b] = comparison.projects;
  const title = `${a?.name ?? ""} ${language === "zh" ? "对比" : "vs"} ${b?.name ?? ""}`;
  const head = h("tr", {}, [
    h("th", { text: "" }),
    ...comparison.projects.map((p) => h("th", { text: p.name })),
  ]);
  const summary = h("tr", {}, [
    h("th", { text: language === "zh" ? "简介" : "Summary" }),
    ...comparison.projects.map((p) => h("td", { text: p.summary, lang: langOf(p.summary) })),
  ]);
  const rows = comparison.rows.map((row) =>
    h("tr", {}, [h("th", { text: row.label }), ...row.values.map((v) => h("td", { text: v }))]),
  );
  return h("figure", { className: "comparison" }, [
    h("figcaption", { text: title }),
    h("table", {}, [h("thead", {}, [head]), h("tbody", {}, [summary, ...rows])]),
  ]);
}

/**
 * A project card.
 * @param {Card} card
 * @param {"h3" | "h4"} headingTag
 * @returns {HTMLElement}
 */
function cardNode(card, headingTag) {
  const heading = h(headingTag, { text: card.name });
  heading.id = `card-${card.projectId}-${++cardCount}`;
  const article = h("article", { className: "card" }, [heading]);
  article.setAttribute("aria-labelledby", heading.id);
  if (card.aliases && card.aliases.length > 0) {
    article.append(h("p", { className: "aliases", text: `Also: ${card.aliases.join(", ")}` }));
  }
  article.append(h("p", { text: card.summary, lang: langOf(card.summary) }));
  if (card.whyItMatters) {
    article.append(
      h("p", { lang: langOf(card.whyItMatters) }, [
        h("strong", { text: "Why it matters: " }),
        card.whyItMatters,
      ]),
    );
  }
  if (card.facts.length > 0) {
    article.append(
      h(
        "dl",
        { className: "facts" },
        card.facts.map((f) => h("div", {}, [h("dt", { text: f.label }), h("dd", { text: f.value })])),
      ),
    );
  }
  if (card.kubeconSession) {
    article.append(
      h("p", {}, [
        h("strong", { text: "KubeCon London session: " }),
        externalLink(card.kubeconSession.url, [card.kubeconSession.title]),
      ]),
    );
  }
  if (card.furtherReading.length > 0) {
    article.append(
      h("p", { className: "label", text: "Further reading" }),
      h(
        "ul",
        {},
        card.furtherReading.map((l) => h("li", {}, [externalLink(l.url, [l.title])])),
      ),
    );
  }
  article.append(
    h("p", { className: "source-line" }, ["Source: ", externalLink(card.articleUrl, [card.section])]),
  );
  return article;
}

/**
 * The numbered passages an answer cites, each opening to its text, section and link.
 * @param {WebReply} reply
 * @returns {HTMLElement}
 */
function sourcesNode(reply) {
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

/**
 * 👍/👎 buttons posting to api/feedback; one vote per answer.
 * @param {WebReply} reply
 * @returns {HTMLElement}
 */
function feedbackNode(reply) {
  const status = h("span", { className: "feedback-status" });
  status.setAttribute("role", "status");
  const group = h("div", { className: "feedback" });
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Was this answer helpful?");
  /** @type {HTMLButtonElement[]} */
  const buttons = [];
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
    button.addEventListener("click", async () => {
      for (const b of buttons) b.disabled = true;
      button.setAttribute("aria-pressed", "true");
      try {
        const res = await fetch("api/feedback", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ replyId: reply.id, value }),
        });
        status.textContent = res.ok ? "Thanks for the feedback!" : "Could not record the feedback.";
      } catch {
        status.textContent = "Could not record the feedback.";
      }
    });
    buttons.push(button);
  }
  group.append(...buttons, status);
  return group;
}

// ---------------------------------------------------------------- chat

const log = byId("log", HTMLElement);
const form = byId("ask-form", HTMLFormElement);
const input = byId("question", HTMLTextAreaElement);
const send = byId("send", HTMLButtonElement);
const status = byId("status", HTMLElement);

/** A fresh conversation id; getRandomValues works on plain http too (randomUUID does not). */
function newConversation() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

let conversation = newConversation();
let busy = false;

/**
 * Appends a message to the log and keeps it in view.
 * @param {HTMLElement} message
 */
function appendMessage(message) {
  log.append(message);
  message.scrollIntoView({ block: "nearest" });
}

/** @param {string} text */
function userMessage(text) {
  const message = h("article", { className: "msg msg-user" }, [
    h("p", { className: "who", text: "You" }),
    h("p", { className: "body", text, lang: langOf(text) }),
  ]);
  message.setAttribute("aria-label", "You");
  return message;
}

/** A bot message being written: streamed text goes into its body; `finish` renders the reply. */
function botMessage() {
  const body = h("div", { className: "body" });
  const message = h("article", { className: "msg msg-bot" }, [
    h("p", { className: "who", text: "Spotlight" }),
    body,
  ]);
  message.setAttribute("aria-label", "Spotlight");
  // Screen readers announce the answer once it is complete, not token by token.
  message.setAttribute("aria-busy", "true");
  body.append(h("p", { className: "pending", text: "Thinking…" }));
  let text = "";
  let scheduled = false;
  let done = false;
  const render = () => {
    scheduled = false;
    // A frame requested before the reply arrived must not overwrite it.
    if (done) return;
    body.replaceChildren(...markdownNodes(text));
    if (nearBottom()) message.scrollIntoView({ block: "end" });
  };
  return {
    element: message,
    /** @param {StreamEvent} event */
    progress(event) {
      if (event.type === "delta") text += event.text;
      else if (event.type === "text") text = event.text;
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(render);
      }
    },
    /** @param {WebReply} reply */
    finish(reply) {
      done = true;
      const cites = { sources: reply.sources, replyId: reply.id };
      message.dataset.replyId = reply.id;
      if (reply.ephemeral) message.classList.add("msg-note");
      const mode = modeOf(reply);
      const parts = [];
      if (mode) {
        const badge = h("span", { className: `badge badge-${mode.kind}`, text: mode.label });
        parts.push(
          h("p", { className: "mode" }, [
            h("span", { className: "visually-hidden", text: "Answer mode: " }),
            badge,
          ]),
        );
      }
      const cards = reply.parts.flatMap((p) => (p.type === "card" ? [p.card] : []));
      if (cards.length > 0)
        parts.push(
          h(
            "div",
            { className: "cards" },
            cards.map((c) => cardNode(c, "h3")),
          ),
        );
      for (const part of reply.parts) {
        if (part.type === "markdown") parts.push(...markdownNodes(part.text, cites, reply.language));
        else if (part.type === "comparison") parts.push(comparisonNode(part.comparison, reply.language));
      }
      if (reply.notice) parts.push(h("p", { className: "notice", text: reply.notice }));
      body.replaceChildren(...parts);
      if (reply.sources.length > 0) message.append(sourcesNode(reply));
      if (reply.rateable) message.append(feedbackNode(reply));
      message.setAttribute("aria-busy", "false");
      status.textContent = "Answer ready.";
    },
    /** @param {string} problem */
    fail(problem) {
      done = true;
      message.classList.add("msg-note");
      body.replaceChildren(h("p", { text: problem }));
      message.setAttribute("aria-busy", "false");
      status.textContent = problem;
    },
  };
}

function nearBottom() {
  return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 160;
}

/** @param {number} status */
function httpProblem(status) {
  if (status === 401) return "Not signed in: reload the page and enter the playground token.";
  if (status === 413) return "That message is too long.";
  if (status === 429) return "Too many requests; please wait a moment.";
  return `The server could not answer (HTTP ${status}).`;
}

/**
 * Reads an NDJSON response, one event per line, as lines arrive. Resolves false when the
 * connection broke; errors thrown by `onEvent` (bugs in the page) propagate.
 * @param {ReadableStream<Uint8Array>} body
 * @param {(event: StreamEvent) => void} onEvent
 * @returns {Promise<boolean>}
 */
async function readEvents(body, onEvent) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    /** @type {ReadableStreamReadResult<Uint8Array>} */
    let chunk;
    try {
      chunk = await reader.read();
    } catch {
      return false;
    }
    buffer += decoder.decode(chunk.value, { stream: !chunk.done });
    let newline = buffer.indexOf("\n");
    while (newline >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.trim()) onEvent(/** @type {StreamEvent} */ (JSON.parse(line)));
      newline = buffer.indexOf("\n");
    }
    if (chunk.done) break;
  }
  if (buffer.trim()) onEvent(/** @type {StreamEvent} */ (JSON.parse(buffer)));
  return true;
}

/**
 * Sends a line: a slash command to api/command, anything else to api/ask.
 * @param {string} line
 */
async function submit(line) {
  const text = line.trim();
  if (!text || busy) return;
  if (text === "/new") {
    startNewConversation();
    return;
  }
  busy = true;
  send.disabled = true;
  input.value = "";
  appendMessage(userMessage(text));
  const bot = botMessage();
  appendMessage(bot.element);
  status.textContent = "Spotlight is answering…";
  const command = /^\/([\w-]+)(?:\s+([\s\S]*))?$/.exec(text);
  const [url, payload] = command
    ? ["api/command", { name: command[1], text: (command[2] ?? "").trim(), conversation }]
    : ["api/ask", { text, conversation }];
  let finished = false;
  try {
    /** @type {Response} */
    let res;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
      });
    } catch {
      bot.fail("Could not reach Spotlight; is it still running?");
      finished = true;
      return;
    }
    if (!res.ok || !res.body) {
      bot.fail(httpProblem(res.status));
      finished = true;
      return;
    }
    await readEvents(res.body, (event) => {
      if (event.type === "reply") {
        bot.finish(event.reply);
        finished = true;
      } else if (event.type === "error") {
        bot.fail(event.message);
        finished = true;
      } else bot.progress(event);
    });
    if (!finished) {
      bot.fail("The answer was cut off; please try again.");
      finished = true;
    }
  } finally {
    // A bug while showing the answer still propagates (to the console), but never leaves it "Thinking…".
    if (!finished) bot.fail("Something went wrong while showing this answer.");
    busy = false;
    send.disabled = false;
  }
}

function startNewConversation() {
  conversation = newConversation();
  input.value = "";
  const divider = h("p", { className: "divider", text: "New conversation" });
  divider.setAttribute("role", "separator");
  appendMessage(divider);
  status.textContent = "Started a new conversation.";
  input.focus();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void submit(input.value);
  input.focus();
});

input.addEventListener("keydown", (event) => {
  // Enter sends; Shift+Enter is a new line; an IME composing Chinese uses Enter to pick characters.
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});

byId("new-conversation", HTMLButtonElement).addEventListener("click", startNewConversation);

for (const example of document.querySelectorAll("button[data-example]")) {
  if (!(example instanceof HTMLButtonElement)) continue;
  example.addEventListener("click", () => {
    input.focus();
    void submit(example.dataset.example ?? "");
  });
}

// ---------------------------------------------------------------- tabs

const tabs = [byId("tab-chat", HTMLButtonElement), byId("tab-kb", HTMLButtonElement)];

/**
 * Shows one tab's panel (the WAI-ARIA tabs pattern: one tab stop, arrow keys move between tabs).
 * @param {HTMLButtonElement} tab
 * @param {boolean} focus
 */
function selectTab(tab, focus) {
  for (const t of tabs) {
    const selected = t === tab;
    t.setAttribute("aria-selected", String(selected));
    t.tabIndex = selected ? 0 : -1;
    const panel = document.getElementById(t.getAttribute("aria-controls") ?? "");
    if (panel) panel.hidden = !selected;
  }
  if (focus) tab.focus();
  if (tab.id === "tab-kb") void loadKnowledgeBase();
}

for (const tab of tabs) {
  tab.addEventListener("click", () => selectTab(tab, true));
  tab.addEventListener("keydown", (event) => {
    const i = tabs.indexOf(tab);
    const next =
      event.key === "ArrowRight"
        ? tabs[(i + 1) % tabs.length]
        : event.key === "ArrowLeft"
          ? tabs[(i - 1 + tabs.length) % tabs.length]
          : event.key === "Home"
            ? tabs[0]
            : event.key === "End"
              ? tabs[tabs.length - 1]
              : undefined;
    if (next) {
      event.preventDefault();
      selectTab(next, true);
    }
  });
}

// ---------------------------------------------------------------- knowledge base

const kbSearch = byId("kb-search", HTMLInputElement);
const kbCount = byId("kb-count", HTMLElement);
const kbProjects = byId("kb-projects", HTMLElement);
const kbArticles = byId("kb-articles", HTMLElement);

/** @type {Promise<void> | undefined} */
let kbLoading;
let kbLoaded = false;
/** @type {{ element: HTMLElement; text: string; kind: "project" | "section" }[]} */
const kbItems = [];

/** @param {string} text */
const fold = (text) => text.normalize("NFKC").toLocaleLowerCase();

/** @param {Card} p */
function projectSearchText(p) {
  return [p.name, ...(p.aliases ?? []), p.summary, p.whyItMatters ?? "", p.section]
    .concat(p.facts.flatMap((f) => [f.label, f.value]))
    .join("\n");
}

function loadKnowledgeBase() {
  kbLoading ??= (async () => {
    kbCount.textContent = "Loading the knowledge base…";
    try {
      const res = await fetch("api/kb");
      if (!res.ok) throw new Error(httpProblem(res.status));
      /** @type {KnowledgeBaseView} */
      const kb = await res.json();
      for (const project of kb.projects) {
        const element = cardNode(project, "h4");
        element.classList.toggle("featured", project.featured === true);
        kbItems.push({ element, text: fold(projectSearchText(project)), kind: "project" });
        kbProjects.append(element);
      }
      for (const article of kb.articles) {
        const heading = h("h4", {}, [externalLink(article.url, [article.title])]);
        heading.lang = article.language;
        const meta = h("p", {
          className: "aliases",
          text: `${article.titleEn} — ${article.author}, ${article.publisher}`,
        });
        const sections = article.sections.map((section) => {
          // The article's own title heads the article already; a section shows the headings below it.
          const trail =
            section.path.length > 1 && section.path[0] === article.title
              ? section.path.slice(1)
              : section.path;
          const element = h("section", { className: "kb-section", lang: article.language }, [
            h("h5", { text: trail.join(" › ") }),
            ...section.paragraphs.map((p) => h("p", { text: p })),
          ]);
          if (section.links.length > 0) {
            element.append(
              h("details", { className: "links", lang: "en" }, [
                h("summary", { text: `Links in this section (${section.links.length})` }),
                h(
                  "ul",
                  {},
                  section.links.map((url) => h("li", {}, [externalLink(url, [url])])),
                ),
              ]),
            );
          }
          kbItems.push({
            element,
            text: fold([...section.path, ...section.paragraphs].join("\n")),
            kind: "section",
          });
          return element;
        });
        kbArticles.append(h("article", { className: "kb-article" }, [heading, meta, ...sections]));
      }
      kbLoaded = true;
      filterKnowledgeBase();
    } catch (error) {
      kbLoading = undefined;
      kbCount.textContent = `Could not load the knowledge base. ${error instanceof Error ? error.message : ""}`;
    }
  })();
  return kbLoading;
}

/** Shows the projects and sections holding every word of the search box. */
function filterKnowledgeBase() {
  // Until the catalog has arrived, "0 match" would be wrong: the count keeps saying "Loading…".
  if (!kbLoaded) return;
  const words = fold(kbSearch.value).split(/\s+/).filter(Boolean);
  let projects = 0;
  let sections = 0;
  for (const item of kbItems) {
    const match = words.every((w) => item.text.includes(w));
    item.element.hidden = !match;
    if (match && item.kind === "project") projects++;
    if (match && item.kind === "section") sections++;
  }
  const what = `${projects} project${projects === 1 ? "" : "s"} and ${sections} section${sections === 1 ? "" : "s"}`;
  kbCount.textContent = words.length > 0 ? `${what} match “${kbSearch.value.trim()}”.` : `${what}.`;
}

kbSearch.addEventListener("input", filterKnowledgeBase);
