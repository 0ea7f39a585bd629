// GAN lab: "Python running now" (#code): the real source of the training step that runs
// (the student's when edited). In slow motion the step is a line trace: the lines of the
// part shown are marked, a numbered list of the step's parts marks the current one, the
// local variables after those lines are listed with their shapes and a few values, and
// a speed control and a "next" button (key N) pace the walk. The same lines are marked
// in the code editor when it shows that function (site/js/live/panel.js).
import { $, el, tr } from "./dom.js";

const PARTS = ["sample", "classify", "loss", "gradients", "update"];
let parts = null;

function live(name, ...args) {
  return window.glasslabLive ? window.glasslabLive.call(name, ...args) : undefined;
}

/** The walk's controls, made once under the code: parts list, locals, speed, next. */
function build() {
  const pre = $("code");
  const box = el("div", { class: "trace-box", hidden: "" });
  const list = el("ol", { class: "trace-parts small" });
  for (const name of PARTS) list.append(el("li", { "data-part": name }));
  const locals = el("dl", { class: "trace-locals small mono" });
  const speed = el("input", { type: "range", min: "0.1", max: "3", step: "0.1", value: "0.9" });
  const speedLabel = el("label", { class: "small trace-speed" });
  const speedText = el("span");
  speedLabel.append(speedText, speed);
  const next = el("button", { type: "button", class: "small-btn" });
  const row = el("div", { class: "trace-row" });
  row.append(speedLabel, next);
  box.append(list, locals, row);
  pre.after(box);
  speed.addEventListener("input", () => live("slowSeconds", Number(speed.value)));
  next.addEventListener("click", () => live("slowNext"));
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (box.hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.key === "n" || event.key === "N") { live("slowNext"); event.preventDefault(); }
  });
  parts = { box, list, locals, speedText, next };
  relabel();
  window.addEventListener("glasslab:lang", relabel);
}

function relabel() {
  parts.speedText.textContent = tr("gan.code.speed");
  parts.next.textContent = tr("gan.code.next");
  parts.next.title = tr("gan.code.next.title");
  for (const item of parts.list.children) item.textContent = tr(`gan.stage.name.${item.dataset.part}`);
}

function describe(info) {
  if (info.type === "array") {
    const values = info.values.join(", ") + (info.values.length < info.shape.reduce((a, b) => a * b, 1) ? ", …" : "");
    return `${info.dtype}[${info.shape.join(" × ")}] ${values}`;
  }
  if ("value" in info) return String(info.value);
  return info.type;
}

function showTrace(code) {
  const trace = code.stage ? code.trace : null;
  parts.box.hidden = !trace;
  if (!trace) return;
  for (const item of parts.list.children) item.classList.toggle("current", item.dataset.part === code.stage);
  parts.locals.textContent = "";
  for (const [name, info] of Object.entries(trace.locals || {})) {
    parts.locals.append(el("dt", {}, name), el("dd", {}, describe(info)));
  }
}

export function createCode() {
  return {
    /** {fn, stage: name or null, lines: [[text, marked], ...], trace: {fn, lines, locals} or null} */
    show(code) {
      if (!parts) build();
      const pre = $("code");
      pre.textContent = "";
      for (const [line, marked] of code.lines) pre.appendChild(el("span", { class: marked ? "hl" : null }, line + "\n"));
      $("code-caption").textContent = code.stage
        ? tr("gan.code.caption.stage", { fn: code.fn, stage: tr(`gan.stage.name.${code.stage}`) })
        : tr("gan.code.caption", { fn: code.fn });
      showTrace(code);
      if (window.glasslabLive) window.glasslabLive.trace(code.stage && code.trace ? code.trace : null);
    },
  };
}
