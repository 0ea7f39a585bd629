// GAN lab before Python is ready: the controls wait (waiting.js) and the views draw the
// still of the first frame (stills/gan.json, made by the build with glasslab.gan: the
// default preset's pretrained model) with their own code: the distribution canvas and,
// after it, the graph's thumbnails; the first chart point; the counter; the code panel.
// Python's first frame then allocates the buffers again and draws over it in place.
import { drawn, pageStill, urlShowsDefault } from "./still.js";
import { hold } from "./waiting.js";

/** Show the still on the page's views (`view`: window.glasslabGanView). */
export async function showStill(view) {
  hold();
  const still = await pageStill();
  if (!still || !urlShowsDefault(["autoplay"], still.url)) return;
  const canvas = view.canvas;
  if (canvas.grid || document.documentElement.dataset.ready) return;  // Python got there first
  canvas.allocate(still.sizes);
  canvas.real.set(still.real); canvas.nReal = still.real.length / 2;
  canvas.fake.set(still.fake); canvas.nFake = still.fake.length / 2;
  canvas.grad.set(still.grad); canvas.gradRaw.set(still.grad_raw); canvas.noise.set(still.noise);
  canvas.manifold.set(still.manifold); canvas.manifoldDim = still.manifold_dim;
  if (still.manifold_alpha) canvas.manifoldAlpha.set(still.manifold_alpha);
  canvas.heat.set(still.heat.data);  // the buffer the heatmap's ImageData shares
  canvas.scoreKind = still.score_kind;
  view.graph.ran(...still.steps);
  view.charts.push(...still.chart);
  view.charts.draw();
  view.controls.counter(still.iteration, null, "0");
  const texts = () => {  // again once the catalogue is applied, and after a language switch
    if (document.documentElement.dataset.ready) return;
    view.graph.shapes(still.controls);
    view.charts.values(...still.values);
    view.graph.loss(still.values[0].slice(0, 5), still.values[1].slice(0, 5));
    view.code.show(still.code);
  };
  texts();
  window.addEventListener("glasslab:lang", texts);
  window.glasslab?.ready.then(() => window.removeEventListener("glasslab:lang", texts), () => {});
  canvas.draw();
  hold();  // the controls the views made just now (the code panel's)
  drawn("gan");
}
