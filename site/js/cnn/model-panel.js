// The model panel: which model runs, its summary, the NumPy vs ONNX Runtime Web check,
// loading a model or class names, going back to TinyVGG.

import { $, tr } from "../dom.js";
import { readFile } from "./input.js";
import { link } from "./link.js";

const shown = { summary: null, ort: null };

/** model = {name, summary: {h, w, c, layers, convs, params, classes}, labels}. */
export function show(model) {
  $("model-name").textContent = model.name;
  $("model-title").textContent = model.name;
  shown.summary = model.summary;
  $("model-summary").textContent = tr("cnn.model.summary", model.summary);
  setLabels(model.labels.join("\n"));
}

export function setLabels(text) { $("labels-text").value = text; }

/** The ONNX Runtime check: {key, params} of the catalogue text to show. */
export function ort(status) {
  shown.ort = status;
  $("ort-diff").textContent = tr(status.key, status.params || {});
}

document.addEventListener("DOMContentLoaded", () => {
  $("file-model").addEventListener("change", (e) => { readFile(e.target.files[0], "model"); e.target.value = ""; });
  $("file-labels").addEventListener("change", (e) => { readFile(e.target.files[0], "labels"); e.target.value = ""; });
  $("btn-tinyvgg").addEventListener("click", () => link.page && link.page.defaultModel());
  $("btn-labels").addEventListener("click", () => link.page && link.page.labels($("labels-text").value));
});

window.addEventListener("glasslab:lang", () => {
  if (shown.summary) $("model-summary").textContent = tr("cnn.model.summary", shown.summary);
  if (shown.ort) ort(shown.ort);
});
