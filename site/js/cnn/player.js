// Play / pause, step back and forward and a speed control for an animated view. The
// view says how many steps there are and what one step draws; the player owns the
// timer and the buttons (keyboard reachable, big enough for a finger).

import { el, tr } from "../dom.js";

const SPEEDS = [0.25, 0.5, 1, 2, 4];
const BASE_MS = 700;
const live = new Set();  // the players on the page, relabelled after a language switch

window.addEventListener("glasslab:lang", () => { for (const p of live) p.relabel(); });

/** A player of `count()` steps; `draw(i)` shows step i. Returns {node, play, pause,
 *  step(delta), at(i), playing(), index()}. */
export function player({ count, draw, speed = 1, name = "" }) {
  const state = { i: 0, timer: null, speed };
  const bar = el("div", { class: "player", role: "group", "aria-label": tr("cnn.player.label", { name }) });
  const back = el("button", { type: "button", class: "pl-back", "aria-label": tr("cnn.player.back"), title: tr("cnn.player.back") }, "▮◀");
  const play = el("button", { type: "button", class: "pl-play" });
  const fwd = el("button", { type: "button", class: "pl-fwd", "aria-label": tr("cnn.player.forward"), title: tr("cnn.player.forward") }, "▶▮");
  const pick = el("select", { class: "pl-speed", "aria-label": tr("cnn.player.speed") });
  for (const s of SPEEDS) pick.append(el("option", { value: String(s) }, `${s}×`));
  pick.value = String(speed);
  const label = el("label", { class: "pl-speed-label small" });
  label.append(el("span", {}, tr("cnn.player.speed")), pick);
  bar.append(back, play, fwd, label);

  function paintButton() {
    const on = state.timer !== null;
    play.textContent = on ? "▮▮" : "▶";
    play.setAttribute("aria-label", on ? tr("cnn.player.pause") : tr("cnn.player.play"));
    play.title = play.getAttribute("aria-label");
    play.setAttribute("aria-pressed", on ? "true" : "false");
    bar.dataset.playing = on ? "true" : "false";
  }
  function at(i) {
    const n = Math.max(1, count());
    state.i = ((i % n) + n) % n;
    bar.dataset.step = String(state.i);
    draw(state.i);
  }
  function pause() {
    if (state.timer !== null) clearInterval(state.timer);
    state.timer = null;
    paintButton();
  }
  function start() {
    pause();
    state.timer = setInterval(() => {
      if (!bar.isConnected) { pause(); return; }
      if (!document.hidden) at(state.i + 1);
    }, BASE_MS / state.speed);
    paintButton();
  }
  back.addEventListener("click", () => { pause(); at(state.i - 1); });
  fwd.addEventListener("click", () => { pause(); at(state.i + 1); });
  play.addEventListener("click", () => (state.timer !== null ? pause() : start()));
  pick.addEventListener("change", () => { state.speed = Number(pick.value); if (state.timer !== null) start(); });
  function relabel() {
    bar.setAttribute("aria-label", tr("cnn.player.label", { name }));
    for (const [b, key] of [[back, "cnn.player.back"], [fwd, "cnn.player.forward"]]) { b.setAttribute("aria-label", tr(key)); b.title = tr(key); }
    pick.setAttribute("aria-label", tr("cnn.player.speed"));
    label.firstChild.textContent = tr("cnn.player.speed");
    paintButton();
  }
  for (const p of live) if (!p.connected()) live.delete(p);  // views drawn again drop theirs
  live.add({ relabel, connected: () => bar.isConnected || state.timer !== null });
  paintButton();
  return {
    node: bar,
    play: start,
    pause,
    step(delta) { pause(); at(state.i + delta); },
    at(i) { state.i = i; bar.dataset.step = String(i); },  // where the view is (no redraw)
    show: at,
    playing: () => state.timer !== null,
    index: () => state.i,
  };
}
