// The landing page's view: the hero canvas Python paints and the runtime status line.
// Python (glasslab.web.index_page) asks this object for what it draws on. Until it does,
// the canvas shows the same picture made by the build with the same code (stills/index.json,
// export/stills.py), so the page is complete at once; its links, language menu and
// Share / Embed never wait for Python.
import { $ } from "./dom.js";
import { drawn, pageStill, paint } from "./still.js";

const view = {
  /** The canvas of the hero figure (NumPy paints it in one bulk copy). */
  canvas: () => $("hero-canvas"),
  /** Show the runtime's versions in the status line (text only). */
  showStatus(text) {
    view.painted = true;
    $("runtime-status").textContent = String(text);
  },
  painted: false,  // Python has painted the canvas (the still must not cover it)
};

window.glasslabIndexView = view;

pageStill().then((still) => {
  if (!still || view.painted || document.documentElement.dataset.ready) return;
  paint(view.canvas(), still.hero);
  drawn("index");
});
