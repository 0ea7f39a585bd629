// ReLU detail: y = max(0, x), cell by cell, before and after.

import { tr } from "../dom.js";
import { block, cellAt, figure, num, row } from "./detail-parts.js";

export function render(d, ui) {
  const [h, w] = d.out_shape;
  const caption = (name) => `${name} · neuron ${d.channel}`;
  const fin = figure({ id: "det-in-0", values: d.input, h, w, limit: d.limit, caption: caption(d.input_name), display: 168 });
  const fout = figure({ id: "det-out", values: d.output, h, w, limit: d.limit, caption: caption(d.layer), display: 168 });
  fin.follow((y, x, v) => { ui.moveTo(...cellAt(y, x, d.geometry, d.out_shape)); ui.read("input", y, x, v); }, ui.resume);
  fout.follow((y, x, v) => { ui.moveTo(y, x); ui.read("output", y, x, v); }, ui.resume);
  const pair = block(tr("cnn.detail.before_after"));
  pair.append(row(fin.node, "max(0, x) →", fout.node));
  const slot = block(tr("cnn.detail.one_cell"));

  function cell(r, c) {
    fin.window(r, c, 1, 1);
    fout.window(r, c, 1, 1);
    const x = d.input[r * w + c];
    const b = block(tr("cnn.cell.at", { r, c }));
    b.append(row("max(0,", num(x, "cell-input"), ") =", num(Math.max(0, x), "cell-value", true)));
    return [b];
  }

  return {
    title: tr("cnn.detail.title.relu", { name: d.layer, ch: d.channel }),
    text: tr("cnn.detail.text.relu"),
    blocks: [pair, slot],
    slot,
    cell,
  };
}
