// Input detail: one colour channel of the image the network sees, in 0..1.

import { tr } from "../dom.js";
import { block, figure, num, row } from "./detail-parts.js";

/** Paint the channel in its tint: value 1 is the tint, 0 is black. */
function tinted(values, h, w, tint) {
  return (canvas) => {
    const image = new ImageData(w, h);
    for (let k = 0; k < h * w; k++) {
      const v = Math.max(0, Math.min(1, values[k]));
      for (let i = 0; i < 3; i++) image.data[4 * k + i] = Math.round(v * tint[i]);
      image.data[4 * k + 3] = 255;
    }
    canvas.width = w; canvas.height = h;
    canvas.getContext("2d").putImageData(image, 0, 0);
  };
}

export function render(d, ui) {
  const [h, w] = d.out_shape;
  const fout = figure({
    id: "det-out", values: d.output, h, w, caption: tr("cnn.detail.channel", { ch: d.channel }), display: 192,
    paint: tinted(d.output, h, w, d.tint),
  });
  fout.follow((y, x, v) => { ui.moveTo(y, x); ui.read("pixel", y, x, v); }, ui.resume);
  const map = block(null);
  map.append(row(fout.node));
  const slot = block(tr("cnn.detail.one_pixel"));

  function cell(r, c) {
    fout.window(r, c, 1, 1);
    const b = block(tr("cnn.cell.pixel", { r, c }));
    b.append(row(tr("cnn.cell.pixel_value"), num(d.output[r * w + c], "cell-value", true)));
    return [b];
  }

  return {
    title: tr("cnn.detail.title.input", { ch: d.channel }),
    text: tr("cnn.detail.text.input"),
    blocks: [map, slot],
    slot,
    cell,
  };
}
