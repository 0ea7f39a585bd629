// Max-pooling detail: each output cell is the largest value of its window.

import { tr } from "../dom.js";
import { block, cellAt, figure, grid, num, row, windowOf } from "./detail-parts.js";

export function render(d, ui) {
  const [H, W] = d.shapes.input;
  const [ho, wo] = d.out_shape;
  const [kh, kw] = d.kernel_size;
  const g = d.geometry;
  const caption = (name) => `${name} · neuron ${d.channel}`;
  const fin = figure({ id: "det-in-0", values: d.input, h: H, w: W, limit: d.limit, caption: caption(d.input_name), display: 168 });
  const fout = figure({ id: "det-out", values: d.output, h: ho, w: wo, limit: d.limit, caption: caption(d.layer), display: 168 });
  fin.follow((y, x, v) => { ui.moveTo(...cellAt(y, x, g, d.out_shape)); ui.read("input", y, x, v); }, ui.resume);
  fout.follow((y, x, v) => { ui.moveTo(y, x); ui.read("output", y, x, v); }, ui.resume);
  const pair = block(tr("cnn.detail.before_after"));
  pair.append(row(fin.node, tr("cnn.detail.max_over", { kh, kw }), fout.node));
  const slot = block(tr("cnn.detail.one_cell"));

  function cell(r, c) {
    const top = r * g.sh - g.pt, left = c * g.sw - g.pl;
    fin.window(top, left, kh, kw);
    fout.window(r, c, 1, 1);
    const win = windowOf(d.input, H, W, 0, top, left, kh, kw, -Infinity);
    let best = 0;
    win.forEach((v, n) => { if (v > win[best]) best = n; });
    const b = block(tr("cnn.cell.pool", { r, c, ir: top, ic: left }), { cls: "mini" });
    b.append(grid(win, kh, kw, { prefix: "cell-win", lut: "activation", limit: d.limit, mark: [Math.floor(best / kw), best % kw] }));
    const result = block(null);
    result.append(row("max =", num(win[best], "cell-value", true)));
    return [b, result];
  }

  return {
    title: tr("cnn.detail.title.maxpool", { name: d.layer, ch: d.channel, kh, kw }),
    text: tr("cnn.detail.text.maxpool"),
    blocks: [pair, slot],
    slot,
    cell,
  };
}
