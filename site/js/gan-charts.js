// GAN lab: the loss and divergence charts (#chart-loss, #chart-div) and their values.
// Python pushes one point per metrics update; the history is kept here, bounded.
import { $, tr } from "./dom.js";
import { cssRgb, rgba } from "./gan-canvas.js";

const CHART_CAP = 1000;
const KL = "#c2410c", JS = "#2563eb", FRAME = "#dfe3ea", TEXT = "#5d6474";

export function createCharts() {
  let data = { it: [], d: [], g: [], kl: [], js: [] };
  const charts = {};
  charts.push = function (it, d, g, kl, js) {
    data.it.push(it); data.d.push(d); data.g.push(g); data.kl.push(kl); data.js.push(js);
    if (data.it.length > CHART_CAP) {  // keep every other point: bounded memory, whole history shown
      for (const key of Object.keys(data)) data[key] = data[key].filter((_, i) => i % 2 === 0);
    }
  };
  charts.clear = function () {
    data = { it: [], d: [], g: [], kl: [], js: [] };
  };
  charts.draw = function () {
    const real = rgba(cssRgb("--real"), 1), fake = rgba(cssRgb("--accent"), 1);
    chart("chart-loss", [["d", real], ["g", fake]]);
    chart("chart-div", [["kl", KL], ["js", JS]]);
  };
  /** The latest values under the charts (numbers already formatted by Python). */
  charts.values = function (d, g, kl, js) {
    $("loss-values").textContent = tr("gan.loss.values", { d, g });
    $("div-values").textContent = tr("gan.div.values", { kl, js });
  };

  function chart(id, series) {
    const element = $(id), ctx = element.getContext("2d");
    const w = element.width, h = element.height, pad = 22, c = data;
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = FRAME; ctx.lineWidth = 1;
    ctx.strokeRect(pad + 0.5, 0.5, w - pad - 1, h - 12);
    const n = c.it.length;
    if (n < 1) return;
    let top = 0;
    for (const [key] of series) for (const v of c[key]) if (Number.isFinite(v) && v > top) top = v;
    top = top > 0 ? top * 1.1 : 1;
    const x0 = c.it[0], x1 = Math.max(c.it[n - 1], x0 + 1);
    ctx.fillStyle = TEXT; ctx.font = "10px system-ui, sans-serif";
    ctx.fillText(top.toFixed(top < 1 ? 2 : 1), 0, 10);
    ctx.fillText("0", 8, h - 12);
    ctx.fillText(String(c.it[n - 1]), w - 40, h - 1);
    for (const [key, colour] of series) {
      ctx.strokeStyle = colour; ctx.lineWidth = 1.5; ctx.beginPath();
      c[key].forEach((v, i) => {
        const x = pad + (w - pad - 2) * (c.it[i] - x0) / (x1 - x0);
        const y = (h - 12) * (1 - Math.min(v, top) / top);
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
  }
  return charts;
}
