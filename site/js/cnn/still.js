// CNN explainer before Python is ready: the controls wait (../waiting.js) and the views
// draw the still of the first frame (stills/cnn.json, made by the build with glasslab.cnn:
// TinyVGG on the first sample) with their own code: the sample buttons, the overview's
// columns and class list, the legend, the input and model panels. When Python lays the
// overview out again for the same model, the columns keep the still's pictures until
// Python paints its own over them.
import { drawn, pageStill, paint, urlShowsDefault } from "../still.js";
import { hold } from "../waiting.js";
import { setLuts } from "./colour.js";
import * as overview from "./overview.js";

const ready = () => document.documentElement.dataset.ready;

/** Show the still on the views (`views`: window.glasslabCnnView). */
export async function showStill(views) {
  const area = document.getElementById("overview");
  hold(null, [area]);  // a click or key on the overview opens a detail view: Python's work
  const still = await pageStill();
  if (!still || !urlShowsDefault() || ready() || overview.columns().length) return;
  setLuts(still.luts);
  views.input.setSamples(still.samples.all, still.samples.first, still.samples.shown);
  overview.build(still.layout);
  still.columns.forEach((image, k) => paint(overview.canvas(k), image));
  const [h, w] = still.layout.columns[0].shape;
  paint(views.input.preview(w, h), still.preview);
  overview.setProbabilities(still.probabilities, still.top);
  views.input.show(still.label);
  overview.showFocus(still.focus);
  views.model.show(still.model);
  keepPictures(views, shapeOf(still.layout));
  hold(null, [area]);  // the sample buttons made just now
  drawn("cnn");
}

/** What decides the columns' pictures: each column's name and canvas size. */
const shapeOf = (layout) => JSON.stringify(layout.columns.map((c) => [c.name, c.width || c.tile, c.height]));

/** Python's first layout of the same model keeps the still's pictures in its columns. */
function keepPictures(views, layout) {
  const build = views.overview.build;
  views.overview.build = (next) => {
    views.overview.build = build;
    const same = !ready() && shapeOf(next) === layout;
    const kept = same ? overview.columns().map((_, k) => overview.canvas(k)) : [];
    build(next);
    kept.forEach((old, k) => overview.canvas(k).getContext("2d").drawImage(old, 0, 0));
  };
}
