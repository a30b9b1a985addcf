// @ts-check
// Small DOM helpers shared by the playground's chat and knowledge-base views. Text always goes in
// as textContent; links only for http(s) URLs.
import { safeHref } from "./markdown.js";

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new (...args: never[]) => T} type
 * @returns {T}
 */
export function byId(id, type) {
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
export function h(tag, options = {}, children = []) {
  const el = document.createElement(tag);
  if (options.className) el.className = options.className;
  if (options.text !== undefined) el.textContent = options.text;
  if (options.lang) el.lang = options.lang;
  el.append(...children);
  return el;
}

const HAN = /[\u3400-\u9fff]/;
/** @param {string} text */
export const langOf = (text) => (HAN.test(text) ? "zh" : "en");

/**
 * A link that opens outside the playground; only http(s) URLs, else plain text.
 * @param {string} url
 * @param {(Node | string)[]} children
 * @returns {HTMLElement}
 */
export function externalLink(url, children) {
  const href = safeHref(url);
  if (!href) return h("span", {}, children);
  const a = h("a", {}, children);
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

/** @param {number} status */
export function httpProblem(status) {
  if (status === 401) return "Not signed in: reload the page and enter the playground token.";
  if (status === 413) return "That message is too long.";
  if (status === 429) return "Too many requests; please wait a moment.";
  return `The server could not answer (HTTP ${status}).`;
}
