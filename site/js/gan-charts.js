// GAN lab: the loss and divergence charts (#chart-loss, #chart-div) and their values.
// Python pushes one point per metrics update; the history is kept here, bounded. Under
// the pointer, a finger or the arrow keys a chart shows a vertical rule and the values at
// that iteration; its legend keys (buttons with data-series) toggle their series.
import { $, tr } from "./dom.js";
import { cssRgb, rgba } from "./gan-canvas.js";

const CHART_CAP = 1000;
const KL = "#c2410c", JS = "#2563eb", FRAME = "#dfe3ea", TEXT = "#5d6474", RULE = "#1f2430";
const PAD = 22;  // pixels left of the plot (the axis labels)

/** `ids`: the canvases and value lines (defaults: the page's main charts). */
export function createCharts(ids = {}) {
  const id = { loss: "chart-loss", div: "chart-div", lossValues: "loss-values", divValues: "div-values", ...ids };
  let data = { it: [], d: [], g: [], kl: [], js: [] };
  const hidden = new Set();
  const hover = { loss: -1, div: -1 };  // index of the hovered point per chart, -1: none
  const latest = { loss: "", div: "" };  // the value lines' texts when nothing is hovered
  const charts = {};
  const series = () => ({
    loss: [["d", rgba(cssRgb("--real"), 1)], ["g", rgba(cssRgb("--accent"), 1)]],
    div: [["kl", KL], ["js", JS]],
  });

  charts.push = function (it, d, g, kl, js) {
    data.it.push(it); data.d.push(d); data.g.push(g); data.kl.push(kl); data.js.push(js);
    if (data.it.length > CHART_CAP) {  // keep every other point: bounded memory, whole history shown
      for (const key of Object.keys(data)) data[key] = data[key].filter((_, i) => i % 2 === 0);
      hover.loss = hover.div = -1;
    }
  };
  charts.clear = function () {
    data = { it: [], d: [], g: [], kl: [], js: [] };
    hover.loss = hover.div = -1;
  };
  charts.draw = function () {
    const all = series();
    chart("loss", all.loss);
    chart("div", all.div);
  };
  /** The latest values under the charts (numbers already formatted by Python). */
  charts.values = function (d, g, kl, js) {
    latest.loss = tr("gan.loss.values", { d, g });
    latest.div = tr("gan.div.values", { kl, js });
    for (const which of ["loss", "div"]) if (hover[which] < 0) showValues(which);
  };
  /** What a chart shows: {iteration, values} at the hovered point (null: none), hidden series. */
  charts.inspect = () => ({
    loss: hover.loss < 0 ? null : at(hover.loss), div: hover.div < 0 ? null : at(hover.div), hidden: [...hidden],
  });

  const at = (i) => ({ iteration: data.it[i], d: data.d[i], g: data.g[i], kl: data.kl[i], js: data.js[i] });
  const f = (v, digits) => (Number.isFinite(v) ? v.toFixed(digits) : "—");
  function showValues(which) {
    const line = $(id[`${which}Values`]);
    if (!line) return;
    const i = hover[which];
    if (i < 0) { line.textContent = latest[which] || line.textContent; return; }
    const p = at(i);
    line.textContent = which === "loss"
      ? tr("gan.chart.at_loss", { it: p.iteration, d: f(p.d, 4), g: f(p.g, 4) })
      : tr("gan.chart.at_div", { it: p.iteration, kl: f(p.kl, 3), js: f(p.js, 3) });
  }

  function chart(which, lines) {
    const element = $(id[which]);
    if (!element) return;
    const ctx = element.getContext("2d");
    const w = element.width, h = element.height, c = data;
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = FRAME; ctx.lineWidth = 1;
    ctx.strokeRect(PAD + 0.5, 0.5, w - PAD - 1, h - 12);
    const n = c.it.length;
    if (n < 1) return;
    const shown = lines.filter(([key]) => !hidden.has(key));
    let top = 0;
    for (const [key] of shown) for (const v of c[key]) if (Number.isFinite(v) && Math.abs(v) > top) top = Math.abs(v);
    top = top > 0 ? top * 1.1 : 1;
    const negative = shown.some(([key]) => c[key].some((v) => v < 0));
    const bottom = negative ? -top : 0;
    const x0 = c.it[0], x1 = Math.max(c.it[n - 1], x0 + 1);
    const xOf = (i) => PAD + (w - PAD - 2) * (c.it[i] - x0) / (x1 - x0);
    const yOf = (v) => (h - 12) * (1 - (Math.min(Math.max(v, bottom), top) - bottom) / (top - bottom));
    ctx.fillStyle = TEXT; ctx.font = "10px system-ui, sans-serif";
    ctx.fillText(top.toFixed(top < 1 ? 2 : 1), 0, 10);
    ctx.fillText(negative ? (-top).toFixed(top < 1 ? 2 : 1) : "0", negative ? 0 : 8, h - 12);
    ctx.fillText(String(c.it[n - 1]), w - 40, h - 1);
    for (const [key, colour] of shown) {
      ctx.strokeStyle = colour; ctx.lineWidth = 1.5; ctx.beginPath();
      let started = false;
      for (let i = 0; i < n; i++) {
        const v = c[key][i];
        if (!Number.isFinite(v)) { started = false; continue; }
        if (started) ctx.lineTo(xOf(i), yOf(v)); else ctx.moveTo(xOf(i), yOf(v));
        started = true;
      }
      ctx.stroke();
    }
    const i = hover[which];
    if (i >= 0 && i < n) {
      ctx.strokeStyle = RULE; ctx.lineWidth = 1; ctx.beginPath();
      ctx.moveTo(Math.round(xOf(i)) + 0.5, 0); ctx.lineTo(Math.round(xOf(i)) + 0.5, h - 12); ctx.stroke();
      for (const [key, colour] of shown) {
        if (!Number.isFinite(c[key][i])) continue;
        ctx.fillStyle = colour; ctx.beginPath(); ctx.arc(xOf(i), yOf(c[key][i]), 3, 0, 2 * Math.PI); ctx.fill();
      }
    }
  }

  /** The index of the point nearest to pixel column `px` of a chart. */
  function nearest(element, px) {
    const n = data.it.length;
    if (n < 1) return -1;
    const x0 = data.it[0], x1 = Math.max(data.it[n - 1], x0 + 1);
    const target = x0 + (px - PAD) / (element.width - PAD - 2) * (x1 - x0);
    let best = 0;
    for (let i = 1; i < n; i++) if (Math.abs(data.it[i] - target) < Math.abs(data.it[best] - target)) best = i;
    return best;
  }
  function setHover(which, i) {
    hover[which] = i;
    showValues(which);
    charts.draw();
  }
  for (const which of ["loss", "div"]) {
    const element = $(id[which]);
    if (!element) continue;
    element.setAttribute("tabindex", "0");
    const hoverAt = (e) => {
      const rect = element.getBoundingClientRect();
      setHover(which, nearest(element, (e.clientX - rect.left) * element.width / rect.width));
    };
    // a finger: the values where it touches, followed while it slides sideways (a vertical
    // swipe scrolls the page, touch-action pan-y); they stay after it lifts, until a tap elsewhere
    element.style.touchAction = "pan-y";
    element.addEventListener("pointermove", hoverAt);
    element.addEventListener("pointerdown", (e) => { if (e.pointerType === "touch") hoverAt(e); });
    element.addEventListener("pointerleave", (e) => { if (e.pointerType !== "touch") setHover(which, -1); });
    element.addEventListener("pointercancel", () => setHover(which, -1));
    document.addEventListener("pointerdown", (e) => {
      if (e.pointerType === "touch" && e.target !== element && hover[which] >= 0) setHover(which, -1);
    });
    element.addEventListener("blur", () => setHover(which, -1));
    element.addEventListener("keydown", (e) => {
      const n = data.it.length, move = { ArrowLeft: -1, ArrowRight: 1, Home: -n, End: n }[e.key];
      if (!move || n < 1) return;
      e.preventDefault();
      const from = hover[which] < 0 ? n - 1 : hover[which];
      setHover(which, Math.max(0, Math.min(n - 1, from + move * (e.shiftKey ? 10 : 1))));
    });
  }
  // legend keys: <button data-series="d" aria-pressed="true"> next to each chart's title
  for (const button of document.querySelectorAll(`[data-chart="${id.loss}"] [data-series], [data-chart="${id.div}"] [data-series]`)) {
    button.addEventListener("click", () => {
      const key = button.dataset.series;
      if (hidden.has(key)) hidden.delete(key); else hidden.add(key);
      button.setAttribute("aria-pressed", String(!hidden.has(key)));
      charts.draw();
    });
  }
  return charts;
}
