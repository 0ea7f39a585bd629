// Shared DOM helpers of the view modules: import { el, tr, $ } from "./dom.js".
// Views build their markup with el() (attributes and text only, never markup from data).

/** The element with this id, or null. */
export const $ = (id) => document.getElementById(id);

/** The text of a catalogue key in the page's language (site/js/i18n.js), {name}
 *  placeholders filled from params; `english` when the catalogue is missing. */
export function tr(key, params = {}, english = key) {
  if (window.glasslabI18n) return window.glasslabI18n.t(key, params, english);
  return String(english).replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A new element: `attrs` are attributes ("class" and "style" included; null/undefined
 *  are skipped), `text` its text content. */
export function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value);
  }
  if (text !== null) node.textContent = text;
  return node;
}
