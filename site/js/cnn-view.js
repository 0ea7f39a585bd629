// CNN explainer drawing and DOM. Python (glasslab.web.cnn_page) owns the model and
// every number: it paints the canvases from NumPy RGBA arrays and hands this module
// small JSON payloads to lay out. This module builds elements (text only, never
// markup from data), draws edges and focus rings, runs ONNX Runtime Web, decodes
// images with the browser and forwards user input to Python callbacks.

const $ = (id) => document.getElementById(id);
// Visible texts come from the language catalogue (site/js/i18n.js); English if it is missing.
const tr = (key, params, english) =>
  (window.glasslabI18n ? window.glasslabI18n.t(key, params, english) : english);

function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value);
  }
  if (text !== null) node.textContent = text;
  return node;
}

const view = {
  layout: null,       // {columns: [...], classes: [...]}
  focus: { col: 0, ch: 0 },
  onFocus: null,      // Python: (col, ch) -> legend update
  onPick: null,       // Python: (col, ch) -> open a detail view
  onCell: null,       // Python: (r, c) -> JSON of the detail view's cell
  onFile: null,       // Python: (kind, name, Uint8Array) -> Promise
  onSample: null,     // Python: (file) -> Promise
  onPlayground: null, // Python: (n, p, k, s) -> JSON {valid, size, formula, reason}
  detail: null,       // the open detail payload
  cell: null,         // [r, c] of the detail view
  animTimer: null,
};
window.glasslabCnnView = view;

// ------------------------------------------------------------------ ONNX Runtime Web
let ortModule = null;
let ortSession = null;
let ortGeneration = 0;

async function ortLib() {
  if (!ortModule) {
    const base = new URL("vendor/ort/", document.baseURI).href;
    ortModule = await import(base + "ort.wasm.min.mjs");
    ortModule.env.wasm.wasmPaths = base;
    ortModule.env.wasm.numThreads = 1;
    ortModule.env.wasm.proxy = false;
  }
  return ortModule;
}

view.ortLoad = async function (bytes) {
  const generation = ++ortGeneration;
  const ort = await ortLib();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
  if (generation !== ortGeneration) return false;
  if (ortSession) ortSession.release().catch(() => {});
  ortSession = session;
  return true;
};

// Runs the current session; returns {names, dims, data} with data Float32Arrays.
view.ortRun = async function (inputName, data, dims) {
  const ort = await ortLib();
  const session = ortSession;
  if (!session) throw new Error("ONNX Runtime has no model");
  const feeds = { [inputName]: new ort.Tensor("float32", Float32Array.from(data), Array.from(dims)) };
  const out = await session.run(feeds);
  const names = [], shapes = [], arrays = [];
  for (const name of session.outputNames) {
    const t = out[name];
    if (!t || t.type !== "float32") continue;
    names.push(name); shapes.push(Array.from(t.dims)); arrays.push(t.data);
  }
  return { names, dims: shapes, data: arrays, session };
};
view.ortSessionIs = (s) => s === ortSession;

// Median milliseconds of `runs` ONNX Runtime runs of the current session (for bench/).
view.ortBenchmark = async function (inputName, data, dims, runs) {
  const ort = await ortLib();
  const feeds = { [inputName]: new ort.Tensor("float32", Float32Array.from(data), Array.from(dims)) };
  await ortSession.run(feeds);  // warm-up
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await ortSession.run(feeds);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
};

// ------------------------------------------------------------------ image decoding
const MAX_DECODE = 4096 * 4096;  // larger images are shrunk by the browser first

view.decodeImage = async function (bytes) {
  const blob = new Blob([bytes]);
  let bitmap = await createImageBitmap(blob);  // first frame of an animated GIF
  let { width, height } = bitmap;
  if (width * height > MAX_DECODE) {
    const f = Math.sqrt(MAX_DECODE / (width * height));
    const w = Math.max(1, Math.floor(width * f)), h = Math.max(1, Math.floor(height * f));
    bitmap.close();
    bitmap = await createImageBitmap(blob, { resizeWidth: w, resizeHeight: h, resizeQuality: "high" });
    width = w; height = h;
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const pixels = ctx.getImageData(0, 0, width, height, { colorSpace: "srgb" }).data;
  return { width, height, pixels };
};

// ------------------------------------------------------------------ overview
view.buildOverview = function (layoutJson) {
  const layout = JSON.parse(layoutJson);
  view.layout = layout;
  const root = $("overview-cols");
  root.replaceChildren();
  layout.columns.forEach((col, i) => {
    const box = el("div", { class: "col", "data-col": String(i) });
    const head = el("div", { class: "col-head" });
    head.append(el("span", { class: "col-name" }, col.name), el("span", { class: "col-shape" }, col.shapeText));
    const wrap = el("div", { class: "col-maps" });
    const canvas = el("canvas", {
      id: `col-${i}`, width: String(col.tile), height: String(col.height),
      "aria-hidden": "true", class: `maps kind-${col.kind}`,
    });
    canvas.style.width = `${col.tile}px`; canvas.style.height = `${col.height}px`;
    wrap.append(canvas);
    box.append(head, wrap);
    box.addEventListener("mousemove", (e) => {
      const r = canvas.getBoundingClientRect();
      const ch = Math.floor((e.clientY - r.top) / (col.tile + col.gap));
      if (ch >= 0 && ch < col.channels && e.clientX >= r.left && e.clientX <= r.right) setFocus(i, ch, false);
    });
    box.addEventListener("click", (e) => {
      const r = canvas.getBoundingClientRect();
      const ch = Math.floor((e.clientY - r.top) / (col.tile + col.gap));
      if (ch >= 0 && ch < col.channels) { setFocus(i, ch, true); pick(); }
    });
    root.append(box);
  });
  // the output column: classes with probability bars
  const out = el("div", { class: "col classes", "data-col": String(layout.columns.length) });
  const head = el("div", { class: "col-head" });
  head.append(el("span", { class: "col-name" }, layout.outputName), el("span", { class: "col-shape", id: "classes-count" }, tr("cnn.classes.count", { n: layout.classes.length }, `${layout.classes.length} classes`)));
  const list = el("ol", { id: "class-list", class: "class-list" });
  layout.classes.forEach((name, k) => {
    const li = el("li", { "data-class": String(k) });
    const bar = el("span", { class: "bar" });
    bar.append(el("span", { class: "fill" }));
    li.append(el("span", { class: "cname" }, name), bar, el("span", { class: "pct" }, ""));
    li.addEventListener("mousemove", () => setFocus(layout.columns.length, k, false));
    li.addEventListener("click", () => { setFocus(layout.columns.length, k, true); pick(); });
    list.append(li);
  });
  out.append(head, list);
  root.append(out);
  view.focus = { col: 0, ch: 0 };
  requestAnimationFrame(() => drawFocus());
};

function channelsOf(col) {
  const L = view.layout;
  return col === L.columns.length ? L.classes.length : L.columns[col].channels;
}

view.setProbabilities = function (probs, top) {
  const items = $("class-list").children;
  for (let k = 0; k < items.length; k++) {
    const p = probs[k];
    items[k].querySelector(".fill").style.width = `${(100 * p).toFixed(2)}%`;
    items[k].querySelector(".pct").textContent = `${(100 * p).toFixed(1)}%`;
    items[k].classList.toggle("top", k === top);
  }
};

function neuronBox(col, ch) {
  const L = view.layout;
  const host = $("overview").getBoundingClientRect();
  if (col === L.columns.length) {
    const li = $("class-list").children[ch];
    if (!li) return null;
    const r = li.getBoundingClientRect();
    return { x: r.left - host.left, y: r.top - host.top, w: r.width, h: r.height };
  }
  const c = L.columns[col];
  const r = $(`col-${col}`).getBoundingClientRect();
  return { x: r.left - host.left, y: r.top - host.top + ch * (c.tile + c.gap), w: c.tile, h: c.tile };
}

function inputsOf(col, ch) {
  // neurons of the previous column that feed (col, ch)
  const L = view.layout;
  if (col === 0) return [];
  const prev = col - 1;
  const n = channelsOf(prev);
  if (col === L.columns.length) return [...Array(n).keys()].map((k) => [prev, k]);
  const kind = L.columns[col].kind;
  if (kind === "conv") return [...Array(n).keys()].map((k) => [prev, k]);
  return ch < n ? [[prev, ch]] : [];
}

function drawFocus() {
  if (!view.layout) return;
  const { col, ch } = view.focus;
  const box = neuronBox(col, ch);
  const ring = $("focus-ring");
  const svg = $("edges");
  svg.replaceChildren();
  if (!box) { ring.hidden = true; return; }
  ring.hidden = false;
  ring.style.left = `${box.x - 3}px`; ring.style.top = `${box.y - 3}px`;
  ring.style.width = `${box.w + 6}px`; ring.style.height = `${box.h + 6}px`;
  const host = $("overview");
  svg.setAttribute("width", host.scrollWidth); svg.setAttribute("height", host.scrollHeight);
  const x1 = box.x, y1 = box.y + box.h / 2;
  for (const [pc, pk] of inputsOf(col, ch)) {
    const b = neuronBox(pc, pk);
    if (!b) continue;
    const x0 = b.x + b.w, y0 = b.y + b.h / 2, mx = (x0 + x1) / 2;
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", `M${x0},${y0} C${mx},${y0} ${mx},${y1} ${x1},${y1}`);
    svg.append(path);
  }
  document.querySelectorAll("#overview-cols .col").forEach((c) => c.classList.toggle("active", Number(c.dataset.col) === col));
  const items = $("class-list").children;
  for (let k = 0; k < items.length; k++) items[k].classList.toggle("focused", col === view.layout.columns.length && k === ch);
}

function setFocus(col, ch, force) {
  if (!force && view.focus.col === col && view.focus.ch === ch) return;
  view.focus = { col, ch };
  drawFocus();
  if (view.onFocus) view.onFocus(col, ch);
}
view.setFocus = setFocus;
view.redrawFocus = drawFocus;

function pick() { if (view.onPick) view.onPick(view.focus.col, view.focus.ch); }

function overviewKeys(e) {
  if (!view.layout) return;
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

view.setLegend = function (json) {
  const legend = JSON.parse(json);
  $("legend-title").textContent = legend.title;
  const ticks = $("legend-ticks");
  ticks.replaceChildren();
  for (const t of legend.ticks) {
    const tick = el("span", { class: "tick", style: `left:${(100 * t.position).toFixed(2)}%` }, t.label);
    tick.dataset.value = String(t.value);
    tick.dataset.colour = t.hex;
    ticks.append(tick);
  }
};

view.setFocusText = (text) => { $("focus-text").textContent = text; };

// ------------------------------------------------------------------ detail dialog
function dialog() { return $("detail"); }

view.showDetail = function (json) {
  const d = JSON.parse(json);
  view.detail = d;
  const body = $("detail-body");
  body.replaceChildren();
  $("detail-title").textContent = d.title;
  $("detail-text").textContent = d.text;
  for (const block of d.blocks) body.append(renderBlock(block));
  const dlg = dialog();
  dlg.dataset.kind = d.kind;
  if (!dlg.open) dlg.showModal();
  view.cell = d.cell ? d.cell.slice() : null;
  view.cellChannel = null;
  if (d.cell) updateCell(d.cell[0], d.cell[1]);
  startAnimation();
};

function canvasFor(spec) {
  const c = el("canvas", { id: spec.id, width: String(spec.w), height: String(spec.h), class: "map", "aria-label": spec.label || "" });
  const scale = spec.scale || Math.max(1, Math.floor((spec.display || 96) / Math.max(spec.w, spec.h)));
  c.style.width = `${spec.w * scale}px`; c.style.height = `${spec.h * scale}px`;
  c.dataset.scale = String(scale);
  const wrap = el("div", { class: "map-wrap" });
  wrap.append(c);
  if (spec.grid) {  // the map follows the pointer: its cells select the output cell
    const hl = el("div", { class: "window", id: `${spec.id}-win` });
    hl.hidden = true;
    wrap.append(hl);
    c.addEventListener("mousemove", (e) => {
      const r = c.getBoundingClientRect();
      const x = Math.floor((e.clientX - r.left) / scale), y = Math.floor((e.clientY - r.top) / scale);
      stopAnimation();
      if (spec.channel !== undefined) view.cellChannel = spec.channel;
      const d = view.detail;
      let cell = [y, x];
      if (spec.grid === "input" && d.geom) {  // the window centred on the pointer
        const g = d.geom;
        cell = [Math.floor((y + g.pt - Math.floor(g.kh / 2)) / g.sh), Math.floor((x + g.pl - Math.floor(g.kw / 2)) / g.sw)];
      }
      cell = [Math.max(0, Math.min(d.outShape[0] - 1, cell[0])), Math.max(0, Math.min(d.outShape[1] - 1, cell[1]))];
      updateCell(cell[0], cell[1]);
    });
    c.addEventListener("mouseleave", () => startAnimation());
  }
  return wrap;
}

function figure(spec) {
  const f = el("figure", { class: "fig" });
  f.append(canvasFor(spec));
  if (spec.caption) f.append(el("figcaption", {}, spec.caption));
  return f;
}

function renderBlock(block) {
  const sec = el("section", { class: `detail-block ${block.class || ""}` });
  if (block.heading) sec.append(el("h3", {}, block.heading));
  if (block.note) sec.append(el("p", { class: "small muted" }, block.note));
  for (const row of block.rows || []) {
    const r = el("div", { class: "eq-row" });
    for (const item of row) {
      if (typeof item === "string") r.append(el("span", { class: "op" }, item));
      else if (item.text !== undefined) r.append(el("span", { class: `num ${item.class || ""}`, id: item.id || null }, item.text));
      else r.append(figure(item));
    }
    sec.append(r);
  }
  if (block.table) sec.append(renderTable(block.table));
  if (block.slot) sec.append(el("div", { id: block.slot, class: "slot" }));
  return sec;
}

function renderTable(t) {
  const table = el("table", { class: "numbers", id: t.id || null });
  if (t.head) {
    const tr = el("tr");
    for (const h of t.head) tr.append(el("th", {}, h));
    table.append(el("thead")); table.firstChild.append(tr);
  }
  const tbody = el("tbody");
  for (const row of t.rows) {
    const tr = el("tr");
    if (row.class) tr.className = row.class;
    row.cells.forEach((cell, i) => {
      const td = el(i === 0 && t.rowHeads ? "th" : "td", {}, typeof cell === "object" ? cell.text : String(cell));
      if (typeof cell === "object") {
        if (cell.bg) td.style.background = cell.bg;
        if (cell.fg) td.style.color = cell.fg;
        if (cell.class) td.className = cell.class;
        if (cell.id) td.id = cell.id;
      }
      tr.append(td);
    });
    tbody.append(tr);
  }
  table.append(tbody);
  return table;
}

// The cell view: Python computes the numbers of cell (r, c), this places the windows.
function updateCell(r, c) {
  const d = view.detail;
  if (!d || !d.cell || !view.onCell) return;
  const info = JSON.parse(view.onCell(r, c, view.cellChannel ?? null));
  if (!info) return;
  view.cell = [info.r, info.c];
  for (const w of info.windows) {  // [canvasId, row, col, height, width]
    const canvas = $(w[0]), box = $(`${w[0]}-win`);
    if (!canvas || !box) continue;
    const s = Number(canvas.dataset.scale);
    const top = Math.max(0, w[1]), left = Math.max(0, w[2]);
    const bottom = Math.min(canvas.height, w[1] + w[3]), right = Math.min(canvas.width, w[2] + w[4]);
    box.hidden = false;
    box.style.top = `${top * s - 1}px`; box.style.left = `${left * s - 1}px`;
    box.style.height = `${Math.max(0, bottom - top) * s + 2}px`; box.style.width = `${Math.max(0, right - left) * s + 2}px`;
  }
  const slot = $("cell-slot");
  if (slot) {
    slot.replaceChildren();
    for (const block of info.blocks) slot.append(renderBlock(block));
  }
}
view.updateCell = updateCell;

function startAnimation() {
  stopAnimation();
  const d = view.detail;
  if (!d || !d.cell || !d.outShape) return;
  view.animTimer = setInterval(() => {
    if (!dialog().open) { stopAnimation(); return; }
    let [r, c] = view.cell || [0, 0];
    c += 1;
    if (c >= d.outShape[1]) { c = 0; r = (r + 1) % d.outShape[0]; }
    updateCell(r, c);
  }, 700);
}
function stopAnimation() { if (view.animTimer) { clearInterval(view.animTimer); view.animTimer = null; } }
view.stopAnimation = stopAnimation;

function closeDetail() { stopAnimation(); if (dialog().open) dialog().close(); }
view.closeDetail = closeDetail;

// ------------------------------------------------------------------ playground
const pg = { n: 7, p: 0, k: 3, s: 1, step: 0, timer: null };

function playground() {
  if (!view.onPlayground) return;
  for (const key of ["n", "p", "k", "s"]) pg[key] = Number($(`pg-${key}`).value);
  for (const key of ["n", "p", "k", "s"]) $(`pg-${key}-value`).textContent = String(pg[key]);
  const res = JSON.parse(view.onPlayground(pg.n, pg.p, pg.k, pg.s));
  pg.res = res;
  $("pg-formula").textContent = res.valid ? `${res.formula} = ${res.size}` : res.formula;
  const why = $("pg-reason");
  why.textContent = res.valid
    ? tr("cnn.pg.valid", { size: res.size }, `Output: ${res.size} × ${res.size}`)
    : tr("cnn.pg.invalid", { reason: res.reason }, `Invalid: ${res.reason}.`);
  why.classList.toggle("invalid", !res.valid);
  pg.step = 0;
  drawPlayground();
}

function drawPlayground() {
  const canvas = $("pg-canvas");
  if (!canvas) return;
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
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
  ctx.strokeStyle = "#f0a500"; ctx.lineWidth = 3;
  ctx.strokeRect(ox + c * pg.s * cell - 1, oy + r * pg.s * cell - 1, pg.k * cell + 1, pg.k * cell + 1);
  const cell2 = Math.min(22, Math.floor((W * 0.36) / Math.max(out, 1)), Math.floor((H - 20) / Math.max(out, 1)));
  const ox2 = W - out * cell2 - 10;
  for (let y = 0; y < out; y++) {
    for (let x = 0; x < out; x++) {
      ctx.fillStyle = (y < r || (y === r && x <= c)) ? "#5b3ea6" : "#e5e0f3";
      ctx.fillRect(ox2 + x * cell2, oy + y * cell2, cell2 - 1, cell2 - 1);
    }
  }
  ctx.strokeStyle = "#f0a500";
  ctx.strokeRect(ox2 + c * cell2 - 1, oy + r * cell2 - 1, cell2 + 1, cell2 + 1);
}

function playgroundTick() {
  if (pg.res && pg.res.valid && !document.hidden) {
    pg.step = (pg.step + 1) % (pg.res.size * pg.res.size);
    drawPlayground();
  }
}

// ------------------------------------------------------------------ wiring
function readFile(file, kind) {
  if (!file || !view.onFile) return;
  file.arrayBuffer().then((buf) => view.onFile(kind, file.name, new Uint8Array(buf)));
}

document.addEventListener("DOMContentLoaded", () => {
  $("overview").addEventListener("keydown", overviewKeys);
  $("overview").addEventListener("focus", () => drawFocus());
  window.addEventListener("resize", () => drawFocus());
  $("overview").addEventListener("scroll", () => drawFocus());
  const dlg = dialog();
  dlg.addEventListener("click", (e) => { if (e.target === dlg) closeDetail(); });
  dlg.addEventListener("close", () => { stopAnimation(); $("overview").focus(); });
  $("detail-close").addEventListener("click", closeDetail);
  $("file-image").addEventListener("change", (e) => { readFile(e.target.files[0], "image"); e.target.value = ""; });
  $("file-model").addEventListener("change", (e) => { readFile(e.target.files[0], "model"); e.target.value = ""; });
  $("file-labels").addEventListener("change", (e) => { readFile(e.target.files[0], "labels"); e.target.value = ""; });
  const drop = $("input-panel");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("dragging"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("dragging"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault(); drop.classList.remove("dragging");
    const file = e.dataTransfer.files[0];
    if (file) readFile(file, /\.onnx$/i.test(file.name) ? "model" : "image");
  });
  document.addEventListener("paste", (e) => {
    if (e.target.closest && e.target.closest("textarea, input")) return;
    const item = [...(e.clipboardData ? e.clipboardData.items : [])].find((i) => i.kind === "file");
    if (item) { e.preventDefault(); readFile(item.getAsFile(), "image"); }
  });
  for (const key of ["n", "p", "k", "s"]) $(`pg-${key}`).addEventListener("input", playground);
  pg.timer = setInterval(playgroundTick, 600);
});
view.playground = playground;

// A new language: the texts built here are set again (Python sets its own).
window.addEventListener("glasslab:lang", () => {
  const count = $("classes-count");
  if (count && view.layout) {
    const n = view.layout.classes.length;
    count.textContent = tr("cnn.classes.count", { n }, `${n} classes`);
  }
  if (view.onPlayground) playground();
});
