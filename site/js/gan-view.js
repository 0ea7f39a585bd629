// GAN lab drawing: the layered distribution canvas, the charts and the graph
// highlights. Python (glasslab.web.gan_page) owns all the maths: it writes
// into the typed arrays below in bulk (TypedArray.assign) and calls draw().
// Nothing here computes anything about the GAN.

const SIZE = 400;           // canvas pixels (the unit square)
const GRID = 30;            // discriminator heatmap cells
const MAX_REAL = 2000;
const MAX_FAKE = 2000;
const MANIFOLD = 21;
const CHART_CAP = 1000;

const canvas = () => document.getElementById("gan-canvas");
const heatCanvas = document.createElement("canvas");
heatCanvas.width = GRID;
heatCanvas.height = GRID;

const view = {
  // ---- filled by Python
  real: new Float32Array(MAX_REAL * 2), nReal: 0,
  fake: new Float32Array(MAX_FAKE * 2), nFake: 0,
  grad: new Float32Array(MAX_FAKE * 2),
  heat: new Uint8ClampedArray(GRID * GRID * 4),
  manifold: new Float32Array(MANIFOLD * MANIFOLD * 2),
  manifoldAlpha: new Float32Array((MANIFOLD - 1) * (MANIFOLD - 1)),
  manifoldDim: 2,
  layers: { heatmap: true, real: true, fake: true, gradients: true, manifold: false },
  // ---- user drawing (the "draw your own" data set), unit-square coordinates
  drawingMode: false,
  drawing: new Float32Array(4000 * 2), nDrawing: 0,
  // ---- charts
  charts: { it: [], d: [], g: [], kl: [], js: [] },
  // ---- frame statistics (measured here, read by Python's state())
  frameTimes: new Float32Array(120), frameIndex: 0, frames: 0,
  tick: null,  // Python: called once per animation frame
  showGrad: true,  // false while slow motion shows a training batch instead of the tracked fakes
};
window.glasslabGanView = view;

// ---- saving a file the user asked for (a model as JSON)
view.download = function (name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url; link.download = name;
  document.body.appendChild(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
};


function toCanvas(x, y) { return [x * SIZE, (1 - y) * SIZE]; }

view.draw = function () {
  const ctx = canvas().getContext("2d");
  ctx.clearRect(0, 0, SIZE, SIZE);
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, SIZE, SIZE);
  if (view.drawingMode) { drawDrawing(ctx); return; }
  if (view.layers.heatmap) {
    heatCanvas.getContext("2d").putImageData(new ImageData(view.heat, GRID, GRID), 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(heatCanvas, 0, 0, SIZE, SIZE);
  }
  if (view.layers.manifold) drawManifold(ctx);
  if (view.layers.real) drawPoints(ctx, view.real, view.nReal, "#1b8a5a", 2.2);
  if (view.layers.gradients && view.showGrad) drawGradients(ctx);
  if (view.layers.fake) drawPoints(ctx, view.fake, view.nFake, "#5b3ea6", 2.6);
};

function drawPoints(ctx, xy, n, colour, radius) {
  ctx.fillStyle = colour;
  ctx.strokeStyle = "rgba(255,255,255,0.85)";
  ctx.lineWidth = 0.8;
  ctx.beginPath();
  for (let i = 0; i < n; i++) {
    const [px, py] = toCanvas(xy[2 * i], xy[2 * i + 1]);
    ctx.moveTo(px + radius, py);
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
  }
  ctx.fill();
  ctx.stroke();
}

function drawGradients(ctx) {
  ctx.strokeStyle = "#c2410c";
  ctx.lineWidth = 1.2;
  ctx.beginPath();
  for (let i = 0; i < view.nFake; i++) {
    const [x0, y0] = toCanvas(view.fake[2 * i], view.fake[2 * i + 1]);
    const dx = view.grad[2 * i] * SIZE, dy = -view.grad[2 * i + 1] * SIZE;
    const len = Math.hypot(dx, dy);
    if (len < 0.5) continue;
    const x1 = x0 + dx, y1 = y0 + dy;
    ctx.moveTo(x0, y0); ctx.lineTo(x1, y1);
    const head = Math.min(5, len * 0.5), ux = dx / len, uy = dy / len;
    ctx.moveTo(x1, y1); ctx.lineTo(x1 - head * (ux - 0.5 * uy), y1 - head * (uy + 0.5 * ux));
    ctx.moveTo(x1, y1); ctx.lineTo(x1 - head * (ux + 0.5 * uy), y1 - head * (uy - 0.5 * ux));
  }
  ctx.stroke();
}

function drawManifold(ctx) {
  const m = view.manifold;
  if (view.manifoldDim === 1) {
    ctx.strokeStyle = "rgba(91,62,166,0.8)"; ctx.lineWidth = 2;
    ctx.beginPath();
    for (let i = 0; i < MANIFOLD; i++) {
      const [px, py] = toCanvas(m[2 * i], m[2 * i + 1]);
      if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    }
    ctx.stroke();
    return;
  }
  const at = (r, c) => toCanvas(m[2 * (r * MANIFOLD + c)], m[2 * (r * MANIFOLD + c) + 1]);
  ctx.strokeStyle = "rgba(91,62,166,0.35)"; ctx.lineWidth = 0.6;
  for (let r = 0; r < MANIFOLD - 1; r++) {
    for (let c = 0; c < MANIFOLD - 1; c++) {
      const a = at(r, c), b = at(r, c + 1), d = at(r + 1, c + 1), e = at(r + 1, c);
      ctx.beginPath();
      ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.lineTo(d[0], d[1]); ctx.lineTo(e[0], e[1]);
      ctx.closePath();
      ctx.fillStyle = `rgba(91,62,166,${view.manifoldAlpha[r * (MANIFOLD - 1) + c].toFixed(3)})`;
      ctx.fill(); ctx.stroke();
    }
  }
}

function drawDrawing(ctx) {
  ctx.strokeStyle = "#dfe3ea";
  for (let i = 1; i < 10; i++) {
    ctx.beginPath(); ctx.moveTo(i * SIZE / 10, 0); ctx.lineTo(i * SIZE / 10, SIZE);
    ctx.moveTo(0, i * SIZE / 10); ctx.lineTo(SIZE, i * SIZE / 10); ctx.stroke();
  }
  drawPoints(ctx, view.drawing, view.nDrawing, "#1b8a5a", 3);
}

// ---- drawing pad: mouse, pen and touch through pointer events
function pointerToUnit(event) {
  const rect = canvas().getBoundingClientRect();
  return [(event.clientX - rect.left) / rect.width, 1 - (event.clientY - rect.top) / rect.height];
}
let pressing = false;
function addPoint(event) {
  if (!view.drawingMode || view.nDrawing * 2 >= view.drawing.length) return;
  const [x, y] = pointerToUnit(event);
  if (x < 0 || x > 1 || y < 0 || y > 1) return;
  const n = view.nDrawing;
  if (n > 0) {  // keep points a little apart while dragging
    const dx = view.drawing[2 * n - 2] - x, dy = view.drawing[2 * n - 1] - y;
    if (event.type === "pointermove" && dx * dx + dy * dy < 0.0002) return;
  }
  view.drawing[2 * n] = x; view.drawing[2 * n + 1] = y; view.nDrawing = n + 1;
  view.draw();
}
document.addEventListener("pointerdown", (e) => {
  if (e.target !== canvas() || !view.drawingMode) return;
  pressing = true; canvas().setPointerCapture(e.pointerId); addPoint(e); e.preventDefault();
});
document.addEventListener("pointermove", (e) => { if (pressing) addPoint(e); });
document.addEventListener("pointerup", () => { pressing = false; });
document.addEventListener("pointercancel", () => { pressing = false; });

// ---- charts
view.pushMetrics = function (it, d, g, kl, js) {
  const c = view.charts;
  c.it.push(it); c.d.push(d); c.g.push(g); c.kl.push(kl); c.js.push(js);
  if (c.it.length > CHART_CAP) {  // keep every other point: bounded memory, whole history shown
    for (const key of Object.keys(c)) c[key] = c[key].filter((_, i) => i % 2 === 0);
  }
};
view.clearCharts = function () {
  for (const key of Object.keys(view.charts)) view.charts[key] = [];
};
view.drawCharts = function () {
  chart("chart-loss", [["d", "#1b8a5a"], ["g", "#5b3ea6"]]);
  chart("chart-div", [["kl", "#c2410c"], ["js", "#2563eb"]]);
};
function chart(id, series) {
  const el = document.getElementById(id), ctx = el.getContext("2d");
  const w = el.width, h = el.height, pad = 22, c = view.charts;
  ctx.clearRect(0, 0, w, h);
  ctx.strokeStyle = "#dfe3ea"; ctx.lineWidth = 1;
  ctx.strokeRect(pad + 0.5, 0.5, w - pad - 1, h - 12);
  const n = c.it.length;
  if (n < 1) return;
  let top = 0;
  for (const [key] of series) for (const v of c[key]) if (Number.isFinite(v) && v > top) top = v;
  top = top > 0 ? top * 1.1 : 1;
  const x0 = c.it[0], x1 = Math.max(c.it[n - 1], x0 + 1);
  ctx.fillStyle = "#5d6474"; ctx.font = "10px system-ui, sans-serif";
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

// ---- the graph: which nodes and edges each training stage lights up
const STAGES = {
  "sample": ["node-noise", "node-real", "edge-noise-gen", "node-gen", "edge-gen-fake", "node-fake"],
  "classify": ["edge-fake-disc", "edge-real-disc", "node-disc", "edge-disc-pred", "node-pred"],
  "loss": ["edge-pred-loss", "node-loss"],
  "gradients-d": ["edge-grad-disc", "node-disc"],
  "update-d": ["node-disc"],
  "gradients-g": ["edge-grad-gen", "node-disc", "node-gen"],
  "update-g": ["node-gen"],
};
view.highlight = function (stage) {
  document.querySelectorAll("#graph .lit").forEach((el) => el.classList.remove("lit"));
  for (const id of STAGES[stage] || []) document.getElementById(id)?.classList.add("lit");
};
view.setFlowing = function (on) {
  document.getElementById("graph")?.classList.toggle("flowing", on);
};

// ---- frame loop: Python trains inside a time budget, then everything is drawn
function frame(now) {
  const i = view.frameIndex % view.frameTimes.length;
  if (view.lastFrame !== undefined) { view.frameTimes[i] = now - view.lastFrame; view.frameIndex++; }
  view.lastFrame = now;
  view.frames++;
  if (view.tick) {
    try { view.tick(now); } catch (error) { console.error(error); }
  }
  requestAnimationFrame(frame);
}
view.frameStats = function () {
  const n = Math.min(view.frameIndex, view.frameTimes.length);
  if (n === 0) return { fps: 0, p95_ms: 0, mean_ms: 0 };
  const t = Array.from(view.frameTimes.slice(0, n)).sort((a, b) => a - b);
  const mean = t.reduce((a, b) => a + b, 0) / n;
  return { fps: 1000 / mean, mean_ms: mean, p95_ms: t[Math.min(n - 1, Math.floor(0.95 * n))] };
};
requestAnimationFrame(frame);
