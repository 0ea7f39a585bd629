// GAN lab page: puts the views together as window.glasslabGanView (what Python's
// glasslab.web.gan_page talks to) and runs the frame loop: once per animation frame
// Python trains inside a time budget (or, while it plays, shows what the training worker
// of gan-worker.js trained), then writes the views and draws.
import { createCanvas } from "./gan-canvas.js";
import { createCharts } from "./gan-charts.js";
import { createCode } from "./gan-code.js";
import { createControls } from "./gan-controls.js";
import { createGraph } from "./gan-graph.js";
import { createHistory } from "./gan-history.js";
import { createCompare } from "./gan-compare.js";
import { createArticle } from "./gan-article.js";
import { showStill } from "./gan-still.js";
import { createTrainer } from "./gan-worker.js";

const canvas = createCanvas();
const graph = createGraph();
const controls = createControls(canvas);
canvas.afterDraw = () => graph.draw(canvas);
createArticle();
const frameTimes = new Float32Array(120);
let frameIndex = 0, lastFrame, tick = null;
// The main thread's time in each frame (the callbacks, then style, layout, paint and
// commit): a message posted at the end of the frame's callback arrives once all of that
// is done. Python sizes the next frame's training from it (glasslab.gan.pace.FrameBudget).
let busy = null, frameStart = 0;
const rendered = new MessageChannel();
rendered.port1.onmessage = () => { busy = performance.now() - frameStart; };

const charts = createCharts();
const rewind = createHistory(charts);
const compare = createCompare();
const view = {
  canvas,
  charts,
  compare,
  /** Python went to a snapshot: the charts keep the history up to `iteration`. */
  rewound: (snapshots, iteration) => rewind.rewound(snapshots, iteration),
  graph,
  code: createCode(),
  trainer: createTrainer(),  // the port to the training worker (glasslab.gan.handoff.Offload)
  controls: {
    show(state) {
      controls.show(state); graph.shapes(state);
      canvas.scoreKind = ["hinge", "wasserstein"].includes(state.values.loss) ? "critic" : "probability";
    },
    counter: controls.counter,
    setLayer: controls.setLayer,
  },
  /** Python is ready: `page` is its page object, `setup` {sizes, lr_menu, layers}. */
  start(page, setup) {
    canvas.allocate(setup.sizes);
    controls.bind(page, setup);
    compare.bind(setup);
    graph.bind();
    tick = page.tick;
  },
  /** Save a file the person asked for (a model as JSON). */
  download(name, text) {
    const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    const link = document.createElement("a");
    link.href = url; link.download = name;
    document.body.appendChild(link); link.click(); link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  },
  /** Frame statistics of the last 120 frames: {fps, mean_ms, p95_ms}. */
  frameStats() {
    const n = Math.min(frameIndex, frameTimes.length);
    if (n === 0) return { fps: 0, p95_ms: 0, mean_ms: 0 };
    const t = Array.from(frameTimes.slice(0, n)).sort((a, b) => a - b);
    const mean = t.reduce((a, b) => a + b, 0) / n;
    return { fps: 1000 / mean, mean_ms: mean, p95_ms: t[Math.min(n - 1, Math.floor(0.95 * n))] };
  },
};
window.glasslabGanView = view;
showStill(view);  // the first frame, drawn by the build, until Python draws it

function frame(now) {
  if (lastFrame !== undefined) { frameTimes[frameIndex % frameTimes.length] = now - lastFrame; frameIndex++; }
  const previous = lastFrame;
  lastFrame = now;
  if (tick) {
    // no message yet: the last frame kept the thread busy until now
    const last = busy ?? (previous === undefined ? null : now - previous);
    // measured from when this callback runs: a frame that began late (the last one ran
    // past a refresh) is not charged for the last one's overrun
    busy = null; frameStart = performance.now();
    try { tick(now, last); compare.draw(); } catch (error) { console.error(error); }
    rendered.port2.postMessage(0);
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
