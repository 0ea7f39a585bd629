// The pieces the detail views are built from: blocks, equation rows, numbers, map
// figures with a movable window, number tables. Text only, never markup from data.

import { el } from "../dom.js";
import { hex, ink, fmt, paintMap } from "./colour.js";
import { dragSurface } from "../touch.js";

/** [y, x] of the cell of an (h, w) map drawn on `canvas` under the pointer `e`, from the
 *  size the canvas is shown at (inside its border; CSS may shrink it on a narrow screen). */
export function cellUnder(canvas, e, h, w) {
  const rect = canvas.getBoundingClientRect();
  const cw = canvas.clientWidth || rect.width, ch = canvas.clientHeight || rect.height;
  return [Math.floor(((e.clientY - rect.top - canvas.clientTop) * h) / ch), Math.floor(((e.clientX - rect.left - canvas.clientLeft) * w) / cw)];
}

/** A titled block of a detail view. */
export function block(heading, { note = null, cls = "" } = {}) {
  const sec = el("section", { class: `detail-block ${cls}`.trim() });
  if (heading) sec.append(el("h3", {}, heading));
  if (note) sec.append(el("p", { class: "small muted" }, note));
  return sec;
}

/** An equation row: strings are operators, nodes are put in as they are. */
export function row(...items) {
  const r = el("div", { class: "eq-row" });
  for (const item of items) r.append(typeof item === "string" ? el("span", { class: "op" }, item) : item);
  return r;
}

/** A number of the arithmetic (`id` is how tests and scripts find it). */
export function num(value, id = null, big = false, digits = 4) {
  return el("span", { class: big ? "num big" : "num", id }, fmt(value, digits));
}

/** A map drawn from `values` (h*w, row-major) on [-limit, limit] of colour table `lut`,
 *  `display` px on its longer side (or `scale` px per value). Returns {node, canvas,
 *  scale, window(top, left, height, width), hideWindow()}. */
export function figure({ id, values, h, w, lut = "activation", limit = 1, caption = "", display = 96, scale = null, paint = null }) {
  const canvas = el("canvas", { id, width: String(w), height: String(h), class: "map", "aria-label": caption });
  if (paint) paint(canvas); else paintMap(canvas, values, h, w, lut, limit);
  const s = scale || Math.max(1, Math.floor(display / Math.max(w, h)));
  canvas.style.width = `${w * s}px`; canvas.style.height = `${h * s}px`;
  canvas.dataset.scale = String(s);
  const wrap = el("div", { class: "map-wrap" });
  const box = el("div", { class: "window", id: `${id}-win` });
  box.hidden = true;
  wrap.append(canvas, box);
  const node = el("figure", { class: "fig" });
  node.append(wrap);
  if (caption) node.append(el("figcaption", {}, caption));
  return {
    node, canvas, scale: s,
    window(top, left, height, width) {
      const t = Math.max(0, top), l = Math.max(0, left);
      const b = Math.min(h, top + height), r = Math.min(w, left + width);
      const sy = canvas.clientHeight ? canvas.clientHeight / h : s, sx = canvas.clientWidth ? canvas.clientWidth / w : s;
      box.hidden = false;
      box.style.top = `${t * sy - 1}px`; box.style.left = `${l * sx - 1}px`;
      box.style.height = `${Math.max(0, b - t) * sy + 2}px`; box.style.width = `${Math.max(0, r - l) * sx + 2}px`;
    },
    /** Call `onCell(y, x, value)` with the cell under the pointer (mouse, pen or a finger
     *  dragged over the map); `onLeave(event)` when it leaves (a finger: when it lifts). */
    follow(onCell, onLeave) {
      const at = (e) => {
        const [y, x] = cellUnder(canvas, e, h, w);
        if (y < 0 || x < 0 || y >= h || x >= w) return;
        onCell(y, x, values ? values[y * w + x] : NaN);
      };
      canvas.style.touchAction = "none";
      dragSurface(canvas);
      canvas.addEventListener("pointermove", at);
      canvas.addEventListener("pointerdown", at);
      canvas.addEventListener("pointerleave", onLeave);
      canvas.addEventListener("pointercancel", onLeave);
    },
  };
}

/** A table of numbers. `rows`: [{cells: [...], cls}], a cell a string or
 *  {value, digits, id, lut, limit, cls} (a coloured number when `lut` is set). */
export function table({ head = null, rows, rowHeads = false, id = null }) {
  const t = el("table", { class: "numbers", id });
  if (head) {
    const tr = el("tr");
    for (const h of head) tr.append(el("th", {}, h));
    const thead = el("thead");
    thead.append(tr);
    t.append(thead);
  }
  const tbody = el("tbody");
  for (const r of rows) {
    const tr = el("tr", { class: r.cls || null });
    r.cells.forEach((cell, i) => {
      const tag = i === 0 && rowHeads ? "th" : "td";
      if (typeof cell !== "object") { tr.append(el(tag, {}, String(cell))); return; }
      const td = el(tag, { id: cell.id || null, class: cell.cls || null }, fmt(cell.value, cell.digits ?? 4));
      if (cell.lut) {
        const lo = cell.lo ?? -cell.limit, hi = cell.hi ?? cell.limit;
        td.style.background = hex(cell.lut, cell.value, lo, hi);
        const fg = ink(cell.lut, cell.value, lo, hi);
        if (fg) td.style.color = fg;
      }
      tr.append(td);
    });
    tbody.append(tr);
  }
  t.append(tbody);
  return t;
}

/** A (rows x cols) grid of coloured numbers, cell ids `${prefix}-${y}-${x}`. */
export function grid(values, rows, cols, { prefix, lut, limit, mark = null }) {
  const out = [];
  for (let y = 0; y < rows; y++) {
    const cells = [];
    for (let x = 0; x < cols; x++) {
      const cls = mark && mark[0] === y && mark[1] === x ? "max" : null;
      cells.push({ value: values[y * cols + x], id: `${prefix}-${y}-${x}`, lut, limit, cls });
    }
    out.push({ cells });
  }
  return table({ rows: out });
}

/** Values [c][r0..r0+h)[c0..c0+w) of a (C, H, W) array, `fill` outside it (padding). */
export function windowOf(values, H, W, channel, r0, c0, h, w, fill) {
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const r = r0 + y, c = c0 + x;
      out[y * w + x] = r < 0 || c < 0 || r >= H || c >= W ? fill : values[(channel * H + r) * W + c];
    }
  }
  return out;
}

/** Output cell (r, c) whose window is centred on input (y, x), clamped to the output. */
export function cellAt(y, x, g, outShape) {
  const r = Math.floor((y + g.pt - Math.floor(g.kh / 2)) / g.sh);
  const c = Math.floor((x + g.pl - Math.floor(g.kw / 2)) / g.sw);
  return [Math.max(0, Math.min(outShape[0] - 1, r)), Math.max(0, Math.min(outShape[1] - 1, c))];
}
