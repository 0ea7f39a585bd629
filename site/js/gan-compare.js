// GAN lab: "Compare" ([data-compare]): a button with a small form that starts a second
// run differing from the lab in one setting (window.glasslab.compare({setting: value}),
// null ends it), and the second run's own view: its canvas (heatmap, real and fake
// samples) and its loss and divergence charts. The second run is glasslab.gan.compare:
// the lab as it is now with that setting changed, trained in the same frames. Python
// writes `heat`, `fake`, `real` (typed arrays, sizes from setup) and calls
// show(state, push) with the second run's state (null: no comparison).
import { el, tr } from "./dom.js";
import { cssRgb, rgba } from "./gan-canvas.js";

const SIZE = 240;  // canvas pixels of the unit square (CSS scales it down on narrow screens)
const CHART_CAP = 600;
const KL = "#c2410c", JS = "#2563eb", FRAME = "#dfe3ea", TEXT = "#5d6474";
const SETTINGS = ["g_optimizer", "d_optimizer", "loss", "g_lr", "d_lr", "k_d", "k_g"];
const LOSSES = ["log", "lsq", "hinge", "wasserstein"];
const fmt = (v, digits) => (v === null || v === undefined ? "—" : Number(v).toFixed(digits));

export function createCompare() {
  const host = document.querySelector("[data-compare]");
  const compare = {
    heat: new Uint8ClampedArray(0), fake: new Float32Array(0), real: new Float32Array(0),
    bind() {}, show() {}, draw() {},
  };
  if (!host) return compare;
  let lrMenu = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1], grid = 30, state = null, data = empty();
  const heatCanvas = document.createElement("canvas");

  const open = el("button", { type: "button", "aria-expanded": "false", "data-i18n": "gan.compare.open" },
    tr("gan.compare.open", {}, "Compare…"));
  const setting = el("select", { "data-compare-setting": "" });
  const value = el("select", { "data-compare-value": "" });
  const start = el("button", { type: "submit", class: "primary", "data-i18n": "gan.compare.start" },
    tr("gan.compare.start", {}, "Start comparison"));
  const end = el("button", { type: "button", "data-i18n": "gan.compare.end", hidden: "" },
    tr("gan.compare.end", {}, "End comparison"));
  const labelled = (key, english, control) => {
    const label = el("label", { class: "small", style: "display: inline-flex; flex-direction: column; margin: 0 0.5rem 0.3rem 0; vertical-align: bottom;" });
    label.append(el("span", { "data-i18n": key }, tr(key, {}, english)), control);
    return label;
  };
  const form = el("form", { hidden: "", style: "margin: 0.4rem 0;" });
  form.append(labelled("gan.compare.setting", "Setting", setting), labelled("gan.compare.value", "Value", value), start);

  const title = el("h3", { class: "small", "data-compare-title": "" });
  const canvas = el("canvas", {
    width: String(SIZE), height: String(SIZE), "data-compare-canvas": "",
    "data-i18n-attr": "aria-label:gan.compare.canvas", role: "img",
    "aria-label": tr("gan.compare.canvas", {}, "The second run's samples over its discriminator's heatmap"),
    style: "width: 100%; max-width: 240px; aspect-ratio: 1; border: 1px solid var(--line); border-radius: 4px; display: block;",
  });
  const chartStyle = "width: 100%; max-width: 300px; height: auto; display: block;";
  const lossChart = el("canvas", { width: "300", height: "90", style: chartStyle, role: "img",
    "data-i18n-attr": "aria-label:gan.compare.chart.loss", "aria-label": tr("gan.compare.chart.loss", {}, "Second run: D and G loss over iterations") });
  const divChart = el("canvas", { width: "300", height: "90", style: chartStyle, role: "img",
    "data-i18n-attr": "aria-label:gan.compare.chart.div", "aria-label": tr("gan.compare.chart.div", {}, "Second run: KL and JS divergence over iterations") });
  const values = el("p", { class: "small mono", "aria-live": "off" });
  const panel = el("div", { hidden: "", "data-compare-view": "" });
  panel.append(title, canvas, values, lossChart, divChart);
  host.append(open, end, form, panel);

  function settingLabel(name) {
    return tr(`gan.compare.setting.${name}`, {}, name);
  }
  function valueLabel(name, v) {
    if (name === "loss") return tr(`gan.hp.loss.${v}`, {}, v);
    if (name.endsWith("_optimizer")) return v === "adam" ? "Adam" : "SGD";
    return String(v);
  }
  function fillSettings() {
    const chosen = setting.value || "g_optimizer";
    setting.replaceChildren(...SETTINGS.map((name) => el("option", { value: name }, settingLabel(name))));
    setting.value = chosen;
    fillValues();
  }
  function fillValues() {
    const name = setting.value, chosen = value.value;
    let options = ["sgd", "adam"];
    if (name === "loss") options = LOSSES;
    else if (name.endsWith("_lr")) options = lrMenu.map(String);
    else if (name.startsWith("k_")) options = Array.from({ length: 11 }, (_, i) => String(i));
    value.replaceChildren(...options.map((v) => el("option", { value: v }, valueLabel(name, v))));
    if (options.includes(chosen)) value.value = chosen;
    else if (name === "g_optimizer" || name === "d_optimizer") value.value = "adam";
  }
  function call(params) {
    try {
      Promise.resolve(window.glasslab.compare(params)).then((s) => compare.show(s && s.compare, false)).catch(() => {});
    } catch (error) { /* shown on the message line */ }
  }

  open.addEventListener("click", () => {
    form.hidden = !form.hidden;
    open.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) setting.focus();
  });
  setting.addEventListener("change", fillValues);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    call({ [setting.value]: value.value });
  });
  end.addEventListener("click", () => call(null));
  window.addEventListener("glasslab:lang", () => { fillSettings(); describe(); });

  compare.bind = function (setup) {
    if (setup.lr_menu) lrMenu = Array.from(setup.lr_menu);
    grid = setup.sizes.grid;
    heatCanvas.width = grid; heatCanvas.height = grid;
    compare.heat = new Uint8ClampedArray(grid * grid * 4);
    compare.fake = new Float32Array(setup.sizes.tracked ? setup.sizes.tracked * 2 : 300);
    compare.real = new Float32Array(setup.sizes.points * 2);
    fillSettings();
  };

  function empty() { return { it: [], d: [], g: [], kl: [], js: [] }; }
  function describe() {
    if (!state) return;
    const changes = Object.entries(state.changes || {}).map(([k, v]) => `${settingLabel(k)} = ${valueLabel(k, v)}`);
    title.textContent = tr("gan.compare.title", { changes: changes.join(", ") || tr("gan.compare.same") });
    values.textContent = state.message
      ? tr("gan.compare.stopped", { detail: state.message })
      : tr("gan.compare.values", {
        iteration: state.iteration.toLocaleString("en"), d: fmt(state.d_loss, 4), g: fmt(state.g_loss, 4),
        kl: fmt(state.kl, 3), js: fmt(state.js, 3),
      });
  }
  /** The second run's state (null: none); `push` adds a point to its charts. */
  compare.show = function (next, push) {
    const restarted = !next || !state || next.iteration < state.iteration;
    state = next || null;
    panel.hidden = !state; end.hidden = !state;
    open.textContent = tr(state ? "gan.compare.change" : "gan.compare.open", {}, state ? "Change…" : "Compare…");
    open.setAttribute("data-i18n", state ? "gan.compare.change" : "gan.compare.open");
    if (!state) { data = empty(); return; }
    if (restarted) data = empty();
    if (push || data.it.length === 0) {
      data.it.push(state.iteration); data.d.push(state.d_loss); data.g.push(state.g_loss);
      data.kl.push(state.kl); data.js.push(state.js);
      if (data.it.length > CHART_CAP) for (const key of Object.keys(data)) data[key] = data[key].filter((_, i) => i % 2 === 0);
    }
    describe();
    const real = rgba(cssRgb("--real"), 1), fake = rgba(cssRgb("--accent"), 1);
    chart(lossChart, [["d", real], ["g", fake]]);
    chart(divChart, [["kl", KL], ["js", JS]]);
    compare.draw();
  };
  /** Draw the second run's canvas from the typed arrays (called once per frame). */
  compare.draw = function () {
    if (!state || panel.hidden || !grid) return;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, SIZE, SIZE);
    heatCanvas.getContext("2d").putImageData(new ImageData(compare.heat, grid, grid), 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(heatCanvas, 0, 0, SIZE, SIZE);
    points(ctx, compare.real.subarray(0, compare.realSize || 0), rgba(cssRgb("--real"), 1), 1.8);
    points(ctx, compare.fake.subarray(0, compare.fakeSize || 0), rgba(cssRgb("--accent"), 1), 2.2);
  };
  function points(ctx, xy, colour, radius) {
    ctx.fillStyle = colour; ctx.strokeStyle = "rgba(255,255,255,0.85)"; ctx.lineWidth = 0.7;
    ctx.beginPath();
    for (let i = 0; i < xy.length / 2; i++) {
      const px = xy[2 * i] * SIZE, py = (1 - xy[2 * i + 1]) * SIZE;
      ctx.moveTo(px + radius, py); ctx.arc(px, py, radius, 0, 2 * Math.PI);
    }
    ctx.fill(); ctx.stroke();
  }
  function chart(element, series) {
    const ctx = element.getContext("2d"), w = element.width, h = element.height, pad = 22;
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = FRAME; ctx.lineWidth = 1; ctx.strokeRect(pad + 0.5, 0.5, w - pad - 1, h - 12);
    const n = data.it.length;
    if (n < 1) return;
    let top = 0, low = 0;  // critic losses go below zero
    for (const [key] of series) {
      for (const v of data[key]) if (Number.isFinite(v)) { top = Math.max(top, v); low = Math.min(low, v); }
    }
    const span = (top - low) * 1.1 || 1;
    top = low + span;
    const x0 = data.it[0], x1 = Math.max(data.it[n - 1], x0 + 1);
    ctx.fillStyle = TEXT; ctx.font = "10px system-ui, sans-serif";
    ctx.fillText(top.toFixed(Math.abs(top) < 1 ? 2 : 1), 0, 10);
    ctx.fillText(low.toFixed(Math.abs(low) < 1 ? 2 : 1), 0, h - 12);
    ctx.fillText(String(data.it[n - 1]), w - 40, h - 1);
    for (const [key, colour] of series) {
      ctx.strokeStyle = colour; ctx.lineWidth = 1.5; ctx.beginPath();
      data[key].forEach((v, i) => {
        const x = pad + (w - pad - 2) * (data.it[i] - x0) / (x1 - x0);
        const y = (h - 12) * (1 - (Math.max(low, Math.min(v, top)) - low) / span);
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
  }
  return compare;
}
