// The network overview: one column of activation maps per image-shaped layer (each
// neuron an element with data-layer and data-channel over its tile), the class list,
// every edge drawn faintly and those of the focused neuron darkly, the focus ring, the
// colour legend and the focus line with the value under the pointer. Python paints the
// columns (canvas(k)) and gives the legend's numbers and a neuron's map
// (link.page.values); the texts and the layout are made here.

import { $, el, tr } from "../dom.js";
import { fmt, luts } from "./colour.js";
import { handle, link } from "./link.js";
import { pressAndHold } from "../touch.js";

const view = { layout: null, focus: { col: 0, ch: 0 }, info: null, values: new Map(), probs: [], read: null };
const hoverOf = new WeakMap();  // a column or a class's item -> what the pointer over it reads
const SVG = "http://www.w3.org/2000/svg";
/** The article paragraph of each kind of column (the ⓘ links). */
export const ARTICLE_OF = { input: "art-cnn", conv: "art-conv", relu: "art-relu", maxpool: "art-pool", output: "art-softmax" };

/** An ⓘ link to the article paragraph `id`. */
export function infoLink(id, what) {
  const a = el("a", { class: "info-link", href: `#${id}`, "data-what": what, "aria-label": tr("cnn.info.aria", { what }), title: tr("cnn.info.aria", { what }) }, "ⓘ");
  a.addEventListener("click", (e) => e.stopPropagation());
  return a;
}

/** Lay out the columns: layout = {columns: [{name, kind, shape, channels, tile, gap,
 *  height}], classes: [...], outputName}. */
export function build(layout) {
  view.layout = layout;
  const root = $("overview-cols");
  const detail = $("detail");  // kept out of the new columns (a new model or class names)
  if (detail && detail.parentNode === root) {
    if (detail.open) detail.close();
    $("overview").append(detail);
  }
  root.replaceChildren();
  layout.columns.forEach((col, i) => {
    const box = el("div", { class: "col", "data-col": String(i) });
    const head = el("div", { class: "col-head" });
    const name = el("span", { class: "col-name" }, col.name);
    name.append(infoLink(ARTICLE_OF[col.kind] || "art-read", col.name));
    head.append(name, el("span", { class: "col-shape" }, col.shape.join("×")));
    const wrap = el("div", { class: "col-maps" });
    const canvas = el("canvas", {
      id: `col-${i}`, width: String(col.width || col.tile), height: String(col.height),
      "aria-hidden": "true", class: `maps kind-${col.kind}`,
    });
    canvas.style.width = `${col.width || col.tile}px`; canvas.style.height = `${col.height}px`;
    wrap.append(canvas);
    for (let ch = 0; ch < col.channels; ch++) {
      const n = el("div", {
        class: "neuron", "data-layer": col.name, "data-channel": String(ch),
        style: `top:${slot(col, ch).y}px;width:${slot(col, ch).w}px;height:${slot(col, ch).h}px`,
      });
      wrap.append(n);
    }
    box.append(head, wrap);
    const channelAt = (e) => {
      const r = canvas.getBoundingClientRect();
      const y = e.clientY - r.top;
      const ch = Math.floor(col.vector ? (y * col.channels) / col.height : y / (col.tile + col.gap));
      return ch >= 0 && ch < col.channels ? ch : null;
    };
    const hoverAt = (e) => {
      const r = canvas.getBoundingClientRect();
      const ch = channelAt(e);
      if (ch === null || e.clientX < r.left || e.clientX > r.right) return;
      setFocus(i, ch, false);
      if (col.vector) { readValue(i, ch, 0, 0); return; }
      const s = col.shape, px = col.tile / Math.max(s[0], s[1]);
      const y = Math.floor((e.clientY - r.top - ch * (col.tile + col.gap)) / px), x = Math.floor((e.clientX - r.left) / px);
      if (y >= 0 && x >= 0 && y < s[0] && x < s[1]) readValue(i, ch, y, x);
    };
    // a finger: press and hold (fingerHover below); the last value stays after it lifts
    box.addEventListener("pointermove", (e) => { if (e.pointerType !== "touch") hoverAt(e); });
    hoverOf.set(box, hoverAt);
    box.addEventListener("pointerleave", (e) => { if (e.pointerType !== "touch") readValue(null); });
    box.addEventListener("click", (e) => {
      const ch = channelAt(e);
      if (ch !== null) { setFocus(i, ch, true); pick(); }
    });
    root.append(box);
  });
  const n = layout.columns.length;
  const out = el("div", { class: "col classes", "data-col": String(n) });
  const head = el("div", { class: "col-head" });
  const outName = el("span", { class: "col-name" }, layout.outputName);
  outName.append(infoLink("art-softmax", layout.outputName));
  head.append(outName, el("span", { class: "col-shape", id: "classes-count" }, classCount()));
  const list = el("ol", { id: "class-list", class: "class-list" });
  layout.classes.forEach((name, k) => {
    const li = el("li", { "data-class": String(k), "data-layer": layout.outputName, "data-channel": String(k) });
    const bar = el("span", { class: "bar" });
    bar.append(el("span", { class: "fill" }));
    li.append(el("span", { class: "cname" }, name), bar, el("span", { class: "pct" }, ""));
    const hoverClass = () => { setFocus(n, k, false); readValue(n, k); };
    li.addEventListener("pointermove", (e) => { if (e.pointerType !== "touch") hoverClass(); });
    hoverOf.set(li, hoverClass);
    li.addEventListener("pointerleave", (e) => { if (e.pointerType !== "touch") readValue(null); });
    li.addEventListener("click", () => { setFocus(n, k, true); pick(); });
    list.append(li);
  });
  out.append(head, list);
  root.append(out);
  view.focus = { col: 0, ch: 0 };
  view.values.clear();
  requestAnimationFrame(() => { drawEdges(); drawFocus(); });
}

/** The map of neuron (col, ch), asked from Python once per image. */
function valuesOf(col, ch) {
  const key = `${col}:${ch}`;
  if (!view.values.has(key) && link.page) view.values.set(key, link.page.values(col, ch));
  return view.values.get(key);
}

/** The value under the pointer on the focus line: a pixel of the input, an output value
 *  of a layer, a class's probability; null clears it. */
function readValue(col, ch, y, x) {
  const out = $("focus-value");
  if (!out) return;
  if (col === null || !view.layout) { view.read = null; out.textContent = ""; return; }
  view.read = [col, ch, y, x];
  if (col === view.layout.columns.length) {
    const p = view.probs[ch];
    out.textContent = p === undefined ? "" : tr("cnn.read.probability", { name: view.layout.classes[ch], v: fmt(p) });
    return;
  }
  const values = valuesOf(col, ch);
  const c = view.layout.columns[col];
  if (c.vector) { out.textContent = tr("cnn.read.unit", { i: ch, v: fmt(values ? values[0] : NaN) }); return; }
  const v = values ? values[y * c.shape[1] + x] : NaN;
  out.textContent = tr(col === 0 ? "cnn.read.pixel" : "cnn.read.output", { r: y, c: x, v: fmt(v) });
}

function classCount() {
  const n = view.layout.classes.length;
  return tr("cnn.classes.count", { n }, `${n} classes`);
}

/** The class names and the map columns ({name, kind, shape, ...}) of the layout. */
export const classes = () => (view.layout ? view.layout.classes.slice() : []);
export const columns = () => (view.layout ? view.layout.columns : []);

/** The canvas of column k (0 is the input). */
export const canvas = (k) => $(`col-${k}`);

/** The focused neuron: [col, ch]. */
export const focus = () => [view.focus.col, view.focus.ch];

function channelsOf(col) {
  const L = view.layout;
  return col === L.columns.length ? L.classes.length : L.columns[col].channels;
}

/** Bars and percentages of the class list; `top` is marked. */
export function setProbabilities(probs, top) {
  view.values.clear();  // a new image: the maps are asked for again
  view.probs = Array.from(probs);
  if (view.read) readValue(...view.read);
  const items = $("class-list").children;
  for (let k = 0; k < items.length; k++) {
    const p = probs[k];
    items[k].querySelector(".fill").style.width = `${(100 * p).toFixed(2)}%`;
    items[k].querySelector(".pct").textContent = `${(100 * p).toFixed(1)}%`;
    items[k].classList.toggle("top", k === top);
  }
}

/** Where the overview's content starts on screen (its children scroll with it). */
function origin() {
  const el = $("overview"), r = el.getBoundingClientRect();
  return { left: r.left - el.scrollLeft, top: r.top - el.scrollTop };
}

function neuronBox(col, ch) {
  const L = view.layout;
  const host = origin();
  if (col === L.columns.length) {
    const li = $("class-list").children[ch];
    if (!li) return null;
    const r = li.getBoundingClientRect();
    return { x: r.left - host.left, y: r.top - host.top, w: r.width, h: r.height };
  }
  const c = L.columns[col];
  const r = $(`col-${col}`).getBoundingClientRect();
  const s = slot(c, ch);
  return { x: r.left - host.left, y: r.top - host.top + s.y, w: s.w, h: s.h };
}

/** Where neuron ch sits in its column: a square tile, or a band of a vector's strip
 *  (unit u of N fills rows floor(u H / N) onwards). */
function slot(c, ch) {
  if (!c.vector) return { y: ch * (c.tile + c.gap), w: c.tile, h: c.tile };
  const y = Math.floor((ch * c.height) / c.channels);
  return { y, w: c.width, h: Math.max(1, Math.floor(((ch + 1) * c.height) / c.channels) - y) };
}

function inputsOf(col, ch) {  // neurons of the previous column that feed (col, ch)
  const L = view.layout;
  if (col === 0) return [];
  const prev = col - 1;
  const n = channelsOf(prev);
  if (col === L.columns.length || ["conv", "dense"].includes(L.columns[col].kind)) return [...Array(n).keys()].map((k) => [prev, k]);
  return ch < n ? [[prev, ch]] : [];
}

function edgeGroup(name) {
  const svg = $("edges");
  let g = svg.querySelector(`g.${name}`);
  if (!g) {
    g = document.createElementNS(SVG, "g");
    g.setAttribute("class", name);
    svg.append(g);
  }
  return g;
}

/** [left, right] of the open explanation in overview coordinates (edges do not cross it). */
function detailSpan() {
  const d = $("detail");
  if (!d || !d.open || d.parentNode !== $("overview-cols")) return null;
  const r = d.getBoundingClientRect(), host = origin();
  return [r.left - host.left, r.right - host.left];
}

function edge(a, b, span = null) {
  const path = document.createElementNS(SVG, "path");
  if (!a || !b) return path;
  const x0 = a.x + a.w, y0 = a.y + a.h / 2, x1 = b.x, y1 = b.y + b.h / 2, mx = (x0 + x1) / 2;
  if (span && x0 < span[1] && x1 > span[0]) return path;
  path.setAttribute("d", `M${x0},${y0} C${mx},${y0} ${mx},${y1} ${x1},${y1}`);
  return path;
}

/** Every edge of the network, faintly (after a layout change). */
export function drawEdges() {
  if (!view.layout) return;
  const host = $("overview"), svg = $("edges");
  svg.setAttribute("width", host.scrollWidth); svg.setAttribute("height", host.scrollHeight);
  const all = edgeGroup("all");
  const paths = [], span = detailSpan();
  const n = view.layout.columns.length;
  for (let col = 1; col <= n; col++) {
    const boxes = [];
    for (let ch = 0; ch < channelsOf(col); ch++) boxes.push(neuronBox(col, ch));
    for (let ch = 0; ch < boxes.length; ch++)
      for (const [pc, pk] of inputsOf(col, ch)) paths.push(edge(neuronBox(pc, pk), boxes[ch], span));
  }
  all.replaceChildren(...paths);
  svg.append(edgeGroup("hot"));
}

function drawFocus() {
  if (!view.layout) return;
  const { col, ch } = view.focus;
  const box = neuronBox(col, ch);
  const ring = $("focus-ring");
  const hot = edgeGroup("hot");
  hot.replaceChildren();
  if (!box) { ring.hidden = true; return; }
  ring.hidden = false;
  ring.style.left = `${box.x - 3}px`; ring.style.top = `${box.y - 3}px`;
  ring.style.width = `${box.w + 6}px`; ring.style.height = `${box.h + 6}px`;
  const span = detailSpan();
  for (const [pc, pk] of inputsOf(col, ch)) hot.append(edge(neuronBox(pc, pk), box, span));
  document.querySelectorAll("#overview-cols .col").forEach((c) => c.classList.toggle("active", Number(c.dataset.col) === col));
  const items = $("class-list").children;
  for (let k = 0; k < items.length; k++) items[k].classList.toggle("focused", col === view.layout.columns.length && k === ch);
}

/** Put the detail element in place: between the column neuron `layer` reads from and
 *  its own column (after the input for the input). */
export function placeDetail(node, layer) {
  const root = $("overview-cols");
  if (!view.layout) return;
  const cols = view.layout.columns;
  let col = cols.findIndex((c) => c.name === layer);
  if (col < 0) col = cols.length;
  const at = root.querySelector(`.col[data-col="${col === 0 ? 1 : col}"]`);
  if (node.nextElementSibling !== at || node.parentNode !== root) root.insertBefore(node, at);
}

/** Focus neuron ch of column col (force: even if it is focused already). */
export function setFocus(col, ch, force) {
  if (!force && view.focus.col === col && view.focus.ch === ch) return;
  view.focus = { col, ch };
  drawFocus();
  if (link.page) showFocus(link.page.focus(col, ch));
}

function pick() { handle().openDetail(view.focus.col, view.focus.ch); }

function overviewKeys(e) {
  if (!view.layout || e.target.closest("#detail")) return;
  const n = view.layout.columns.length + 1;
  let { col, ch } = view.focus;
  if (e.key === "ArrowRight") col = Math.min(n - 1, col + 1);
  else if (e.key === "ArrowLeft") col = Math.max(0, col - 1);
  else if (e.key === "ArrowDown") ch += 1;
  else if (e.key === "ArrowUp") ch -= 1;
  else if (e.key === "Home") ch = 0;
  else if (e.key === "End") ch = channelsOf(col) - 1;
  else if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); return; }
  else return;
  e.preventDefault();
  ch = Math.max(0, Math.min(channelsOf(col) - 1, ch));
  setFocus(col, ch, true);
}

function paintLegendBar(info) {
  const bar = $("legend-bar");
  const image = new ImageData(bar.width, 1);
  for (let i = 0; i < bar.width; i++) {
    if (info.tint) {
      const t = i / (bar.width - 1);
      for (let k = 0; k < 3; k++) image.data[4 * i + k] = Math.round(t * info.tint[k]);
    } else {
      const lut = luts[info.lut];
      for (let k = 0; k < 3; k++) image.data[4 * i + k] = lut[4 * i + k];
    }
    image.data[4 * i + 3] = 255;
  }
  bar.getContext("2d").putImageData(image, 0, 0);
}

/** The legend and focus line of the focused neuron. info (from Python): {kind: "input" |
 *  "class" | "neuron", ch, ticks: [{value, position, label, hex}], lut or tint, and the
 *  numbers of the focus line}. */
export function showFocus(info) {
  view.info = info;
  const ch = info.ch;
  let title, text;
  if (info.kind === "input") {
    title = tr("cnn.legend.input", { ch });
    text = tr("cnn.focus.input", { ch, h: info.h, w: info.w });
  } else if (info.kind === "class") {
    title = tr("cnn.legend.probability");
    text = tr("cnn.focus.class", { ch, name: info.name, p: info.p });
  } else {
    const scope = info.scale === "module" ? tr("cnn.scope.module", { n: info.block + 1 }) : tr(`cnn.scope.${info.scale}`);
    title = tr("cnn.legend.activation", { scope });
    const kind = ["conv", "relu", "maxpool"].includes(info.layer_kind) ? tr(`cnn.kind.${info.layer_kind}`) : info.layer_kind;
    text = tr("cnn.focus.neuron", { layer: info.layer, kind, ch, h: info.h, w: info.w, min: info.min, max: info.max });
  }
  paintLegendBar(info);
  $("legend-title").textContent = title;
  const ticks = $("legend-ticks");
  ticks.replaceChildren();
  for (const t of info.ticks) {
    const tick = el("span", { class: "tick", style: `left:${(100 * t.position).toFixed(2)}%` }, t.label);
    tick.dataset.value = String(t.value);
    tick.dataset.colour = t.hex;
    ticks.append(tick);
  }
  $("focus-text").textContent = text;
}

/** A finger held on the network reads the value under it, and slides on over every column
 *  and the classes (a swipe scrolls, a tap opens, a hold opens nothing); not in the
 *  explanation placed among the columns, whose maps take a finger themselves. */
function fingerHover(root) {
  pressAndHold(root, {
    accept: (e) => !e.target.closest("#detail"),
    move(point) {
      const under = document.elementFromPoint(point.clientX, point.clientY);
      const item = under && under.closest("#class-list li, #overview-cols .col");
      if (item && hoverOf.has(item)) hoverOf.get(item)(point);
    },
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const host = $("overview");
  fingerHover($("overview-cols"));
  host.addEventListener("keydown", overviewKeys);
  host.addEventListener("focus", () => drawFocus());
  host.addEventListener("scroll", () => drawFocus());
  window.addEventListener("resize", () => { drawEdges(); drawFocus(); });
  new ResizeObserver(() => { drawEdges(); drawFocus(); }).observe($("overview-cols"));
  $("opt-scale").addEventListener("change", (e) => handle().setScale(e.target.value));
  $("opt-shapes").addEventListener("change", (e) => {
    document.querySelector(".overview-panel").classList.toggle("show-shapes", e.target.checked);
    drawEdges(); drawFocus();
  });
});

/** Show the scale mode chosen through the handle in the control too. */
export function setScale(mode) { $("opt-scale").value = mode; }

window.addEventListener("glasslab:lang", () => {
  if (!view.layout) return;
  $("classes-count").textContent = classCount();
  if (view.info) showFocus(view.info);
  if (view.read) readValue(...view.read);
  for (const a of document.querySelectorAll("#overview-cols .info-link[data-what]")) {
    a.setAttribute("aria-label", tr("cnn.info.aria", { what: a.dataset.what }));
    a.title = a.getAttribute("aria-label");
  }
});
