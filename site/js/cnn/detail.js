// The explanation of one neuron, opened in place: the detail element (#detail, a
// non-modal <dialog>, `.open` while shown) is put into the overview between the column
// the neuron reads from and its own column, as CNN Explainer does, so the network stays
// visible around it. One view module per layer kind (detail-*.js) lays out the numbers
// Python handed over once (glasslab.cnn.detail) and works out the cell under the
// pointer itself; this module places the element, runs the player (play / pause, step,
// speed) that walks the cell over the output, and the readout line at its top.

import { $, el, tr } from "../dom.js";
import { fmt } from "./colour.js";
import * as conv from "./detail-conv.js";
import * as image from "./detail-input.js";
import * as output from "./detail-output.js";
import * as pool from "./detail-pool.js";
import * as relu from "./detail-relu.js";
import { placeDetail } from "./overview.js";
import { player } from "./player.js";

const VIEWS = { conv, relu, maxpool: pool, input: image, output };
const ARTICLE = { conv: "art-conv", relu: "art-relu", maxpool: "art-pool", input: "art-cnn", output: "art-softmax" };
const shown = { data: null, view: null, cell: null, player: null, hovering: false, wasPlaying: true };

function dialog() { return $("detail"); }

// What a view gets: move the cell (pointer), let the player go on, say what is under
// the pointer on the readout line.
const ui = {
  moveTo(r, c) {
    if (shown.player && !shown.hovering) { shown.wasPlaying = shown.player.playing(); shown.player.pause(); }
    shown.hovering = true;
    moveCell(r, c);
  },
  resume(e) {  // the mouse left; a finger lifted: a tap chooses the cell, the walk stays paused
    const finger = e && e.pointerType === "touch";
    if (shown.hovering && shown.wasPlaying && shown.player && !finger) shown.player.play();
    shown.hovering = false;
  },
  /** The readout line: `what` is "pixel", "input", "output", "weight", "logit", ... */
  read(what, y, x, v) {
    $("detail-readout").textContent = tr(`cnn.read.${what}`, { r: y, c: x, v: fmt(v) });
  },
  readText(text) { $("detail-readout").textContent = text; },
};

function render() {
  const d = shown.data;
  const view = VIEWS[d.kind].render(d, ui);
  shown.view = view;
  $("detail-title").textContent = view.title;
  $("detail-text").textContent = view.text;
  $("detail-info").setAttribute("href", `#${ARTICLE[d.kind] || "art-read"}`);
  $("detail-readout").textContent = tr("cnn.read.hint");
  const body = $("detail-body");
  const steps = view.cell ? cellSteps(d) : view.steps || null;
  const controls = $("detail-player");
  controls.replaceChildren();
  if (shown.player) shown.player.pause();
  shown.player = null;
  if (steps) {
    shown.player = player({ ...steps, name: view.title });
    controls.append(shown.player.node);
  }
  body.replaceChildren(...view.blocks);
  if (view.cell) {
    const slot = el("div", { class: "slot" });
    view.slot.append(slot);
    view.slotNode = slot;
  }
}

function cellSteps(d) {
  const [h, w] = d.out_shape;
  return { count: () => h * w, draw: (i) => moveCell(Math.floor(i / w), i % w, false) };
}

function moveCell(r, c, sync = true) {
  const view = shown.view;
  if (!view || !view.cell) return;
  const [h, w] = shown.data.out_shape;
  r = Math.max(0, Math.min(h - 1, r)); c = Math.max(0, Math.min(w - 1, c));
  shown.cell = [r, c];
  if (sync && shown.player) shown.player.at(r * w + c);
  view.slotNode.replaceChildren(...view.cell(r, c));
}

/** Open the explanation of a neuron in place (glasslab.cnn.detail data, arrays as typed
 *  arrays); a neuron already open is drawn again on the new numbers at the same cell. */
export function show(data) {
  const dlg = dialog();
  const same = shown.data && dlg.open && shown.data.layer === data.layer && shown.data.channel === data.channel;
  const keep = same ? shown.cell : null;
  const playing = same && shown.player ? shown.player.playing() : true;
  shown.data = data;
  shown.hovering = false;
  placeDetail(dlg, data.layer);
  render();
  dlg.dataset.kind = data.kind;
  dlg.dataset.layer = data.layer;
  dlg.dataset.channel = String(data.channel);
  if (!dlg.open) dlg.show();
  shown.cell = null;
  const at = keep || data.cell;
  if (at) moveCell(at[0], at[1]);
  if (shown.player && playing) shown.player.play();
  if (!same) requestAnimationFrame(() => reveal(dlg));
}

/** Scroll the overview so that the column before the explanation shows too. */
function reveal(dlg) {
  const host = $("overview");
  const before = dlg.previousElementSibling;
  const fits = before && dlg.offsetLeft + dlg.offsetWidth - before.offsetLeft + 8 <= host.clientWidth;
  const left = fits ? before.offsetLeft - 8 : dlg.offsetLeft - 4;
  if (left < host.scrollLeft || dlg.offsetLeft + dlg.offsetWidth > host.scrollLeft + host.clientWidth)
    host.scrollLeft = Math.max(0, Math.min(left, dlg.offsetLeft + dlg.offsetWidth - host.clientWidth));
  const r = dlg.getBoundingClientRect();
  if (r.top < 0 || r.top > innerHeight * 0.6) dlg.scrollIntoView({ block: "start", inline: "nearest" });
}

/** Move to output cell (r, c) and stop the walk (for tests and scripts). */
export function setCell(r, c) { if (shown.player) shown.player.pause(); moveCell(r, c); }

/** [r, c] of the cell shown, or null. */
export const cell = () => (shown.view && shown.view.cell && shown.cell ? shown.cell.slice() : null);
export const isOpen = () => dialog().open;

export function close() {
  if (shown.player) shown.player.pause();
  const dlg = dialog();
  if (dlg.open) dlg.close();
}

document.addEventListener("DOMContentLoaded", () => {
  const dlg = dialog();
  dlg.addEventListener("close", () => {
    if (dlg.open) return;  // the close event comes later: another neuron was opened since
    if (shown.player) shown.player.pause();
    shown.data = null;
    $("overview").focus({ preventScroll: true });
  });
  $("detail-close").addEventListener("click", close);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && dlg.open && !e.defaultPrevented) close();
  });
  // a click outside the explanation and the network closes it (not one on another control)
  document.addEventListener("click", (e) => {
    if (!dlg.open) return;
    const path = e.composedPath();
    const inside = (n) => n === dlg || (n.classList && n.classList.contains("overview-cols"));
    const control = (n) => n.matches && n.matches("button, input, select, textarea, label, a, summary");
    if (path.some(inside) || path.some(control)) return;
    close();
  });
});

// A new language: the open view is laid out again at the same cell.
window.addEventListener("glasslab:lang", () => {
  if (!shown.data || !dialog().open) return;
  const at = shown.cell, playing = shown.player && shown.player.playing();
  render();
  if (at) moveCell(at[0], at[1]);
  if (playing) shown.player.play();
});
