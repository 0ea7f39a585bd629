// The CNN explainer's views, one module each, and the object Python talks to:
// window.glasslabCnnView = {connect(page), setLuts, input, overview, detail, saliency,
// model, playground, ort}; the article's buttons (article.js) set the page up. Python
// (glasslab.web.cnn_page) calls the views with plain data and typed arrays; the views
// call back through the page object it connects.

import { setLuts } from "./colour.js";
import "./article.js";
import * as detail from "./detail.js";
import * as input from "./input.js";
import { link } from "./link.js";
import * as model from "./model-panel.js";
import * as ort from "./ort.js";
import * as overview from "./overview.js";
import * as playground from "./playground.js";
import * as saliency from "./saliency.js";
import { showStill } from "./still.js";

window.glasslabCnnView = {
  connect(page) { link.page = page; },
  setLuts,
  setFocus: overview.setFocus,
  input,
  overview: {
    ...overview,
    setProbabilities(probs, top) {  // a new image: the class list, and the "why" map
      overview.setProbabilities(probs, top);
      saliency.update(overview.classes(), probs);
      playground.refresh();
    },
  },
  detail,
  saliency,
  model,
  playground,
  ort,
};
showStill(window.glasslabCnnView);  // the first frame, drawn by the build, until Python draws it
