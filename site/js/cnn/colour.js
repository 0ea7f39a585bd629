// Colour lookup tables of the CNN views. Python hands them over once (glasslab.cnn.view.Lut:
// 257 RGBA entries sampled from the activation, weight and probability scales), so every
// map, table cell and legend here has exactly the colour its value has in the overview.

export const luts = { activation: null, weight: null, probability: null };

export function setLuts(tables) { Object.assign(luts, tables); }

/** Index of `value` shown on [vmin, vmax] in a table of `size` entries (as Lut.index). */
function index(value, vmin, vmax, size) {
  const span = vmax - vmin;
  let t = span > 0 ? (value - vmin) / span : 0.5;
  if (Number.isNaN(t)) t = 0.5;
  return Math.max(0, Math.min(size - 1, Math.round(t * (size - 1))));
}

/** [r, g, b] of `value` in table `name` on [vmin, vmax]. */
export function rgb(name, value, vmin, vmax) {
  const lut = luts[name];
  const i = 4 * index(value, vmin, vmax, lut.length / 4);
  return [lut[i], lut[i + 1], lut[i + 2]];
}

export function hex(name, value, vmin, vmax) {
  return "#" + rgb(name, value, vmin, vmax).map((v) => v.toString(16).padStart(2, "0")).join("");
}

/** White text on dark colours, the page's ink ("") on light ones (as Lut.text_colour). */
export function ink(name, value, vmin, vmax) {
  const [r, g, b] = rgb(name, value, vmin, vmax);
  return 0.299 * r + 0.587 * g + 0.114 * b < 120 ? "#ffffff" : "";
}

/** Paint `values` (h*w numbers, row-major) into `canvas`, coloured from table `name` on
 *  [-limit, limit]; NaN is transparent. */
export function paintMap(canvas, values, h, w, name, limit) {
  const lut = luts[name], size = lut.length / 4;
  const image = new ImageData(w, h);
  const px = image.data;
  for (let k = 0; k < h * w; k++) {
    const v = values[k];
    if (Number.isNaN(v)) continue;
    const i = 4 * index(v, -limit, limit, size);
    px[4 * k] = lut[i]; px[4 * k + 1] = lut[i + 1]; px[4 * k + 2] = lut[i + 2]; px[4 * k + 3] = lut[i + 3];
  }
  canvas.width = w; canvas.height = h;
  canvas.getContext("2d").putImageData(image, 0, 0);
}

/** A number as the page shows it: fixed decimals, no "-0.0000" (as glasslab.cnn.view.fmt). */
export function fmt(value, digits = 4) {
  let text = Number(value).toFixed(digits);
  if (text.startsWith("-") && Number(text) === 0) text = text.slice(1);
  return text;
}
