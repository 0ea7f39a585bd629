// Before Python is ready the page's layout is there, but the controls that need Python
// (buttons, inputs, selects, text areas inside .needs-python) cannot work yet: they are
// disabled, marked data-waiting and described by a note on top of them that says they
// wait for Python (css/glasslab.css, "waiting"; it takes no room, so nothing moves when
// it goes). When the page is ready they come alive; if it
// fails to start, the start-up error (js/boot.js) replaces the note and they stay off.
//
// A view may set such a control's `disabled` while it waits (Python's first frame sets
// the controls up before the page is ready): that value is kept and applied on release.
import { el, tr } from "./dom.js";

const CONTROLS = "button, input, select, textarea";
const NOTE = "waiting-note";  // the note's id: each waiting control is described by it
const held = new Set();
let watching = null;  // controls the views add while the page waits are held too

/** Disable the controls under `root` (every .needs-python by default) until the page is
 *  ready; `inert`: elements that must not take pointer or keys while waiting (views whose
 *  clicks call Python). Safe to call again for controls added since. */
export function hold(root = null, inert = []) {
  if (document.documentElement.dataset.ready) return;
  const roots = root ? [root] : [...document.querySelectorAll(".needs-python")];
  for (const box of roots) {
    if (!box.querySelector(":scope > [data-waiting-note]")) {
      const note = el("p", { class: "waiting-note", role: "status", "data-waiting-note": "", id: NOTE });
      note.append(el("span", { "data-i18n": "index.status.waiting" },
        tr("index.status.waiting", {}, "Waiting for Python: the controls come alive as soon as it has started.")));
      box.prepend(note);
    }
    for (const control of box.querySelectorAll(CONTROLS)) hold1(control);
    if (!watching) watching = new MutationObserver(added);
    watching.observe(box, { childList: true, subtree: true });
  }
  for (const node of inert) if (node) { node.inert = true; held.add(node); }
}

function added(records) {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      if (node.matches(CONTROLS)) hold1(node);
      for (const control of node.querySelectorAll(CONTROLS)) hold1(control);
    }
  }
}

function hold1(control) {
  if (held.has(control) || control.disabled || control.closest("[data-waiting-note], dialog")) return;
  let wanted = false;  // what a view asked for while waiting
  control.disabled = true;
  Object.defineProperty(control, "disabled", {
    configurable: true,
    get: () => true,
    set: (value) => { wanted = Boolean(value); },
  });
  control.dataset.waiting = "";
  const described = !control.hasAttribute("aria-describedby");
  if (described) control.setAttribute("aria-describedby", NOTE);
  control.releaseWaiting = () => {
    delete control.disabled;  // back to the element's own property
    control.disabled = wanted;
    if (described && control.getAttribute("aria-describedby") === NOTE) control.removeAttribute("aria-describedby");
  };
  held.add(control);
}

/** Bring every held control back (the page is ready). */
export function release() {
  if (watching) watching.disconnect();
  for (const node of held) {
    if (node.releaseWaiting) { node.releaseWaiting(); delete node.releaseWaiting; delete node.dataset.waiting; }
    else node.inert = false;
  }
  held.clear();
  for (const copy of document.querySelectorAll("[data-waiting]")) {  // copies a view made while waiting
    delete copy.dataset.waiting;
    copy.disabled = false;
    if (copy.getAttribute("aria-describedby") === NOTE) copy.removeAttribute("aria-describedby");
  }
  for (const note of document.querySelectorAll("[data-waiting-note]")) note.remove();
}

if (window.glasslab && window.glasslab.ready) window.glasslab.ready.then(release, () => {});
