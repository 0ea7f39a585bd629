// Convolution detail: y = b + Σ_i x_i ⋆ k_i. Per input channel its map, kernel slice and
// correlation; their sum plus the bias; one output cell worked out from its windows.

import { el, tr } from "../dom.js";
import { block, cellAt, figure, grid, num, row, table, windowOf } from "./detail-parts.js";

export function render(d, ui) {
  const [cin, H, W] = d.shapes.input;
  const [, kh, kw] = d.shapes.kernel;
  const [ho, wo] = d.out_shape;
  const L = d.limits, g = d.geometry;
  let focusIn = 0;  // the input channel the cell view shows
  const ins = [], mids = [];
  const per = block(tr("cnn.detail.per_channel"), { cls: "channels" });
  per.append(el("p", { class: "annotation small" }, tr("cnn.note.own_kernel")));
  for (let i = 0; i < cin; i++) {
    const fin = figure({
      id: `det-in-${i}`, values: d.input.subarray(i * H * W, (i + 1) * H * W), h: H, w: W,
      limit: L.input, caption: tr("cnn.detail.channel_of", { name: d.input_name, i }), display: 84,
    });
    fin.follow((y, x, v) => { focusIn = i; ui.moveTo(...cellAt(y, x, g, d.out_shape)); ui.read("input", y, x, v); }, ui.resume);
    const fk = figure({
      id: `det-k-${i}`, values: d.kernel.subarray(i * kh * kw, (i + 1) * kh * kw), h: kh, w: kw,
      lut: "weight", limit: L.kernel, caption: tr("cnn.detail.kernel", { i }), display: 42,
    });
    const fm = figure({
      id: `det-mid-${i}`, values: d.maps.subarray(i * ho * wo, (i + 1) * ho * wo), h: ho, w: wo,
      limit: L.maps, caption: tr("cnn.detail.map", { i }), display: 84,
    });
    fm.follow((y, x, v) => { focusIn = i; ui.moveTo(y, x); ui.read("map", y, x, v); }, ui.resume);
    fk.follow((y, x, v) => ui.read("weight", y, x, v), () => {});
    ins.push(fin); mids.push(fm);
    per.append(row(fin.node, "⊛", fk.node, "=", fm.node));
  }
  const fout = figure({
    id: "det-out", values: d.output, h: ho, w: wo, limit: L.maps, display: 160,
    caption: tr("cnn.detail.neuron_of", { name: d.layer, ch: d.channel }),
  });
  fout.follow((y, x, v) => { ui.moveTo(y, x); ui.read("output", y, x, v); }, ui.resume);
  const sum = block(tr("cnn.detail.sum_bias"), { note: tr("cnn.note.sum_bias", { n: cin }), cls: "sum" });
  sum.append(row(tr("cnn.detail.sum_maps", { n: cin }), num(d.bias, "detail-bias"), "=", fout.node));
  const slot = block(tr("cnn.detail.one_output_cell"));

  function cell(r, c) {
    const top = r * g.sh - g.pt, left = c * g.sw - g.pl;
    ins.forEach((f) => f.window(top, left, kh, kw));
    mids.forEach((f) => f.window(r, c, 1, 1));
    fout.window(r, c, 1, 1);
    const i = Math.min(focusIn, cin - 1);
    const sums = [];
    let win = null, prod = null;
    for (let j = 0; j < cin; j++) {
      const wj = windowOf(d.input, H, W, j, top, left, kh, kw, 0);
      const kj = d.kernel.subarray(j * kh * kw, (j + 1) * kh * kw);
      const pj = wj.map((v, n) => v * kj[n]);
      sums.push(pj.reduce((a, b) => a + b, 0));
      if (j === i) { win = wj; prod = pj; }
    }
    const total = sums.reduce((a, b) => a + b, 0);
    const limP = prod.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
    const kern = d.kernel.subarray(i * kh * kw, (i + 1) * kh * kw);
    const mini = (title, values, opts) => {
      const b = block(title, { cls: "mini" });
      b.append(grid(values, kh, kw, opts));
      return b;
    };
    const channels = block(tr("cnn.cell.sum_channels"), { cls: "sums" });
    channels.append(table({
      rowHeads: true,
      rows: sums.map((s, j) => ({ cls: j === i ? "sel" : "", cells: [tr("cnn.detail.channel", { ch: j }), { value: s, id: `cell-ch-${j}` }] })),
    }));
    const result = block(null);
    result.append(row("Σ", num(total, "cell-sum"), tr("cnn.detail.plus_bias"), num(d.bias, "cell-bias"), "=", num(total + d.bias, "cell-value", true)));
    return [
      block(tr("cnn.cell.conv", { r, c, i }), { note: tr("cnn.cell.conv_note"), cls: "wide" }),
      mini(tr("cnn.cell.window"), win, { prefix: "cell-win", lut: "activation", limit: L.input }),
      mini(tr("cnn.cell.kernel"), kern, { prefix: "cell-k", lut: "weight", limit: L.kernel }),
      mini(tr("cnn.detail.products"), prod, { prefix: "cell-prod", lut: "activation", limit: limP }),
      channels,
      result,
    ];
  }

  return {
    title: tr("cnn.detail.title.conv", { name: d.layer, ch: d.channel }),
    text: tr("cnn.detail.text.conv"),
    blocks: [per, sum, slot],
    slot,
    cell,
  };
}
