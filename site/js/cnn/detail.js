// The detail dialog: one view module per layer kind (detail-*.js) lays out the numbers
// Python handed over once (plain data and typed arrays, glasslab.cnn.detail) and works
// out the cell under the pointer itself; this module opens and closes the dialog and
// walks the cell across the output while the pointer is elsewhere.

import { $, el } from "../dom.js";
import * as conv from "./detail-conv.js";
import * as image from "./detail-input.js";
import * as output from "./detail-output.js";
import * as pool from "./detail-pool.js";
import * as relu from "./detail-relu.js";

const VIEWS = { conv, relu, maxpool: pool, input: image, output };
const STEP_MS = 700;
const shown = { data: null, view: null, cell: null, timer: null };

function dialog() { return $("detail"); }

// What a view gets to steer the cell: move there (pointer), or let the walk go on.
const ui = {
  moveTo(r, c) { stop(); moveCell(r, c); },
  resume() { start(); },
};

function render() {
  const d = shown.data;
  const view = VIEWS[d.kind].render(d, ui);
  shown.view = view;
  $("detail-title").textContent = view.title;
  $("detail-text").textContent = view.text;
  const body = $("detail-body");
  body.replaceChildren(...view.blocks);
  if (view.cell) {
    const slot = el("div", { class: "slot" });
    view.slot.append(slot);
    view.slotNode = slot;
  }
}

function moveCell(r, c) {
  const view = shown.view;
  if (!view || !view.cell) return;
  const [h, w] = shown.data.out_shape;
  r = Math.max(0, Math.min(h - 1, r)); c = Math.max(0, Math.min(w - 1, c));
  shown.cell = [r, c];
  view.slotNode.replaceChildren(...view.cell(r, c));
}

/** Open the dialog on a detail (glasslab.cnn.detail data, arrays as typed arrays). */
export function show(data) {
  stop();
  shown.data = data;
  render();
  const dlg = dialog();
  dlg.dataset.kind = data.kind;
  if (!dlg.open) dlg.showModal();
  shown.cell = null;
  if (data.cell) moveCell(data.cell[0], data.cell[1]);
  start();
}

/** Move to output cell (r, c) and stop the walk (for tests and scripts). */
export function setCell(r, c) { stop(); moveCell(r, c); }

/** [r, c] of the cell shown, or null. */
export const cell = () => (shown.view && shown.view.cell && shown.cell ? shown.cell.slice() : null);
export const isOpen = () => dialog().open;

function start() {
  stop();
  const d = shown.data;
  if (!d || !d.cell || !d.out_shape) return;
  shown.timer = setInterval(() => {
    if (!dialog().open) { stop(); return; }
    let [r, c] = shown.cell || [0, 0];
    c += 1;
    if (c >= d.out_shape[1]) { c = 0; r = (r + 1) % d.out_shape[0]; }
    moveCell(r, c);
  }, STEP_MS);
}

function stop() { if (shown.timer) { clearInterval(shown.timer); shown.timer = null; } }

export function close() { stop(); if (dialog().open) dialog().close(); }

document.addEventListener("DOMContentLoaded", () => {
  const dlg = dialog();
  dlg.addEventListener("click", (e) => { if (e.target === dlg) close(); });
  dlg.addEventListener("close", () => { stop(); $("overview").focus(); });
  $("detail-close").addEventListener("click", close);
});

// A new language: the open view is laid out again at the same cell.
window.addEventListener("glasslab:lang", () => {
  if (!shown.data || !dialog().open) return;
  const at = shown.cell;
  render();
  if (at) moveCell(at[0], at[1]);
});
