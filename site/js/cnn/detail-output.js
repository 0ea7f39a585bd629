// Output detail: class k's logit z_k = Σ_j v_j W[j, k] + b_k, and the softmax
// p_k = exp(z_k − max z) / Σ_j exp(z_j − max z) over all classes.

import { tr } from "../dom.js";
import { fmt } from "./colour.js";
import { block, figure, num, row, table } from "./detail-parts.js";

/** A feature vector as one image: its maps side by side with a 1-pixel gap (NaN, drawn
 *  transparent), or rows of 64 values when it has no map shape. */
function strip(values, maps) {
  if (maps) {
    const [h, w, c] = maps.shape;
    const width = c * (w + 1) - 1;
    const out = new Float32Array(h * width).fill(NaN);
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[y * width + ch * (w + 1) + x] = values[(ch * h + y) * w + x];
    return { values: out, h, w: width };
  }
  const width = 64, rows = Math.ceil(values.length / width);
  const out = new Float32Array(rows * width).fill(NaN);
  out.set(values);
  return { values: out, h: rows, w: width };
}

export function render(d) {
  const k = d.channel;
  const name = d.labels[k];
  const blocks = [];
  if (d.dense) {
    const features = block(tr("cnn.detail.features_weights", { name }), { note: tr("cnn.detail.features_note", { n: d.size }) });
    for (const [label, key, lut, id] of [
      [tr("cnn.detail.features"), "features", "activation", "det-v"],
      [tr("cnn.detail.weights_to", { name }), "weights", "weight", "det-w"],
      [tr("cnn.detail.products"), "products", "activation", "det-p"],
    ]) {
      const s = strip(d[key], d.maps);
      const f = figure({ id, ...s, lut, limit: d.limits[key], caption: label, scale: s.w <= 260 ? 3 : 1 });
      features.append(row(f.node));
    }
    const logit = block(tr("cnn.detail.logit"));
    logit.append(row(
      tr("cnn.detail.sum_products"), num(d.product_sum, "sm-sum"), tr("cnn.detail.plus_bias"),
      num(d.bias, "sm-bias"), "=", num(d.logit, "sm-logit", true),
    ));
    blocks.push(features, logit);
  }
  const z = d.logits;
  let lo = Infinity, hi = -Infinity;
  for (const v of z) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const rows = [];
  for (let j = 0; j < z.length; j++) {
    rows.push({
      cls: j === k ? "sel" : "",
      cells: [
        j < d.labels.length ? d.labels[j] : tr("cnn.detail.class", { j }),
        { value: z[j], id: `sm-logit-${j}`, lut: "probability", lo, hi },
        { value: d.exp[j], digits: 6, id: `sm-exp-${j}` },
        { value: d.probabilities[j], digits: 6, id: `sm-prob-${j}` },
      ],
    });
  }
  rows.push({ cls: "total", cells: [tr("cnn.detail.total"), "", { value: d.sum, digits: 6, id: "sm-exp-sum" }, fmt(1, 6)] });
  const softmax = block("Softmax", { note: tr("cnn.detail.softmax_note", { max: fmt(d.max) }) });
  softmax.append(table({
    head: [tr("cnn.detail.head.class"), "logit", "exp(logit − max)", tr("cnn.detail.head.probability")],
    rows, rowHeads: true, id: "softmax-table",
  }));
  blocks.push(softmax);
  return { title: tr("cnn.detail.title.output", { k, name }), text: tr("cnn.detail.text.output"), blocks };
}
