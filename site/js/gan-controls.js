// GAN lab: the toolbar (play, steps, data, save / load), the hyperparameter panel and
// the layer switches. Every control calls the window.glasslab handle (play, step, reset,
// set) or the page object Python registered (toggle, pretrained, files, drawing);
// Python answers with show(), the settings in force as plain data.
import { $, el, tr } from "./dom.js";

const MAX_FILE = 5_000_000;  // bytes of a model file read at most
const controlOf = (name) => $(name === "dataset" ? "opt-dataset" : `hp-${name}`);

export function createControls(canvas) {
  const controls = {};
  let page = null;
  const handle = () => window.glasslab;
  const quietly = (call) => { try { call(); } catch (error) { /* the page shows the message */ } };

  /** Wire every control to `pg` (the page object); `setup`: {fields, lr_menu, layers}. */
  controls.bind = function (pg, setup) {
    page = pg;
    for (const select of document.querySelectorAll("select.lr")) {
      for (const value of setup.lr_menu) select.appendChild(el("option", { value: String(value) }, String(value)));
    }
    const on = (id, event, fn) => $(id).addEventListener(event, fn);
    on("btn-play", "click", () => page.toggle());
    on("btn-reset", "click", () => handle().reset());
    on("btn-step-d", "click", () => handle().step("d"));
    on("btn-step-g", "click", () => handle().step("g"));
    on("btn-step-both", "click", () => handle().step("both"));
    on("opt-slow", "change", (e) => quietly(() => handle().set({ slow_motion: e.target.checked })));
    on("opt-pretrained", "change", (e) => page.setPretrained(e.target.checked));
    on("btn-save", "click", () => page.save());
    on("file-load", "change", readFile);
    on("btn-draw-done", "click", () => page.finishDrawing());
    for (const name of setup.fields) {
      controlOf(name).addEventListener("change", (e) => quietly(() => handle().set({ [name]: e.target.value })));
    }
    for (const layer of setup.layers) {
      on(`layer-${layer}`, "change", (e) => { canvas.layers[layer] = e.target.checked; page.redraw(); });
    }
    document.addEventListener("keydown", onKey);
  };

  async function readFile(event) {
    const files = event.target.files;
    if (files.length) {
      const file = files.item(0);
      try {
        page.load(file.size > MAX_FILE ? null : await file.text());
      } catch (error) { console.error(error); }  // a model whose views cannot be computed
    }
    event.target.value = "";
  }

  function onKey(event) {
    const tag = event.target && event.target.tagName ? event.target.tagName.toLowerCase() : "";
    if (["input", "select", "textarea"].includes(tag) || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === " ") {
      if (tag === "button") return;  // a focused button handles its own space
      event.preventDefault();
      page.toggle();
    } else if (key === "d" || key === "g" || key === "s") {
      handle().step({ d: "d", g: "g", s: "both" }[key]);
    } else if (key === "r") {
      handle().reset();
    } else if (key === "escape") {
      page.cancelDrawing();
    }
  }

  /** The settings in force: {values: {setting: text}, pretrained, pretrained_available,
   *  playing, slow}. Learning rates not in the menu get an option of their own. */
  controls.show = function (state) {
    for (const [name, value] of Object.entries(state.values)) {
      const control = controlOf(name);
      if (control.tagName === "SELECT" && ![...control.options].some((o) => o.value === value)) {
        control.appendChild(el("option", { value }, value));
      }
      control.value = value;
    }
    const pretrained = $("opt-pretrained");
    pretrained.checked = state.pretrained;
    pretrained.disabled = !state.pretrained_available;
    $("opt-slow").checked = state.slow;
    const button = $("btn-play");
    button.textContent = tr(state.playing ? "gan.pause" : "gan.play");
    button.setAttribute("aria-label", tr(state.playing ? "gan.pause.aria" : "gan.play.aria"));
    button.setAttribute("aria-pressed", state.playing ? "true" : "false");
  };

  /** The iteration counter and, while training, the speed (numbers formatted by Python). */
  controls.counter = function (iteration, rate, fps) {
    $("iteration").textContent = iteration;
    $("speed").textContent = rate === null || rate === undefined ? "" : tr("gan.speed", { rate, fps });
  };

  controls.setLayer = function (layer, on) {
    $(`layer-${layer}`).checked = on;
    canvas.layers[layer] = on;
  };
  return controls;
}
