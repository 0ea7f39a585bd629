// GAN lab: the history scrubber under the charts ([data-history]). The lab keeps a
// snapshot at least every 100 iterations (glasslab.gan.history); this view lists them
// with window.glasslab.history(), shows the one under the thumb (its iteration, losses
// and divergences) and goes back to it on release with window.glasslab.seek(iteration).
// A range input: drag with mouse or finger, or the arrow keys, Page Up/Down, Home/End
// (each key press seeks). After a seek, rewound() redraws the charts from the history.
import { el, tr } from "./dom.js";

const REFRESH_MS = 1000;  // how often the list of snapshots is read while nothing is dragged

const fmt = (v, digits) => (v === null || v === undefined ? "—" : Number(v).toFixed(digits));

export function createHistory(charts) {
  const host = document.querySelector("[data-history]");
  let list = [], dragging = false, timer = null, shown = null;
  if (!host) return { rewound() {} };

  const title = el("h3", { class: "small", "data-i18n": "gan.history.title" }, tr("gan.history.title", {}, "Rewind"));
  const input = el("input", {
    type: "range", min: "0", max: "0", step: "1", value: "0", disabled: "",
    "data-i18n-attr": "aria-label:gan.history.label", "aria-label": tr("gan.history.label", {}, "Snapshot to go back to"),
    style: "width: 100%; display: block; touch-action: pan-y;",
  });
  const readout = el("p", { class: "small mono", "aria-live": "polite", "data-history-readout": "" });
  const hint = el("p", { class: "small muted", "data-i18n": "gan.history.hint" },
    tr("gan.history.hint", {}, "Drag or use the arrow keys; release to go back to that iteration."));
  host.append(title, input, readout, hint);

  function describe(entry) {
    if (!entry) return tr("gan.history.empty", {}, "Snapshots appear while the lab trains (one every 100 iterations).");
    return tr("gan.history.at", {
      iteration: entry.iteration.toLocaleString("en"), d: fmt(entry.d_loss, 4), g: fmt(entry.g_loss, 4),
      kl: fmt(entry.kl, 3), js: fmt(entry.js, 3),
    });
  }
  function show(index) {
    shown = list[index] || null;
    readout.textContent = describe(shown);
    input.setAttribute("aria-valuetext", shown ? String(shown.iteration) : "");
  }
  /** Read the snapshots again (or take `snapshots`); the thumb goes to the newest one at
   *  or before `iteration` (the lab's iteration when not given). */
  function refresh(iteration, snapshots) {
    const api = window.glasslab;
    if (dragging || !api || typeof api.history !== "function") return;
    try { list = snapshots || api.history() || []; } catch (error) { return; }
    input.max = String(Math.max(0, list.length - 1));
    input.disabled = list.length < 2;
    if (iteration === undefined) {
      try { iteration = api.state().iteration; } catch (error) { iteration = Infinity; }
    }
    let index = 0;
    list.forEach((entry, i) => { if (entry.iteration <= iteration) index = i; });
    input.value = String(index);
    show(index);
  }
  function seek() {
    dragging = false;
    const entry = list[Number(input.value)];
    if (!entry) return;
    Promise.resolve(window.glasslab.seek(entry.iteration)).catch(() => {});  // errors go to the message line
  }

  input.addEventListener("input", () => { dragging = true; show(Number(input.value)); });
  input.addEventListener("change", seek);  // release of a drag, or one key press
  input.addEventListener("pointerdown", () => refresh());
  input.addEventListener("focus", () => refresh());
  input.addEventListener("blur", () => { dragging = false; });
  window.addEventListener("glasslab:lang", () => { readout.textContent = describe(shown); });
  timer = setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MS);

  return {
    /** Python went to a snapshot: the charts show the history up to `iteration`. */
    rewound(snapshots, iteration) {
      charts.clear();
      for (const s of snapshots) if (s.iteration <= iteration) charts.push(s.iteration, s.d_loss, s.g_loss, s.kl, s.js);
      charts.draw();
      dragging = false;
      refresh(iteration, Array.from(snapshots));
    },
    stop() { clearInterval(timer); },
  };
}
