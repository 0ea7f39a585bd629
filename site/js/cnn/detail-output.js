// Output detail: flatten, dense and softmax. Class k's logit z_k = Σ_j v_j W[j, k] + b_k
// over the flattened features v; the softmax at temperature T,
// p_k = exp((z_k − max z) / T) / Σ_j exp((z_j − max z) / T). Hovering (or the player
// walking over) an element of the flattened vector shows its source map and pixel and
// its weight to every class; hovering a class row highlights its logit in the formula.

import { el, tr } from "../dom.js";
import { fmt } from "./colour.js";
import { block, figure, num, row, table } from "./detail-parts.js";

const MATH = "http://www.w3.org/1998/Math/MathML";
const temp = { T: 1 };
/** The temperatures the slider offers, 0.1 to 10 (1 in the middle). */
export const TEMPERATURES = [0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
const nearest = (T) => TEMPERATURES.reduce((best, t, i) => (Math.abs(Math.log(t / T)) < Math.abs(Math.log(TEMPERATURES[best] / T)) ? i : best), 0);

/** A feature vector as one image: its maps side by side with a 1-pixel gap (NaN, drawn
 *  transparent), or rows of 64 values when it has no map shape. `at(y, x)` is the
 *  element of the vector drawn there (or -1). */
function strip(values, maps) {
  if (maps) {
    const [h, w, c] = maps.shape;
    const width = c * (w + 1) - 1;
    const out = new Float32Array(h * width).fill(NaN);
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[y * width + ch * (w + 1) + x] = values[(ch * h + y) * w + x];
    const at = (y, x) => (x % (w + 1) === w ? -1 : (Math.floor(x / (w + 1)) * h + y) * w + (x % (w + 1)));
    return { values: out, h, w: width, at };
  }
  const width = 64, rows = Math.ceil(values.length / width);
  const out = new Float32Array(rows * width).fill(NaN);
  out.set(values);
  return { values: out, h: rows, w: width, at: (y, x) => (y * width + x < values.length ? y * width + x : -1) };
}

/** MathML element `tag` with children (strings become text). */
function m(tag, attrs, ...kids) {
  const node = document.createElementNS(MATH, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const kid of kids) node.append(typeof kid === "string" ? document.createTextNode(kid) : kid);
  return node;
}

/** p_k = e^{z_k / T} / Σ_j e^{z_j / T}, and the same with the numbers of class k. */
function formula(z, k, T, probs) {
  const zmax = Math.max(...z);
  let total = 0;
  for (const v of z) total += Math.exp((v - zmax) / T);
  const hot = (kid) => m("mrow", { class: "hot" }, kid);
  const exp = (zk) => m("msup", {}, m("mi", {}, "e"), m("mrow", {}, zk, m("mo", {}, "/"), m("mi", {}, "T")));
  const sym = m("math", { display: "block", id: "softmax-formula" },
    m("mrow", {},
      m("msub", {}, m("mi", {}, "p"), m("mi", {}, "k")), m("mo", {}, "="),
      m("mfrac", {}, exp(hot(m("msub", {}, m("mi", {}, "z"), m("mi", {}, "k")))),
        m("mrow", {}, m("munder", {}, m("mo", {}, "∑"), m("mi", {}, "j")), exp(m("msub", {}, m("mi", {}, "z"), m("mi", {}, "j")))))));
  const numbers = m("math", { display: "block", id: "softmax-numbers" },
    m("mrow", {},
      m("msub", {}, m("mi", {}, "p"), m("mn", {}, String(k))), m("mo", {}, "="),
      m("mfrac", {},
        m("msup", {}, m("mi", {}, "e"), m("mrow", {}, m("mo", {}, "("), hot(m("mn", { id: "sm-hot-logit" }, fmt(z[k], 3))), m("mo", {}, "−"), m("mn", {}, fmt(zmax, 3)), m("mo", {}, ")"), m("mo", {}, "/"), m("mn", {}, fmt(T, 2)))),
        m("mn", {}, fmt(total, 4))),
      m("mo", {}, "="), m("mn", { id: "sm-hot-prob" }, fmt(probs[k], 6))));
  return [sym, numbers];
}

/** softmax(z / T) with the largest logit subtracted first. */
export function softmax(z, T) {
  const zmax = Math.max(...z);
  const e = Array.from(z, (v) => Math.exp((v - zmax) / T));
  const s = e.reduce((a, b) => a + b, 0);
  return { exp: e, sum: s, p: e.map((v) => v / s) };
}

export function render(d, ui) {
  const page = window.glasslab && window.glasslab.state ? window.glasslab.state() : null;
  if (page && page.temperature > 0) temp.T = page.temperature;
  const k = d.channel;
  const name = d.labels[k];
  const blocks = [];
  const z = Array.from(d.logits);
  let steps = null;
  if (d.dense) {
    const features = block(tr("cnn.detail.features_weights", { name }), { note: tr("cnn.detail.features_note", { n: d.size }) });
    const figs = {};
    let layout = null;
    for (const [label, key, lut, id] of [
      [tr("cnn.detail.features"), "features", "activation", "det-v"],
      [tr("cnn.detail.weights_to", { name }), "weights", "weight", "det-w"],
      [tr("cnn.detail.products"), "products", "activation", "det-p"],
    ]) {
      const s = strip(d[key], d.maps);
      layout = s;
      const f = figure({ id, ...s, lut, limit: d.limits[key], caption: label, scale: s.w <= 260 ? 3 : 1 });
      figs[key] = f;
      features.append(row(f.node));
    }
    const element = block(tr("cnn.flat.title"), { note: tr("cnn.flat.note"), cls: "flat" });
    const slot = el("div", { class: "flat-slot" });
    element.append(slot);
    const classes = Math.round(d.all_weights.length / d.size);
    const shapeOf = d.maps ? d.maps.shape : null;
    const show = (i) => {
      if (i < 0 || i >= d.size) return;
      let where;
      if (shapeOf) {
        const [h, w] = shapeOf, ch = Math.floor(i / (h * w)), yy = Math.floor((i % (h * w)) / w), xx = i % w;
        where = tr("cnn.flat.source", { i, layer: d.source || "", ch, r: yy, c: xx });
        for (const f of Object.values(figs)) f.window(yy, ch * (w + 1) + xx, 1, 1);
      } else {
        where = tr("cnn.flat.element", { i });
        for (const f of Object.values(figs)) f.window(Math.floor(i / 64), i % 64, 1, 1);
      }
      const v = d.features[i];
      const rows = [];
      for (let j = 0; j < classes; j++) {
        const wj = d.all_weights[j * d.size + i];
        rows.push({ cls: j === k ? "sel" : "", cells: [d.labels[j] || tr("cnn.detail.class", { j }), { value: wj, id: `fl-w-${j}` }, { value: v * wj, id: `fl-p-${j}` }] });
      }
      slot.replaceChildren(
        el("p", { class: "small", id: "fl-source" }, where),
        row(tr("cnn.flat.value"), num(v, "fl-value")),
        table({ head: [tr("cnn.detail.head.class"), tr("cnn.flat.weight"), tr("cnn.flat.product")], rows, rowHeads: true, id: "flat-table" }),
      );
      ui.readText(tr("cnn.read.feature", { i, v: fmt(v) }));
    };
    for (const f of Object.values(figs)) {
      f.follow((y, x) => {
        const i = layout.at(y, x);
        if (i < 0) return;
        ui.moveTo(0, 0);
        show(i);
      }, ui.resume);
    }
    steps = { count: () => d.size, draw: show };
    const logit = block(tr("cnn.detail.logit"));
    logit.append(row(
      tr("cnn.detail.sum_products"), num(d.product_sum, "sm-sum"), tr("cnn.detail.plus_bias"),
      num(d.bias, "sm-bias"), "=", num(d.logit, "sm-logit", true),
    ));
    blocks.push(features, element, logit);
  }

  // softmax at temperature T: the formula, the slider and the table
  const softBlock = block("Softmax", { note: tr("cnn.detail.softmax_note", { max: fmt(d.max) }), cls: "softmax" });
  const mathBox = el("div", { class: "formula" });
  const slider = el("input", {
    type: "range", id: "temperature", min: "0", max: String(TEMPERATURES.length - 1), step: "1",
    value: String(nearest(temp.T)), "aria-label": tr("cnn.temp.aria"), "data-temperatures": TEMPERATURES.join(","),
  });
  const tOut = el("output", { id: "temperature-value", for: "temperature" }, fmt(temp.T, 2));
  const tLabel = el("label", { class: "temperature small" });
  tLabel.append(el("span", {}, tr("cnn.temp.label")), slider, tOut);
  const tNote = el("p", { class: "small muted" }, tr("cnn.temp.note"));
  const tableBox = el("div", {});
  let hot = k;
  function paint() {
    const T = temp.T;
    const sm = T === 1 ? { exp: Array.from(d.exp), sum: d.sum, p: Array.from(d.probabilities) } : softmax(z, T);
    mathBox.replaceChildren(...formula(z, hot, T, sm.p));
    let lo = Infinity, hi = -Infinity;
    for (const v of z) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    const rows = z.map((zj, j) => ({
      cls: [j === k ? "sel" : "", j === hot ? "hot" : ""].join(" ").trim(),
      cells: [
        j < d.labels.length ? d.labels[j] : tr("cnn.detail.class", { j }),
        { value: zj, id: `sm-logit-${j}`, lut: "probability", lo, hi },
        { value: sm.exp[j], digits: 6, id: `sm-exp-${j}` },
        { value: sm.p[j], digits: 6, id: `sm-prob-${j}` },
      ],
    }));
    rows.push({ cls: "total", cells: [tr("cnn.detail.total"), "", { value: sm.sum, digits: 6, id: "sm-exp-sum" }, fmt(1, 6)] });
    const t = table({ head: [tr("cnn.detail.head.class"), "logit z", "exp((z − max) / T)", tr("cnn.detail.head.probability")], rows, rowHeads: true, id: "softmax-table" });
    [...t.querySelectorAll("tbody tr")].slice(0, z.length).forEach((tr_, j) => {
      tr_.tabIndex = 0;
      const pick = () => { if (hot !== j) { hot = j; paint(); } ui.readText(tr("cnn.read.logit", { name: d.labels[j] || j, v: fmt(z[j]), p: fmt(sm.p[j]) })); };
      // a finger picks on the tap (the row's focus), not on touching down: the formula above
      // changes size with the class, and the table would move under the finger
      tr_.addEventListener("pointerenter", (e) => { if (e.pointerType !== "touch") pick(); });
      tr_.addEventListener("focus", pick);
    });
    tableBox.replaceChildren(t);
    tOut.textContent = fmt(T, 2);
  }
  slider.addEventListener("input", () => {
    temp.T = TEMPERATURES[Number(slider.value)];
    slider.setAttribute("aria-valuetext", `T = ${temp.T}`);
    paint();
  });
  slider.addEventListener("change", () => {  // on release: the page's probabilities follow
    const h = window.glasslab;
    if (h && typeof h.set === "function") Promise.resolve(h.set({ temperature: temp.T })).catch(() => {});
  });
  paint();
  softBlock.append(mathBox, tLabel, tNote, tableBox);
  blocks.push(softBlock);
  return { title: tr("cnn.detail.title.output", { k, name }), text: tr("cnn.detail.text.output"), blocks, steps };
}

/** The temperature the softmax view shows (the page's, once it has one). */
export function setTemperature(T) { if (T > 0) temp.T = T; }
