// GAN lab: the layered distribution canvas (#gan-canvas) and its drawing pad.
// Python (glasslab.web.gan_frames) writes points, gradients, the heatmap and the
// manifold into the typed arrays below in bulk (TypedArray.assign) and calls draw();
// the buffer sizes come from Python (glasslab.gan.view.SIZES). Nothing here computes
// anything about the GAN. Purple (fake) and green (real) are the CSS custom properties
// --accent and --real of css/glasslab.css.
import { $, el, tr } from "./dom.js";
import { dragSurface, pressAndHold } from "./touch.js";

const SIZE = 400;  // canvas pixels (the unit square)
const GRAD = "#c2410c";  // gradient arrows (the .swatch.grad colour of css/gan.css)
const GRID_LINE = "#dfe3ea";
const MANIFOLD_LEVELS = 40;  // opacity steps of the manifold's cells (1/40 apart)

/** [r, g, b] of a CSS custom property holding a #rrggbb colour. */
export function cssRgb(name) {
  const hex = getComputedStyle(document.documentElement).getPropertyValue(name).trim().replace("#", "");
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
}
export const rgba = (rgb, alpha) => `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${alpha})`;

export function createCanvas() {
  const element = () => $("gan-canvas");
  const heatCanvas = document.createElement("canvas");
  let grid = 0, side = 0, fakeRgb = [0, 0, 0], realRgb = [0, 0, 0], heatImage = null;
  let manifoldLevel = new Uint8Array(0);  // each manifold cell's opacity level (drawManifold)
  const canvas = {
    grid: 0, manifoldSide: 0,
    noise: new Float32Array(0),  // the tracked fakes' noise vectors (1-D noise: z, 0.5)
    gradRaw: new Float32Array(0),  // dD/dx at each tracked fake (the arrows are these, compressed)
    scoreKind: "probability",  // "critic" for the hinge and Wasserstein losses (D's raw score)
    afterDraw: null,  // called after each draw (the graph's thumbnails)
    heatImage: null,  // ImageData over `heat`
    real: new Float32Array(0), nReal: 0,
    fake: new Float32Array(0), nFake: 0,
    grad: new Float32Array(0),
    heat: new Uint8ClampedArray(0),
    manifold: new Float32Array(0),
    manifoldAlpha: new Float32Array(0),
    manifoldDim: 2,
    layers: { heatmap: true, real: true, fake: true, gradients: true, manifold: false },
    drawingMode: false,  // the "draw your own" data set, unit-square coordinates
    drawing: new Float32Array(0), nDrawing: 0,
    showGrad: true,  // false while slow motion shows a training batch instead of the tracked fakes
  };

  canvas.allocate = function (sizes) {
    grid = sizes.grid; side = sizes.manifold;
    canvas.grid = grid; canvas.manifoldSide = side;
    canvas.noise = new Float32Array(sizes.tracked * 2);
    canvas.gradRaw = new Float32Array(sizes.tracked * 2);
    heatCanvas.width = grid; heatCanvas.height = grid;
    canvas.real = new Float32Array(sizes.points * 2);
    canvas.fake = new Float32Array(sizes.points * 2);
    canvas.grad = new Float32Array(sizes.points * 2);
    canvas.heat = new Uint8ClampedArray(grid * grid * 4);
    heatImage = new ImageData(canvas.heat, grid, grid);  // shares the buffer Python writes
    canvas.heatImage = heatImage;
    canvas.manifold = new Float32Array(side * side * 2);
    canvas.manifoldAlpha = new Float32Array((side - 1) * (side - 1));
    manifoldLevel = new Uint8Array((side - 1) * (side - 1));
    canvas.drawing = new Float32Array(sizes.drawing * 2);
    fakeRgb = cssRgb("--accent"); realRgb = cssRgb("--real");
  };

  const toCanvas = (x, y) => [x * SIZE, (1 - y) * SIZE];

  canvas.draw = function () {
    const ctx = element().getContext("2d");
    ctx.clearRect(0, 0, SIZE, SIZE);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, SIZE, SIZE);
    if (canvas.drawingMode) { drawDrawing(ctx); return; }
    if (canvas.layers.heatmap && grid) {
      heatCanvas.getContext("2d").putImageData(heatImage, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(heatCanvas, 0, 0, SIZE, SIZE);
    }
    if (canvas.layers.manifold) drawManifold(ctx);
    if (canvas.layers.real) drawReal(ctx);
    if (canvas.layers.gradients && canvas.showGrad) drawGradients(ctx);
    if (canvas.layers.fake) drawPoints(ctx, canvas.fake, canvas.nFake, rgba(fakeRgb, 1), 2.6);
    if (probe.on) drawCursor(ctx);
    if (canvas.afterDraw) canvas.afterDraw();
  };

  // The real points change only with the data (or a slow-motion batch): they are drawn
  // into a layer of their own when they change, and that layer is copied each frame.
  const realLayer = document.createElement("canvas");
  realLayer.width = realLayer.height = SIZE;
  let realShown = new Float32Array(0), realCount = -1;
  function drawReal(ctx) {
    const n = canvas.nReal, xy = canvas.real;
    let same = n === realCount;
    for (let i = 0; same && i < 2 * n; i++) same = xy[i] === realShown[i];
    if (!same) {
      const layer = realLayer.getContext("2d");
      layer.clearRect(0, 0, SIZE, SIZE);
      drawPoints(layer, xy, n, rgba(realRgb, 1), 2.2);
      if (realShown.length !== xy.length) realShown = new Float32Array(xy.length);
      realShown.set(xy.subarray(0, 2 * n)); realCount = n;
    }
    ctx.drawImage(realLayer, 0, 0);
  }
  function drawPoints(ctx, xy, n, colour, radius) {
    ctx.fillStyle = colour;
    ctx.strokeStyle = "rgba(255,255,255,0.85)";
    ctx.lineWidth = 0.8;
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const px = xy[2 * i] * SIZE, py = (1 - xy[2 * i + 1]) * SIZE;
      ctx.moveTo(px + radius, py);
      ctx.arc(px, py, radius, 0, 2 * Math.PI);
    }
    ctx.fill();
    ctx.stroke();
  }

  function drawGradients(ctx) {
    ctx.strokeStyle = GRAD;
    ctx.lineWidth = 1.2;
    ctx.beginPath();
    for (let i = 0; i < canvas.nFake; i++) {
      const x0 = canvas.fake[2 * i] * SIZE, y0 = (1 - canvas.fake[2 * i + 1]) * SIZE;
      const dx = canvas.grad[2 * i] * SIZE, dy = -canvas.grad[2 * i + 1] * SIZE;
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
    const m = canvas.manifold;
    if (canvas.manifoldDim === 1) {
      ctx.strokeStyle = rgba(fakeRgb, 0.8); ctx.lineWidth = 2;
      ctx.beginPath();
      for (let i = 0; i < side; i++) {
        const [px, py] = toCanvas(m[2 * i], m[2 * i + 1]);
        if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
      }
      ctx.stroke();
      return;
    }
    // Cells are filled in one path per opacity level (MANIFOLD_LEVELS of them), and the
    // grid lines are stroked as one path of rows and columns: a few dozen canvas calls
    // instead of 800. (Inner edges were stroked twice at 0.35; once at 0.58 looks the same.)
    const x = (k) => m[2 * k] * SIZE, y = (k) => (1 - m[2 * k + 1]) * SIZE;
    const cells = side - 1, level = manifoldLevel;
    for (let i = 0; i < cells * cells; i++) {
      level[i] = Math.round(Math.min(1, Math.max(0, canvas.manifoldAlpha[i])) * MANIFOLD_LEVELS);
    }
    for (let v = 1; v <= MANIFOLD_LEVELS; v++) {
      let any = false;
      for (let r = 0; r < cells; r++) {
        for (let c = 0; c < cells; c++) {
          if (level[r * cells + c] !== v) continue;
          if (!any) { ctx.beginPath(); any = true; }
          const a = r * side + c, b = a + 1, d = a + side + 1, e = a + side;
          ctx.moveTo(x(a), y(a)); ctx.lineTo(x(b), y(b)); ctx.lineTo(x(d), y(d)); ctx.lineTo(x(e), y(e)); ctx.closePath();
        }
      }
      if (any) { ctx.fillStyle = rgba(fakeRgb, (v / MANIFOLD_LEVELS).toFixed(3)); ctx.fill(); }
    }
    ctx.strokeStyle = rgba(fakeRgb, 0.58); ctx.lineWidth = 0.6;
    ctx.beginPath();
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) { const k = r * side + c; c ? ctx.lineTo(x(k), y(k)) : ctx.moveTo(x(k), y(k)); }
      for (let c = 0; c < side; c++) { const k = c * side + r; c ? ctx.lineTo(x(k), y(k)) : ctx.moveTo(x(k), y(k)); }
    }
    ctx.stroke();
  }

  function drawDrawing(ctx) {
    ctx.strokeStyle = GRID_LINE;
    for (let i = 1; i < 10; i++) {
      ctx.beginPath(); ctx.moveTo(i * SIZE / 10, 0); ctx.lineTo(i * SIZE / 10, SIZE);
      ctx.moveTo(0, i * SIZE / 10); ctx.lineTo(SIZE, i * SIZE / 10); ctx.stroke();
    }
    drawPoints(ctx, canvas.drawing, canvas.nDrawing, rgba(realRgb, 1), 3);
  }

  // ---- the drawing pad: mouse, pen and touch through pointer events
  canvas.startDrawing = function () {
    canvas.drawingMode = true;
    canvas.nDrawing = 0;
    element().style.touchAction = "none";  // every finger on the pad draws
    $("draw-hint").hidden = false;
    canvas.draw();
  };
  canvas.endDrawing = function () {
    canvas.drawingMode = false;
    element().style.touchAction = "manipulation";  // a swipe scrolls; press and hold reads values
    $("draw-hint").hidden = true;
  };
  canvas.clearDrawing = function () {
    canvas.nDrawing = 0;
    canvas.draw();
  };
  function pointerToUnit(event) {
    const rect = element().getBoundingClientRect();
    return [(event.clientX - rect.left) / rect.width, 1 - (event.clientY - rect.top) / rect.height];
  }
  let pressing = false;
  function addPoint(event) {
    if (!canvas.drawingMode) return;
    if (canvas.nDrawing * 2 >= canvas.drawing.length) {  // full: say so instead of dropping points silently
      window.glasslab._message(tr("gan.draw.full", { max: canvas.drawing.length / 2 }), "info");
      return;
    }
    const [x, y] = pointerToUnit(event);
    if (x < 0 || x > 1 || y < 0 || y > 1) return;
    const n = canvas.nDrawing;
    if (n > 0) {  // keep points a little apart while dragging
      const dx = canvas.drawing[2 * n - 2] - x, dy = canvas.drawing[2 * n - 1] - y;
      if (event.type === "pointermove" && dx * dx + dy * dy < 0.0002) return;
    }
    canvas.drawing[2 * n] = x; canvas.drawing[2 * n + 1] = y; canvas.nDrawing = n + 1;
    canvas.draw();
  }
  document.addEventListener("pointerdown", (e) => {
    if (e.target !== element() || !canvas.drawingMode) return;
    pressing = true; element().setPointerCapture(e.pointerId); addPoint(e); e.preventDefault();
  });
  document.addEventListener("pointermove", (e) => {  // every move of a fast stroke, also those of one frame
    if (pressing) for (const move of (e.getCoalescedEvents && e.getCoalescedEvents().length ? e.getCoalescedEvents() : [e])) addPoint(move);
  });
  document.addEventListener("pointerup", () => { pressing = false; });
  document.addEventListener("pointercancel", () => { pressing = false; });
  $("btn-draw-clear")?.addEventListener("click", () => canvas.clearDrawing());

  // ---- values under the pointer, a finger (press and hold) or the keyboard cursor
  const probe = { on: false, x: 0.5, y: 0.5, finger: false, pending: false };
  const tip = el("div", { class: "canvas-tip", id: "canvas-tip", role: "status", hidden: "" });
  element()?.parentElement.appendChild(tip);
  element()?.setAttribute("tabindex", "0");
  const near = (xy, n, x, y, radius) => {  // the closest point within `radius` (unit square), or -1
    let best = -1, bestD = radius * radius;
    for (let i = 0; i < n; i++) {
      const dx = xy[2 * i] - x, dy = xy[2 * i + 1] - y, d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = i; }
    }
    return best;
  };
  const f3 = (v) => (Number.isFinite(v) ? v.toFixed(3) : "—");
  /** The lines the tooltip shows at (x, y): coordinates, D there, the sample under it. */
  canvas.readout = function (x, y) {
    const lines = [tr("gan.probe.xy", { x: f3(x), y: f3(y) })];
    const handle = window.glasslab;
    const answer = handle && typeof handle.probe === "function" ? handle.probe(x, y) : null;
    if (answer && typeof answer.d === "number") {
      lines.push(tr(canvas.scoreKind === "critic" ? "gan.probe.critic" : "gan.probe.d", { d: f3(answer.d) }));
    }
    const radius = 7 / SIZE;
    const fake = canvas.layers.fake ? near(canvas.fake, canvas.nFake, x, y, radius) : -1;
    if (fake >= 0 && canvas.showGrad && fake * 2 < canvas.noise.length) {
      const z = canvas.manifoldDim === 1 ? f3(canvas.noise[2 * fake])
        : `${f3(canvas.noise[2 * fake])}, ${f3(canvas.noise[2 * fake + 1])}`;
      lines.push(tr("gan.probe.fake", { z, gx: f3(canvas.gradRaw[2 * fake]), gy: f3(canvas.gradRaw[2 * fake + 1]) }));
    } else if (fake >= 0) {
      lines.push(tr("gan.probe.fake_batch"));
    } else if (canvas.layers.real && near(canvas.real, canvas.nReal, x, y, radius) >= 0) {
      lines.push(tr("gan.probe.real"));
    }
    return lines;
  };
  function showProbe(x, y, finger = false) {
    probe.on = true; probe.finger = finger; probe.x = Math.min(1, Math.max(0, x)); probe.y = Math.min(1, Math.max(0, y));
    if (probe.pending) return;
    probe.pending = true;
    requestAnimationFrame(() => {  // at most one probe per frame
      probe.pending = false;
      if (!probe.on) return;
      tip.replaceChildren(...canvas.readout(probe.x, probe.y).map((line) => el("div", {}, line)));
      tip.hidden = false;
      placeTip();
      canvas.draw();
    });
  }
  /** Beside the point, on the side with room on screen (clamped to the screen when neither
   *  side has it); under a finger above the point, which the finger would hide. */
  function placeTip() {
    const wrap = tip.parentElement.getBoundingClientRect(), tw = tip.offsetWidth, th = tip.offsetHeight;
    const px = probe.x * wrap.width, py = (1 - probe.y) * wrap.height, room = document.documentElement.clientWidth;
    const gap = 12, fits = (x0) => wrap.left + x0 >= 4 && wrap.left + x0 + tw <= room - 4;
    let left = probe.x > 0.55;
    if (!fits(left ? px - gap - tw : px + gap) && fits(left ? px + gap : px - gap - tw)) left = !left;
    const x0 = Math.max(4 - wrap.left, Math.min(room - 4 - wrap.left - tw, left ? px - gap - tw : px + gap));
    const lift = probe.finger ? 36 : gap;  // clear of the fingertip
    const up = probe.finger ? wrap.top + py - lift - th >= 0 : probe.y < 0.35;
    tip.classList.toggle("left", left);
    tip.classList.toggle("up", up);
    tip.style.transform = "none";
    tip.style.left = `${x0}px`; tip.style.top = `${up ? py - lift - th : py + lift}px`;
  }
  function hideProbe() {
    if (!probe.on) return;
    probe.on = false; tip.hidden = true;
    canvas.draw();
  }
  function drawCursor(ctx) {
    const [px, py] = toCanvas(probe.x, probe.y);
    ctx.strokeStyle = "#1f2430"; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.arc(px, py, 7, 0, 2 * Math.PI);
    ctx.moveTo(px - 11, py); ctx.lineTo(px - 4, py); ctx.moveTo(px + 4, py); ctx.lineTo(px + 11, py);
    ctx.moveTo(px, py - 11); ctx.lineTo(px, py - 4); ctx.moveTo(px, py + 4); ctx.lineTo(px, py + 11);
    ctx.stroke();
  }
  const target = element();
  target?.addEventListener("pointermove", (e) => {  // mouse and pen; a finger: pressAndHold
    if (!canvas.drawingMode && e.pointerType !== "touch") showProbe(...pointerToUnit(e));
  });
  if (target) {
    target.style.touchAction = "manipulation";
    dragSurface(target);
    pressAndHold(target, {
      move: (point) => { if (!canvas.drawingMode) showProbe(...pointerToUnit(point), true); },
      end: hideProbe,
    });
  }
  for (const name of ["pointerleave", "pointercancel"]) target?.addEventListener(name, hideProbe);
  target?.addEventListener("focus", () => {  // keyboard focus only: a tap also focuses the canvas
    if (!canvas.drawingMode && target.matches(":focus-visible")) showProbe(0.5, 0.5);
  });
  target?.addEventListener("blur", hideProbe);
  target?.addEventListener("keydown", (e) => {
    const move = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
    if (!move || canvas.drawingMode) return;
    e.preventDefault();
    const step = e.shiftKey ? 0.1 : 0.02;
    if (!probe.on) { probe.x = 0.5; probe.y = 0.5; }  // the cursor starts in the middle
    showProbe(probe.x + step * move[0], probe.y + step * move[1]);
  });
  return canvas;
}
