// The input panel: sample buttons, upload / drop / paste, the image the network sees,
// its name and the prediction; decoding image files with the browser.

import { $, el, tr } from "../dom.js";
import { handle, link } from "./link.js";

const MAX_DECODE = 4096 * 4096;  // larger images are shrunk by the browser first

/** Decode image bytes: {width, height, pixels (RGBA Uint8ClampedArray)}. */
export async function decode(bytes) {
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
}

function sampleLabel(button) {
  return tr("cnn.sample.aria", { name: button.title, file: button.dataset.file }, button.title);
}

/** The sample buttons: samples = [{file, class}], `first` the files shown without "More
 *  samples"; `shown` an extra sample to show (the "More samples" box is then ticked). */
export function setSamples(samples, first, shown = null) {
  const box = $("samples");
  box.replaceChildren();
  for (const s of samples) {
    const button = el("button", { type: "button", class: first.includes(s.file) ? "sample" : "sample extra", title: s.class, "data-file": s.file });
    button.setAttribute("aria-label", sampleLabel(button));
    const img = el("img", { src: `samples/${s.file}`, alt: "", width: "44", height: "44" });
    button.append(img);
    button.addEventListener("click", () => handle().classify(`samples/${s.file}`));
    box.append(button);
  }
  if (shown && !first.includes(shown)) {
    $("opt-more").checked = true;
    box.classList.add("show-more");
  }
}

/** The preview canvas, sized to the model's input. */
export function preview(width, height) {
  const canvas = $("input-preview");
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  return canvas;
}

/** The image's name, the prediction and the selected sample. */
export function show({ image, label, p }) {
  $("image-name").textContent = image;
  $("prediction").textContent = `${label} (${(100 * p).toFixed(1)}%)`;
  for (const button of document.querySelectorAll("#samples .sample"))
    button.classList.toggle("selected", button.dataset.file === image);
}

export function readFile(file, kind) {
  if (!file || !link.page) return;
  file.arrayBuffer().then((buf) => link.page.file(kind, file.name, new Uint8Array(buf)));
}

document.addEventListener("DOMContentLoaded", () => {
  $("opt-more").addEventListener("change", (e) => $("samples").classList.toggle("show-more", e.target.checked));
  $("file-image").addEventListener("change", (e) => { readFile(e.target.files[0], "image"); e.target.value = ""; });
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
});

window.addEventListener("glasslab:lang", () => {
  for (const button of document.querySelectorAll("#samples .sample")) button.setAttribute("aria-label", sampleLabel(button));
});
