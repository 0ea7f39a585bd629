// The convolution playground: input size, padding, kernel and stride; Python says
// whether the combination is valid and the output size (glasslab.cnn.view.conv_output_size),
// this draws the kernel sliding over the padded input and the output it fills, with a
// player (play / pause, step, speed) and the window following the pointer or a finger.
// "Your own kernel": a k x k grid of numbers (or a preset) applied to the current image
// (window.glasslab.convolve(kernel): stride 1, no padding, the mean over the colour
// channels), next to what a real kernel of the model's first convolution makes of it.

import { $, el, tr } from "../dom.js";
import { fmt, paintMap } from "./colour.js";
import { link } from "./link.js";
import { columns } from "./overview.js";
import { player } from "./player.js";
import { cellUnder } from "./detail-parts.js";
import { dragSurface, pressAndHold } from "../touch.js";

const pg = { n: 7, p: 0, k: 3, s: 1, step: 0, res: null, geo: null };
const KEYS = ["n", "p", "k", "s"];

// The output cells are drawn in the page's --accent (site/css/glasslab.css), the window
// in the highlight orange of the detail views.
const LINE = "#f0a500";
const accent = () => getComputedStyle(document.documentElement).getPropertyValue("--accent").trim();
const outCells = () => (pg.res && pg.res.valid ? pg.res.size * pg.res.size : 1);
const anim = player({ count: outCells, draw: (i) => { pg.step = i; draw(); }, name: "playground" });

export function update() {
  if (!link.page) return;
  for (const key of KEYS) pg[key] = Number($(`pg-${key}`).value);
  for (const key of KEYS) $(`pg-${key}-value`).textContent = String(pg[key]);
  const res = link.page.playground(pg.n, pg.p, pg.k, pg.s);
  pg.res = res;
  $("pg-formula").textContent = res.valid ? `${res.formula} = ${res.size}` : res.formula;
  const why = $("pg-reason");
  why.textContent = res.valid
    ? tr("cnn.pg.valid", { size: res.size }, `Output: ${res.size} × ${res.size}`)
    : tr("cnn.pg.invalid", { reason: res.reason }, `Invalid: ${res.reason}.`);
  why.classList.toggle("invalid", !res.valid);
  pg.step = 0;
  anim.at(0);
  draw();
  refresh();
}

function draw() {
  const canvas = $("pg-canvas");
  if (!canvas) return;
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  const fill = accent();
  ctx.clearRect(0, 0, W, H);
  const padded = pg.n + 2 * pg.p;
  const out = pg.res && pg.res.valid ? pg.res.size : 0;
  const cell = Math.min(22, Math.floor((W * 0.58) / Math.max(padded, 1)), Math.floor((H - 20) / Math.max(padded, 1)));
  const ox = 10, oy = 10;
  for (let y = 0; y < padded; y++) {
    for (let x = 0; x < padded; x++) {
      const inPad = y < pg.p || x < pg.p || y >= pg.p + pg.n || x >= pg.p + pg.n;
      ctx.fillStyle = inPad ? "#eef0f4" : "#c9d7ee";
      ctx.fillRect(ox + x * cell, oy + y * cell, cell - 1, cell - 1);
    }
  }
  pg.geo = null;
  if (!out) return;
  const r = Math.floor(pg.step / out) % out, c = pg.step % out;
  ctx.strokeStyle = LINE; ctx.lineWidth = 3;
  ctx.strokeRect(ox + c * pg.s * cell - 1, oy + r * pg.s * cell - 1, pg.k * cell + 1, pg.k * cell + 1);
  const cell2 = Math.min(22, Math.floor((W * 0.36) / Math.max(out, 1)), Math.floor((H - 20) / Math.max(out, 1)));
  const ox2 = W - out * cell2 - 10;
  pg.geo = { ox, oy, cell, ox2, cell2, out };
  for (let y = 0; y < out; y++) {
    for (let x = 0; x < out; x++) {
      const done = y < r || (y === r && x <= c);
      ctx.fillStyle = fill;
      ctx.globalAlpha = done ? 1 : 0.15;
      ctx.fillRect(ox2 + x * cell2, oy + y * cell2, cell2 - 1, cell2 - 1);
    }
  }
  ctx.globalAlpha = 1;
  ctx.strokeStyle = LINE;
  ctx.strokeRect(ox2 + c * cell2 - 1, oy + r * cell2 - 1, cell2 + 1, cell2 + 1);
  $("pg-canvas").dataset.step = String(pg.step);
}

/** The output cell under the pointer: on the output grid directly, on the input the
 *  window whose top-left corner is nearest. */
function pointerCell(e) {
  const g = pg.geo, canvas = $("pg-canvas");
  if (!g) return null;
  const rect = canvas.getBoundingClientRect();
  const x = ((e.clientX - rect.left) * canvas.width) / rect.width, y = ((e.clientY - rect.top) * canvas.height) / rect.height;
  let r, c;
  if (x >= g.ox2) { r = Math.floor((y - g.oy) / g.cell2); c = Math.floor((x - g.ox2) / g.cell2); }
  else { r = Math.round(((y - g.oy) / g.cell - pg.k / 2) / pg.s); c = Math.round(((x - g.ox) / g.cell - pg.k / 2) / pg.s); }
  const clamp = (v) => Math.max(0, Math.min(g.out - 1, v));
  return clamp(r) * g.out + clamp(c);
}

// ---- your own kernel
const PRESETS = {
  identity: [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
  blur: [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
  sharpen: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
  edges: [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
  sobel_x: [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
  sobel_y: [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
};

function kernelGrid(k, values = null) {
  const grid = $("kern-grid");
  grid.style.gridTemplateColumns = `repeat(${k}, minmax(2.6rem, 3.6rem))`;
  const cells = [];
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const v = values ? values[r][c] : (r === Math.floor(k / 2) && c === Math.floor(k / 2) ? 1 : 0);
      const input = el("input", {
        type: "text", inputmode: "decimal", id: `kern-${r}-${c}`, value: String(Math.round(v * 10000) / 10000),
        "aria-label": tr("cnn.kern.cell", { r, c }), autocomplete: "off",
      });
      input.addEventListener("input", kernelChanged);
      cells.push(input);
    }
  }
  grid.replaceChildren(...cells);
}

/** The kernel typed in the grid, or {error} naming the first cell that is no number. */
export function readKernel() {
  const k = Number($("kern-size").value);
  const out = [];
  for (let r = 0; r < k; r++) {
    const rowOut = [];
    for (let c = 0; c < k; c++) {
      const input = $(`kern-${r}-${c}`);
      const text = input.value.trim().replace(",", ".");
      const v = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : NaN;
      input.classList.toggle("invalid", !Number.isFinite(v));
      input.setAttribute("aria-invalid", Number.isFinite(v) ? "false" : "true");
      if (!Number.isFinite(v)) return { error: tr("cnn.kern.invalid", { r: r + 1, c: c + 1, text: input.value }) };
      rowOut.push(v);
    }
    out.push(rowOut);
  }
  return { kernel: out };
}

/** The kernel's output again, soon (after a new image, once every view is redrawn). */
export function refresh() { setTimeout(kernelChanged, 0); }

/** Apply the grid's kernel to the current image and draw it next to a real kernel's map. */
export async function kernelChanged() {
  const note = $("kern-message");
  const { kernel, error } = readKernel();
  note.classList.toggle("invalid", Boolean(error));
  if (error) { note.textContent = error; return; }
  const h = window.glasslab;
  if (!h || typeof h.convolve !== "function") { note.textContent = tr("cnn.kern.unavailable"); drawReal(); return; }
  let res;
  try {
    res = await Promise.resolve(h.convolve(kernel));
  } catch (e) {
    note.textContent = String(e.message || e);
    return;
  }
  if (!res || !res.values) return;
  const values = Float32Array.from(res.values);
  let lim = 0;
  for (const v of values) lim = Math.max(lim, Math.abs(v));
  lim = lim || 1;
  const canvas = $("kern-output");
  paintMap(canvas, values, res.height, res.width, "activation", lim);
  shownMaps["kern-output"] = { values, h: res.height, w: res.width };
  canvas.dataset.limit = String(lim);
  canvas.dataset.size = `${res.width}x${res.height}`;
  note.textContent = tr("cnn.kern.result", { k: kernel.length, w: res.width, h: res.height, lim: fmt(lim, 3) });
  drawReal();
}

function drawReal() {
  const cols = columns();
  const col = cols.findIndex((c) => c.kind === "conv");
  const pick = $("kern-real-ch");
  if (col < 0 || !link.page) return;
  const c = cols[col];
  if (pick.options.length !== c.channels) {
    pick.replaceChildren(...[...Array(c.channels).keys()].map((k) => el("option", { value: String(k) }, String(k))));
  }
  $("kern-real-name").textContent = c.name;
  const ch = Number(pick.value) || 0;
  const values = link.page.values(col, ch);
  let lim = 0;
  for (const v of values) lim = Math.max(lim, Math.abs(v));
  paintMap($("kern-real"), values, c.shape[0], c.shape[1], "activation", lim || 1);
  shownMaps["kern-real"] = { values, h: c.shape[0], w: c.shape[1] };
}

// the value under the pointer (or a finger) on either map
const shownMaps = {};
function readMap(e) {
  const m = shownMaps[e.currentTarget.id];
  if (!m) return;
  const [y, x] = cellUnder(e.currentTarget, e, m.h, m.w);
  if (y < 0 || x < 0 || y >= m.h || x >= m.w) return;
  $("kern-read").textContent = tr("cnn.read.output", { r: y, c: x, v: fmt(m.values[y * m.w + x]) });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const key of KEYS) $(`pg-${key}`).addEventListener("input", update);
  $("pg-player").append(anim.node);
  const canvas = $("pg-canvas");
  canvas.style.touchAction = "none";
  dragSurface(canvas);
  const follow = (e) => { const i = pointerCell(e); if (i !== null) { anim.pause(); anim.show(i); } };
  canvas.addEventListener("pointermove", follow);
  canvas.addEventListener("pointerdown", follow);
  anim.play();
  const size = $("kern-size");
  size.addEventListener("change", () => { kernelGrid(Number(size.value)); $("kern-preset").value = ""; kernelChanged(); });
  $("kern-preset").addEventListener("change", (e) => setKernel(e.target.value));
  $("kern-real-ch").addEventListener("change", drawReal);
  for (const id of ["kern-output", "kern-real"]) {
    $(id).addEventListener("pointermove", (e) => { if (e.pointerType !== "touch") readMap(e); });
    $(id).addEventListener("pointerdown", readMap);  // a tap reads; press and hold, then slide
    pressAndHold($(id), { move: readMap });
    dragSurface($(id));
  }
  kernelGrid(3);
});

/** Put a preset kernel ("identity", "blur", "sharpen", "edges", "sobel_x", "sobel_y") in the grid. */
export function setKernel(name) {
  const values = PRESETS[name];
  if (!values) return;
  $("kern-size").value = String(values.length);
  $("kern-preset").value = name;
  kernelGrid(values.length, values);
  kernelChanged();
}

window.addEventListener("glasslab:lang", () => {
  for (const input of document.querySelectorAll("#kern-grid input")) {
    const [, r, c] = input.id.split("-");
    input.setAttribute("aria-label", tr("cnn.kern.cell", { r, c }));
  }
  update();
});
