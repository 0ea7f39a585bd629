// GAN lab: the model overview graph (#graph), live as in GAN Lab, and the slow-motion
// text (#stage-text). Each component is an element with data-node (noise, generator,
// fake, real, discriminator, predictions, loss) holding a thumbnail canvas drawn from
// the typed arrays of the distribution view (gan-canvas.js), at most every THUMB_MS while
// training. The edges' data flow moves while training and shows whether D or G steps run;
// hovering or focusing the generator morphs the noise grid into G's manifold; the other
// nodes explain themselves in a tooltip. The pencil (edit mode) shows the hyperparameter
// editors next to the component they belong to, bound to the same settings as the panel.
import { $, el, tr } from "./dom.js";
import { cssRgb } from "./gan-canvas.js";

const SVG = "http://www.w3.org/2000/svg";
const W = 400, H = 312;  // the diagram's units (the container keeps this aspect ratio)
const THUMB = 96;  // thumbnail canvas pixels per side
const THUMB_MS = 250;  // thumbnails are redrawn at most this often while training
const MORPH_MS = 1600;  // the generator's noise-to-manifold animation
// Nodes: [id, x, y, width, height, label key]; the thumbnail is a square under the label.
const NODES = {
  noise: ["node-noise", 8, 40, 68, 88, "gan.graph.noise"],
  generator: ["node-gen", 110, 40, 80, 88, "gan.graph.generator"],
  fake: ["node-fake", 226, 40, 68, 88, "gan.graph.fake"],
  real: ["node-real", 8, 184, 68, 88, "gan.graph.real"],
  discriminator: ["node-disc", 110, 184, 80, 88, "gan.graph.discriminator"],
  predictions: ["node-pred", 226, 184, 68, 88, "gan.graph.predictions"],
  loss: ["node-loss", 322, 184, 72, 88, "gan.graph.loss"],
};
// Edges: [id, path, runs in D steps, runs in G steps, gradient]
const EDGES = [
  ["edge-noise-gen", "M76,84 L110,84", true, true],
  ["edge-gen-fake", "M190,84 L226,84", true, true],
  ["edge-fake-disc", "M260,128 L260,156 L168,156 L168,184", true, true],
  ["edge-real-disc", "M76,228 L110,228", true, false],
  ["edge-disc-pred", "M190,228 L226,228", true, true],
  ["edge-pred-loss", "M294,228 L322,228", true, true],
  ["edge-grad-disc", "M358,272 L358,294 L150,294 L150,272", true, false, true],
  ["edge-grad-gen", "M358,184 L358,18 L150,18 L150,40", false, true, true],
];
// Which nodes and edges each slow-motion stage lights up ("gradients" and "update" per network).
const STAGES = {
  "sample": ["node-noise", "node-real", "edge-noise-gen", "node-gen", "edge-gen-fake", "node-fake"],
  "classify": ["edge-fake-disc", "edge-real-disc", "node-disc", "edge-disc-pred", "node-pred"],
  "loss": ["edge-pred-loss", "node-loss"],
  "gradients-d": ["edge-grad-disc", "node-disc"],
  "update-d": ["node-disc"],
  "gradients-g": ["edge-grad-gen", "node-disc", "node-gen"],
  "update-g": ["node-gen"],
};
// Edit mode: the editors of each strip, [column class, [settings...]]; labels are i18n keys.
const EDITOR_LABELS = {
  noise_dim: "gan.hp.noise_dim", noise_dist: "gan.hp.noise", g_layers: "gan.hp.layers",
  g_neurons: "gan.hp.neurons", d_layers: "gan.hp.layers", d_neurons: "gan.hp.neurons",
  g_optimizer: "gan.hp.optimizer", d_optimizer: "gan.hp.optimizer", g_lr: "gan.hp.lr",
  d_lr: "gan.hp.lr", k_g: "gan.graph.k_g", k_d: "gan.graph.k_d", loss: "gan.hp.loss",
};
const STRIPS = {
  top: [["noise", ["noise_dim", "noise_dist"]], ["generator", ["g_layers", "g_neurons"]],
    ["update-g", ["g_optimizer", "g_lr", "k_g"]]],
  bottom: [["gap", []], ["discriminator", ["d_layers", "d_neurons"]],
    ["update-d", ["d_optimizer", "d_lr", "k_d"]], ["loss", ["loss"]]],
};

const pct = (v, of) => `${(100 * v / of).toFixed(3)}%`;
const svg = (tag, attrs) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
};

export function createGraph() {
  const graph = {};
  const root = $("graph");
  const thumbs = {};  // node name -> {canvas, ctx, image (ImageData), px (Uint32Array)}
  const editors = [];
  let canvasView = null, flowing = false, last = -1e9, phase = "", phaseUntil = 0;
  let lastSteps = null, morphStart = -1, editing = false, kd = 1, kg = 1;
  let lossD = NaN, lossG = NaN;
  const tip = el("div", { class: "graph-tip", role: "tooltip", id: "graph-tip", hidden: "" });
  build();

  function build() {
    if (!root) return;
    const head = root.previousElementSibling;
    const pencil = el("button", { type: "button", class: "graph-edit", "aria-pressed": "false",
      "data-i18n-attr": "title:gan.graph.edit;aria-label:gan.graph.edit",
      title: tr("gan.graph.edit"), "aria-label": tr("gan.graph.edit") }, "✎");
    pencil.addEventListener("click", () => graph.setEditing(!editing));
    head?.appendChild(pencil);
    const diagram = el("div", { class: "graph-diagram" });
    const lines = svg("svg", { viewBox: `0 0 ${W} ${H}`, "aria-hidden": "true", class: "graph-edges" });
    const defs = svg("defs", {});
    for (const [id, colour] of [["arrow", "#7a8091"], ["arrow-grad", "#c2410c"]]) {
      const marker = svg("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
        markerHeight: 7, orient: "auto-start-reverse" });
      marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }));
      defs.appendChild(marker);
    }
    lines.appendChild(defs);
    for (const [id, d, inD, inG, grad] of EDGES) {
      const path = svg("path", { id, d, class: `edge${grad ? " grad" : ""}${inD ? " in-d" : ""}${inG ? " in-g" : ""}`,
        "marker-end": `url(#${grad ? "arrow-grad" : "arrow"})` });
      lines.appendChild(path);
    }
    for (const [id, x, y, key] of [["graph-update-g", 254, 12, "gan.graph.update_g"],
      ["graph-update-d", 254, 307, "gan.graph.update_d"]]) {
      const text = svg("text", { id, x, y, class: "update-label" });
      text.textContent = tr(key, { opt: "", lr: "", k: "" });
      lines.appendChild(text);
    }
    diagram.appendChild(lines);
    for (const [name, [id, x, y, w, h, key]] of Object.entries(NODES)) {
      const node = el("div", { id, class: `node node-${name}`, "data-node": name, tabindex: "0",
        "aria-describedby": "graph-tip", "aria-label": tr(key), "data-i18n-attr": `aria-label:${key}` });
      node.style.cssText = `left:${pct(x, W)};top:${pct(y, H)};width:${pct(w, W)};height:${pct(h, H)}`;
      const label = el("span", { class: "node-label" });
      label.appendChild(el("span", { "data-i18n": key }, tr(key)));
      const info = el("a", { class: "info", href: `#gan-article-${name}`, "data-info": name,
        "data-i18n-attr": "aria-label:gan.info.label;title:gan.info.label", "aria-label": tr("gan.info.label") }, "i");
      const c = el("canvas", { width: String(THUMB), height: String(THUMB), class: "thumb" });
      const sub = el("span", { class: "node-sub", id: { noise: "graph-noise-dim", generator: "graph-gen-shape",
        discriminator: "graph-disc-shape", loss: "graph-loss" }[name] || null });
      node.append(label, info, c, sub);
      // a finger: the tip shows on the press and stays (the tap focuses the node) until a tap elsewhere
      node.addEventListener("pointerenter", (e) => { if (e.pointerType !== "touch") showTip(name, node); });
      node.addEventListener("pointerdown", (e) => { if (e.pointerType === "touch") showTip(name, node); });
      node.addEventListener("pointerleave", (e) => { if (e.pointerType !== "touch") hideTip(); });
      node.style.webkitTouchCallout = "none"; node.style.userSelect = "none"; node.style.webkitUserSelect = "none";
      node.addEventListener("focus", () => showTip(name, node));
      node.addEventListener("blur", hideTip);
      diagram.appendChild(node);
      const ctx = c.getContext("2d");
      const image = ctx.createImageData(THUMB, THUMB);
      thumbs[name] = { canvas: c, ctx, image, px: new Uint32Array(image.data.buffer) };
    }
    const phaseText = el("span", { class: "phase-text", "aria-hidden": "true" });
    diagram.append(phaseText, tip);
    const strip = (which) => {
      const box = el("div", { class: `graph-strip strip-${which}`, hidden: "" });
      for (const [column, names] of STRIPS[which]) {
        const group = el("div", { class: `editors editors-${column}`, "data-editors": column });
        for (const name of names) {
          const label = el("label", {});
          label.appendChild(el("span", { "data-i18n-html": EDITOR_LABELS[name] }, tr(EDITOR_LABELS[name])));
          group.appendChild(label);
          editors.push([name, label]);
        }
        box.appendChild(group);
      }
      return box;
    };
    root.append(strip("top"), diagram, strip("bottom"));
    sub("noise", "z");
  }

  function sub(name, text) {
    const node = root?.querySelector(`[data-node="${name}"] .node-sub`);
    if (node) node.textContent = text;
  }

  function showTip(name, node) {
    if (name === "generator") { morphStart = performance.now(); animateMorph(); }
    tip.textContent = tr(`gan.graph.tip.${name}`);
    tip.hidden = false;
    const box = node.getBoundingClientRect(), outer = root.querySelector(".graph-diagram").getBoundingClientRect();
    const below = box.top - outer.top < outer.height / 2;
    tip.style.top = below ? `${box.bottom - outer.top + 4}px` : "";
    tip.style.bottom = below ? "" : `${outer.bottom - box.top + 4}px`;
  }
  function hideTip() {
    tip.hidden = true;
    morphStart = -1;
    if (canvasView) drawThumbs(canvasView);
  }
  function animateMorph() {
    if (morphStart < 0 || !canvasView) return;
    if (colours) drawGenerator(thumbs.generator, canvasView, Math.min(1, (performance.now() - morphStart) / MORPH_MS));
    if (performance.now() - morphStart < MORPH_MS) requestAnimationFrame(animateMorph);
  }

  /** Wire the edit-mode editors (copies of the settings panel's controls) to the handle. */
  graph.bind = function () {
    for (const [name, label] of editors) {
      const control = $(`hp-${name}`).cloneNode(true);
      control.removeAttribute("id");
      control.dataset.setting = name;
      control.addEventListener("change", (e) => {
        try { window.glasslab.set({ [name]: e.target.value }); } catch (error) { /* the page shows the message */ }
      });
      label.appendChild(control);
    }
  };
  graph.setEditing = function (on) {
    editing = on;
    root.classList.toggle("editing", on);
    root.parentElement.querySelector(".graph-edit")?.setAttribute("aria-pressed", String(on));
    for (const box of root.querySelectorAll(".graph-strip")) box.hidden = !on;
  };

  /** Light up the parts of stage `name` of network `net` ("d" or "g"); null: none. */
  graph.highlight = function (name, net) {
    root?.querySelectorAll(".lit").forEach((node) => node.classList.remove("lit"));
    const key = name === "gradients" || name === "update" ? `${name}-${net}` : name;
    for (const id of STAGES[key] || []) $(id)?.classList.add("lit");
  };
  graph.setFlowing = function (on) {
    flowing = on;
    root?.classList.toggle("flowing", on);
    if (!on) setPhase("");
  };
  /** The step counters after a frame: which of D's and G's steps ran since the last call. */
  graph.ran = function (dSteps, gSteps) {
    const before = lastSteps;
    lastSteps = [dSteps, gSteps];
    if (!before) return;
    const dd = dSteps - before[0], dg = gSteps - before[1], now = performance.now();
    if (dd > 0 && dg > 0) {  // a whole iteration or more: show the k_D : k_G schedule in time
      const t = (now % 1500) / 1500;
      setPhase(t < kd / Math.max(kd + kg, 1) ? "d" : "g");
      phaseUntil = now + 600;
    } else if (dd > 0 || dg > 0) {
      setPhase(dd > 0 ? "d" : "g");
      phaseUntil = now + 900;
      if (!flowing) setTimeout(() => { if (performance.now() >= phaseUntil && !flowing) setPhase(""); }, 950);
    }
  };
  function setPhase(which) {
    if (phase === which || !root) return;
    phase = which;
    root.classList.toggle("phase-d", which === "d");
    root.classList.toggle("phase-g", which === "g");
    const text = root.querySelector(".phase-text");
    if (text) text.textContent = which ? tr(which === "d" ? "gan.graph.phase_d" : "gan.graph.phase_g") : "";
  }

  /** The settings in force (as the controls show them): shapes, the update arrows, editors. */
  graph.shapes = function (shape) {
    if (!root) return;
    sub("generator", shape.generator);
    sub("discriminator", shape.discriminator);
    sub("noise", tr("gan.graph.noise_dim", { dim: shape.noise_dim, dist: tr(`gan.noise.${shape.noise_dist}`) }));
    const v = shape.values || {};
    kd = Number(v.k_d) || 0; kg = Number(v.k_g) || 0;
    const opt = (name) => (v[name] === "adam" ? "Adam" : "SGD");
    $("graph-update-g").textContent = tr("gan.graph.update_g", { opt: opt("g_optimizer"), lr: v.g_lr, k: v.k_g });
    $("graph-update-d").textContent = tr("gan.graph.update_d", { opt: opt("d_optimizer"), lr: v.d_lr, k: v.k_d });
    for (const control of root.querySelectorAll("[data-setting]")) {
      const value = v[control.dataset.setting];
      if (value === undefined) continue;
      if (control.tagName === "SELECT" && ![...control.options].some((o) => o.value === value)) {
        control.appendChild(el("option", { value }, value));
      }
      control.value = value;
    }
  };
  graph.loss = function (d, g) {
    lossD = parseFloat(d); lossG = parseFloat(g);
    const two = (v) => (Number.isFinite(v) ? v.toFixed(2) : "—");
    sub("loss", `${two(lossD)} · ${two(lossG)}`);  // D · G, as the bars above
    if (colours && !flowing) drawLoss(thumbs.loss);
  };

  // ---- thumbnails, drawn from the distribution view's arrays
  /** Called after the distribution canvas drew; redraws the thumbnails when due. */
  graph.draw = function (view) {
    canvasView = view;
    const now = performance.now();
    if (flowing && now - last < THUMB_MS) return;
    if (flowing && now >= phaseUntil) setPhase("");
    last = now;
    drawThumbs(view);
  };
  /** True when the next draw will redraw the thumbnails (Python then writes the manifold). */
  graph.due = () => !flowing || performance.now() - last >= THUMB_MS - 20;

  let colours = null;
  function drawThumbs(view) {
    if (!root || root.offsetParent === null) return;  // hidden (embed panels): no cost
    if (!colours) {
      const pack = ([r, g, b]) => (255 << 24) | (b << 16) | (g << 8) | r;  // little-endian RGBA
      colours = { real: pack(cssRgb("--real")), fake: pack(cssRgb("--accent")), noise: pack([122, 128, 145]),
        white: pack([255, 255, 255]), line: pack([223, 227, 234]), realRgb: cssRgb("--real"), fakeRgb: cssRgb("--accent") };
    }
    points(thumbs.noise, view.noise, view.noise.length / 2, colours.noise, 0);
    if (morphStart < 0) drawGenerator(thumbs.generator, view, 1);
    points(thumbs.fake, view.fake, view.nFake, colours.fake, 0);
    points(thumbs.real, view.real, view.nReal, colours.real, 0);
    drawHeat(thumbs.discriminator, view);
    drawPredictions(thumbs.predictions, view);
    drawLoss(thumbs.loss);
  }

  function clear(t, colour) {
    t.px.fill(colour);
    for (let i = 0; i < THUMB; i++) { t.px[i] = colours.line; t.px[(THUMB - 1) * THUMB + i] = colours.line; }
  }
  function dot(t, x, y, colour, ring) {
    const cx = Math.round(x * (THUMB - 1)), cy = Math.round((1 - y) * (THUMB - 1));
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        const px = cx + dx, py = cy + dy, edge = Math.abs(dx) === 2 || Math.abs(dy) === 2;
        if (px < 0 || py < 0 || px >= THUMB || py >= THUMB || (edge && !ring) || (Math.abs(dx) + Math.abs(dy) > 3)) continue;
        t.px[py * THUMB + px] = edge ? ring : colour;
      }
    }
  }
  function points(t, xy, n, colour) {
    clear(t, colours.white);
    for (let i = 0; i < n; i++) dot(t, xy[2 * i], xy[2 * i + 1], colour, 0);
    t.ctx.putImageData(t.image, 0, 0);
  }
  /** D's colour at (x, y): the heatmap cell under it (row 0 of the image is the top). */
  function heatAt(view, x, y) {
    const grid = view.grid;
    const c = Math.min(grid - 1, Math.max(0, Math.floor(x * grid)));
    const r = Math.min(grid - 1, Math.max(0, Math.floor((1 - y) * grid)));
    const i = 4 * (r * grid + c), h = view.heat;
    return (255 << 24) | (h[i + 2] << 16) | (h[i + 1] << 8) | h[i];
  }
  let heatSmall = null;  // D's field at its own size (grid x grid), scaled up by drawImage
  function drawHeat(t, view) {
    if (!view.grid || !view.heatImage) return;
    if (!heatSmall) { heatSmall = el("canvas", { width: String(view.grid), height: String(view.grid) }); }
    heatSmall.getContext("2d").putImageData(view.heatImage, 0, 0);
    t.ctx.imageSmoothingEnabled = true;
    t.ctx.drawImage(heatSmall, 0, 0, THUMB, THUMB);
  }
  function drawPredictions(t, view) {
    clear(t, colours.white);
    for (let i = 0; i < view.nReal; i++) {
      const x = view.real[2 * i], y = view.real[2 * i + 1];
      dot(t, x, y, heatAt(view, x, y), colours.real);
    }
    for (let i = 0; i < view.nFake; i++) {
      const x = view.fake[2 * i], y = view.fake[2 * i + 1];
      dot(t, x, y, heatAt(view, x, y), colours.fake);
    }
    t.ctx.putImageData(t.image, 0, 0);
  }
  /** G's manifold; `s` < 1 during the morph: the noise grid moved a fraction `s` of the way. */
  function drawGenerator(t, view, s) {
    const ctx = t.ctx, m = view.manifold, side = view.manifoldSide, rgb = colours.fakeRgb;
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, THUMB, THUMB);
    if (!side) return;
    const ease = s < 1 ? 0.5 - 0.5 * Math.cos(Math.PI * s) : 1;
    const one = view.manifoldDim === 1;
    const at = (i, j) => {  // grid point (row i, column j) between noise and manifold
      const k = one ? j : i * side + j;
      const zx = j / (side - 1), zy = one ? 0.5 : i / (side - 1);
      return [((1 - ease) * zx + ease * m[2 * k]) * THUMB, (1 - ((1 - ease) * zy + ease * m[2 * k + 1])) * THUMB];
    };
    ctx.strokeStyle = `rgba(${rgb[0]},${rgb[1]},${rgb[2]},0.7)`; ctx.lineWidth = 0.8;
    ctx.beginPath();
    for (let i = 0; i < (one ? 1 : side); i++) {
      for (let j = 0; j < side; j++) { const [x, y] = at(i, j); j ? ctx.lineTo(x, y) : ctx.moveTo(x, y); }
      if (one) continue;
      for (let j = 0; j < side; j++) { const [x, y] = at(j, i); j ? ctx.lineTo(x, y) : ctx.moveTo(x, y); }
    }
    ctx.stroke();
  }
  function drawLoss(t) {
    const ctx = t.ctx, real = colours.realRgb, fake = colours.fakeRgb;
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, THUMB, THUMB);
    const values = [lossD, lossG], top = Math.max(1, ...values.filter(Number.isFinite).map(Math.abs));
    const negative = values.some((v) => v < 0), base = negative ? THUMB * 0.5 : THUMB - 14;
    const scale = (negative ? THUMB * 0.5 - 14 : THUMB - 22) / top;
    ctx.font = "11px system-ui, sans-serif"; ctx.textAlign = "center";
    values.forEach((v, i) => {
      const x = 16 + i * 44, rgb = i ? fake : real;
      ctx.fillStyle = `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;
      if (Number.isFinite(v)) ctx.fillRect(x, v >= 0 ? base - v * scale : base, 24, Math.abs(v) * scale);
      ctx.fillText(i ? "G" : "D", x + 12, THUMB - 2);
    });
    ctx.fillStyle = "#b9bfcc"; ctx.fillRect(8, base, THUMB - 16, 1);
  }

  /** The slow-motion sentence: {net, index, count, name} of the stage shown, or "off". */
  graph.stageText = function (shown) {
    const box = $("stage-text");
    if (shown === "off") { box.textContent = tr("gan.stage.off"); return; }
    box.textContent = tr("gan.stage.line", {
      who: tr(shown.net === "d" ? "gan.who.d" : "gan.who.g"),
      index: shown.index,
      count: shown.count,
      stage: tr(`gan.stage.name.${shown.name}`),
      text: tr(`gan.stage.${shown.net}.${shown.name}`),
    });
  };
  return graph;
}
