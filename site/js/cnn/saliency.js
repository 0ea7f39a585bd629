// "Why this class?": a map over the input image of how much each pixel matters to the
// logit of a class the user picks (the predicted one first), by one of two methods the
// page computes (window.glasslab.saliency(classIndex, method) -> {width, height, values},
// glasslab.cnn.saliency): "gradient" (the largest |d logit / d input| over the colour
// channels) or "gradcam" (Grad-CAM on the last ReLU before the last pooling). The map is
// shown normalised to its largest value, t = |value| / max, with opacity sqrt(t) (a
// display gamma, so weak but non-zero pixels still show) over the image in grey.

import { $, el, tr } from "../dom.js";
import { rgb } from "./colour.js";
import { handle } from "./link.js";

const why = { classes: [], probs: [], chosen: null, sticky: false, method: "gradient", pending: false };

/** Order the class menu by probability (the predicted class first) after a new image. */
export function update(classes, probs) {
  why.classes = Array.from(classes);
  why.probs = Array.from(probs);
  const order = why.classes.map((_, k) => k).sort((a, b) => why.probs[b] - why.probs[a]);
  const pick = $("why-class");
  pick.replaceChildren(...order.map((k) => el("option", { value: String(k) }, `${why.classes[k]} (${(100 * why.probs[k]).toFixed(1)}%)`)));
  // the predicted class, unless the user picked one (kept while the model has it)
  why.chosen = why.sticky && why.chosen !== null && why.chosen < why.classes.length ? why.chosen : order[0];
  pick.value = String(why.chosen);
  schedule();
}

function schedule() {
  if (why.pending || !$("why-on").checked) return;
  why.pending = true;
  setTimeout(() => { why.pending = false; draw(); }, 0);  // after the views are redrawn
}

async function draw() {
  const h = handle();
  const note = $("why-note");
  const preview = $("input-preview");
  const img = $("why-image");
  img.width = preview.width; img.height = preview.height;
  img.getContext("2d").drawImage(preview, 0, 0);
  if (!h || typeof h.saliency !== "function") { note.textContent = tr("cnn.why.unavailable"); return; }
  let map;
  try {
    map = await Promise.resolve(h.saliency(why.chosen, why.method));
  } catch (error) {
    note.textContent = String(error.message || error);
    return;
  }
  if (!map || !map.values) return;
  const { width, height } = map;
  const values = map.values;
  let max = 0;
  for (let i = 0; i < values.length; i++) if (Math.abs(values[i]) > max) max = Math.abs(values[i]);
  const over = $("why-overlay");
  over.width = width; over.height = height;
  over.dataset.max = String(max);
  over.dataset.method = why.method;
  over.dataset.classIndex = String(why.chosen);
  const image = new ImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const t = max > 0 ? Math.abs(values[i]) / max : 0;
    const [r, g, b] = rgb("probability", 0.35 + 0.65 * t, 0, 1);
    image.data[4 * i] = r; image.data[4 * i + 1] = g; image.data[4 * i + 2] = b;
    image.data[4 * i + 3] = Math.round(255 * Math.sqrt(t));
  }
  over.getContext("2d").putImageData(image, 0, 0);
  over.classList.toggle("smooth", width < preview.width);
  const name = why.classes[why.chosen];
  note.textContent = max > 0
    ? tr(`cnn.why.note.${why.method}`, { name, w: width, h: height })
    : tr("cnn.why.zero", { name });
  paintLegend();
}

function paintLegend() {
  const bar = $("why-legend");
  const image = new ImageData(bar.width, 1);
  for (let i = 0; i < bar.width; i++) {
    const t = i / (bar.width - 1);
    const [r, g, b] = rgb("probability", 0.35 + 0.65 * t, 0, 1);
    image.data[4 * i] = r; image.data[4 * i + 1] = g; image.data[4 * i + 2] = b; image.data[4 * i + 3] = Math.round(255 * Math.sqrt(t));
  }
  bar.getContext("2d").putImageData(image, 0, 0);
}

/** Show the map of class k by `method` (for the article's buttons and scripts). */
export function showClass(k, method = why.method) {
  $("why-on").checked = true;
  $("why").classList.add("on");
  why.chosen = k; why.sticky = true; why.method = method;
  $("why-class").value = String(k);
  for (const input of document.querySelectorAll('input[name="why-method"]')) input.checked = input.value === method;
  schedule();
}

document.addEventListener("DOMContentLoaded", () => {
  $("why-on").addEventListener("change", (e) => { $("why").classList.toggle("on", e.target.checked); schedule(); });
  $("why-class").addEventListener("change", (e) => { why.chosen = Number(e.target.value); why.sticky = true; schedule(); });
  for (const input of document.querySelectorAll('input[name="why-method"]'))
    input.addEventListener("change", () => { if (input.checked) { why.method = input.value; schedule(); } });
  $("why-opacity").addEventListener("input", (e) => { $("why-overlay").style.opacity = String(Number(e.target.value) / 100); });
});

window.addEventListener("glasslab:lang", () => { if (why.classes.length) update(why.classes, why.probs); });
