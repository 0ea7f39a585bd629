// The article under the explainer: its "try it" buttons set the page up (a blurred
// image, an upside-down koala, your own kernel, the "why" map, a hot softmax). Images
// made here go through the page's upload path (link.page.file), as a dropped file would.

import { $ } from "../dom.js";
import { handle, link } from "./link.js";
import { setKernel } from "./playground.js";
import { showClass } from "./saliency.js";

function canvasBytes(canvas) {
  return new Promise((resolve, reject) => canvas.toBlob((blob) => {
    if (!blob) { reject(new Error("no image")); return; }
    blob.arrayBuffer().then((buf) => resolve(new Uint8Array(buf)), reject);
  }, "image/png"));
}

/** The image the network sees, blurred, classified as a new upload. */
async function blurred() {
  const src = $("input-preview");
  const canvas = document.createElement("canvas");
  canvas.width = src.width; canvas.height = src.height;
  const ctx = canvas.getContext("2d");
  ctx.filter = `blur(${Math.max(1, src.width / 40)}px)`;
  ctx.drawImage(src, 0, 0);
  const name = $("image-name").textContent.replace(/\.[a-z]+$/i, "");
  link.page.file("image", `${name}-blurred.png`, await canvasBytes(canvas));
}

/** A koala sample turned upside down. */
async function upsideDown() {
  const response = await fetch("samples/koala_1.jpeg");
  const bitmap = await createImageBitmap(await response.blob());
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width; canvas.height = bitmap.height;
  const ctx = canvas.getContext("2d");
  ctx.translate(canvas.width, canvas.height);
  ctx.rotate(Math.PI);
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  link.page.file("image", "koala_1-upside-down.png", await canvasBytes(canvas));
}

function ownKernel() {
  setKernel("edges");
  const box = $("kern-box");
  box.scrollIntoView({ block: "center" });
  $("kern-0-0").focus({ preventScroll: true });
}

function why() {
  const s = handle().state();
  showClass(s.top ?? 0, "gradcam");
  $("why").scrollIntoView({ block: "center" });
}

async function hotSoftmax() {
  const s = handle().state();
  await handle().openDetail(s.columns.length, s.top ?? 0);
  const slider = $("temperature");
  if (!slider) return;
  slider.value = String(slider.dataset.temperatures.split(",").indexOf("5"));  // T = 5
  slider.dispatchEvent(new Event("input"));
  slider.dispatchEvent(new Event("change"));
  slider.focus({ preventScroll: true });
}

const TRIES = { blur: blurred, koala: upsideDown, kernel: ownKernel, why, softmax: hotSoftmax };

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-article] [data-try]")) {
    button.addEventListener("click", (e) => {
      e.stopPropagation();  // not a click outside an open explanation
      const run = TRIES[button.dataset.try];
      if (run && link.page) Promise.resolve(run()).catch((error) => console.warn("Glasslab:", error));
    });
  }
});
