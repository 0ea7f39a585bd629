// A finger does what the mouse does. A mouse hovers; a finger cannot, so press and hold
// is the finger's hover: HOLD_MS without moving more than SLOP pixels, and from then on
// the element follows that finger and the page does not scroll under it (its touchmove is
// cancelled), until the finger lifts. A quick swipe still scrolls the page (the element's
// touch-action lets it), and a tap stays a tap (a click), except right after a hold.
// Mouse and pen keep their own pointer events; only touch pointers are handled here.

export const HOLD_MS = 400;
const SLOP = 10;  // CSS pixels a finger may drift while holding

/** Hover by touch on `target`: after a hold, `move(point)` with {clientX, clientY,
 *  currentTarget} for the press and every move of that finger, `end()` when it lifts or
 *  the browser takes the gesture. `onPress(point)`: at once on the touch's pointerdown
 *  (a tap's value); `accept(event)`: whether a touch there is held at all. Returns {held()}. */
export function pressAndHold(target, { move, end = () => {}, onPress = null, accept = () => true, hold = HOLD_MS }) {
  const finger = { id: null, timer: null, held: false, x: 0, y: 0, at: null, eatClick: false };
  const point = (e) => ({ clientX: e.clientX, clientY: e.clientY, currentTarget: target, pointerType: "touch" });
  function reset() {
    clearTimeout(finger.timer);
    finger.id = null; finger.timer = null; finger.held = false;
  }
  target.addEventListener("pointerdown", (e) => {
    if (e.pointerType !== "touch" || finger.id !== null || !accept(e)) return;
    finger.id = e.pointerId; finger.x = e.clientX; finger.y = e.clientY; finger.at = point(e);
    finger.eatClick = false;
    if (onPress) onPress(finger.at);
    finger.timer = setTimeout(() => { finger.timer = null; finger.held = true; move(finger.at); }, hold);
  });
  target.addEventListener("pointermove", (e) => {
    if (e.pointerId !== finger.id) return;
    finger.at = point(e);
    if (finger.held) move(finger.at);
    else if (Math.hypot(e.clientX - finger.x, e.clientY - finger.y) > SLOP) reset();  // a swipe
  });
  const lift = (e) => {
    if (e.pointerId !== finger.id) return;
    const held = finger.held;
    reset();
    if (held) { finger.eatClick = true; setTimeout(() => { finger.eatClick = false; }, 600); end(); }
  };
  target.addEventListener("pointerup", lift);
  target.addEventListener("pointercancel", lift);
  // while held the finger's moves are the element's, not a scroll of the page
  target.addEventListener("touchmove", (e) => { if (finger.held && e.cancelable) e.preventDefault(); }, { passive: false });
  target.addEventListener("contextmenu", (e) => { if (finger.id !== null || finger.eatClick) e.preventDefault(); });
  target.addEventListener("click", (e) => {  // lifting after a hold is no tap
    if (!finger.eatClick) return;
    finger.eatClick = false;
    e.preventDefault(); e.stopImmediatePropagation();
  }, true);
  return { held: () => finger.held };
}

/** No long-press menu on a surface (a canvas) a finger draws or drags on; a right click
 *  still opens the browser's menu. */
export function dragSurface(node) {
  node.addEventListener("contextmenu", (e) => { if (e.pointerType === "touch") e.preventDefault(); });
}
