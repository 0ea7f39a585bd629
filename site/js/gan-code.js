// GAN lab: "Python running now" (#code): the real source of the training step,
// with the lines of the slow-motion stage shown marked.
import { $, el, tr } from "./dom.js";

export function createCode() {
  return {
    /** {fn: "GanLab.discriminator_step", stage: name or null, lines: [[text, marked], ...]} */
    show(code) {
      const pre = $("code");
      pre.textContent = "";
      for (const [line, marked] of code.lines) pre.appendChild(el("span", { class: marked ? "hl" : null }, line + "\n"));
      $("code-caption").textContent = code.stage
        ? tr("gan.code.caption.stage", { fn: code.fn, stage: tr(`gan.stage.name.${code.stage}`) })
        : tr("gan.code.caption", { fn: code.fn });
    },
  };
}
