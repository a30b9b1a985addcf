// @ts-check
// The Spotlight playground page: a chat over POST api/ask and api/command (streamed NDJSON) and a
// knowledge-base view over GET api/kb. Everything from the server is inserted with textContent or
// as a checked http(s) href; the page's CSP enforces Trusted Types, so an innerHTML slip would throw.
import { cardNode, comparisonNode } from "./cards.js";
import { byId, h, httpProblem, langOf } from "./dom.js";
import { loadKnowledgeBase } from "./knowledge-view.js";
import { readEvents } from "./ndjson.js";
import { feedbackNode, markdownNodes, modeOf, sourcesNode } from "./reply-view.js";

/**
 * @typedef {import("./reply-view.js").WebReply} WebReply
 * @typedef {{ type: "delta"; text: string } | { type: "text"; text: string }
 *   | { type: "reply"; reply: WebReply } | { type: "error"; message: string }} StreamEvent
 */

// ---------------------------------------------------------------- chat

const log = byId("log", HTMLElement);
const form = byId("ask-form", HTMLFormElement);
const input = byId("question", HTMLTextAreaElement);
const send = byId("send", HTMLButtonElement);
const stop = byId("stop", HTMLButtonElement);
const status = byId("status", HTMLElement);

/** A fresh conversation id; getRandomValues works on plain http too (randomUUID does not). */
function newConversation() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

let conversation = newConversation();
let busy = false;
/** Aborts the answer being streamed (the Stop button). */
let current = new AbortController();

/**
 * Scrolls so that the start of a message is in view above the sticky composer: the whole
 * message when it fits between the top of the window and the composer, else its first lines.
 * @param {HTMLElement} message
 */
function reveal(message) {
  const margin = 8;
  const floor = Math.min(form.getBoundingClientRect().top, window.innerHeight) - margin;
  const box = message.getBoundingClientRect();
  if (box.top < margin || box.height > floor - margin) {
    window.scrollBy({ top: box.top - margin, behavior: "instant" });
  } else if (box.bottom > floor) {
    window.scrollBy({ top: box.bottom - floor, behavior: "instant" });
  }
}

/**
 * Appends a message to the log and keeps it in view.
 * @param {HTMLElement} message
 */
function appendMessage(message) {
  log.append(message);
  reveal(message);
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
    // Follows the answer as it grows, but never past its first lines.
    reveal(message);
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
      // Only problems look like one; /help and other private replies are ordinary answers here.
      if (reply.error) message.classList.add("msg-note");
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
      reveal(message);
      status.textContent = "Answer ready.";
    },
    /** @param {string} problem */
    fail(problem) {
      done = true;
      message.classList.add("msg-note");
      body.replaceChildren(h("p", { text: problem }));
      message.setAttribute("aria-busy", "false");
      reveal(message);
      status.textContent = problem;
    },
    /** Keeps what was written so far and says that the answer was stopped. */
    stopped() {
      done = true;
      const notice = h("p", { className: "notice", text: "Stopped." });
      body.replaceChildren(...(text ? markdownNodes(text) : []), notice);
      message.classList.add("msg-stopped");
      message.setAttribute("aria-busy", "false");
      reveal(message);
      status.textContent = "Stopped.";
    },
  };
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
  current = new AbortController();
  const signal = current.signal;
  stop.hidden = false;
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
        signal,
      });
    } catch {
      if (signal.aborted) bot.stopped();
      else bot.fail("Could not reach Spotlight; is it still running?");
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
    if (!finished && signal.aborted) {
      bot.stopped();
      finished = true;
    } else if (!finished) {
      bot.fail("The answer was cut off; please try again.");
      finished = true;
    }
  } finally {
    // A bug while showing the answer still propagates (to the console), but never leaves it "Thinking…".
    if (!finished) bot.fail("Something went wrong while showing this answer.");
    busy = false;
    send.disabled = false;
    const hadFocus = document.activeElement === stop;
    stop.hidden = true;
    if (hadFocus) input.focus();
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

// Stop: aborting the request closes the stream, and the server stops the answer (and the model call).
stop.addEventListener("click", () => current.abort());
input.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && busy) current.abort();
});

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

// The question box is where a visitor starts; preventScroll keeps the page at its top.
input.focus({ preventScroll: true });
