// The landing page's view: the hero canvas Python paints and the runtime status line.
// Python (glasslab.web.index_page) asks this object for what it draws on.
import { $ } from "./dom.js";

const view = {
  /** The canvas of the hero figure (NumPy paints it in one bulk copy). */
  canvas: () => $("hero-canvas"),
  /** Show the runtime's versions in the status line (text only). */
  showStatus(text) {
    $("runtime-status").textContent = String(text);
  },
};

window.glasslabIndexView = view;
