// The convolution playground: input size, padding, kernel and stride; Python says
// whether the combination is valid and the output size (glasslab.cnn.view.conv_output_size),
// this draws the kernel sliding over the padded input and the output it fills.

import { $, tr } from "../dom.js";
import { link } from "./link.js";

const pg = { n: 7, p: 0, k: 3, s: 1, step: 0, res: null };
const KEYS = ["n", "p", "k", "s"];

// The output cells are drawn in the page's --accent (site/css/glasslab.css), the window
// in the highlight orange of the detail views.
const LINE = "#f0a500";
const accent = () => getComputedStyle(document.documentElement).getPropertyValue("--accent").trim();

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
  draw();
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
  if (!out) return;
  const r = Math.floor(pg.step / out) % out, c = pg.step % out;
  ctx.strokeStyle = LINE; ctx.lineWidth = 3;
  ctx.strokeRect(ox + c * pg.s * cell - 1, oy + r * pg.s * cell - 1, pg.k * cell + 1, pg.k * cell + 1);
  const cell2 = Math.min(22, Math.floor((W * 0.36) / Math.max(out, 1)), Math.floor((H - 20) / Math.max(out, 1)));
  const ox2 = W - out * cell2 - 10;
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
}

function tick() {
  if (pg.res && pg.res.valid && !document.hidden) {
    pg.step = (pg.step + 1) % (pg.res.size * pg.res.size);
    draw();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const key of KEYS) $(`pg-${key}`).addEventListener("input", update);
  setInterval(tick, 600);
});

window.addEventListener("glasslab:lang", () => update());
