// A Python code editor (CodeMirror 6: highlighting, Python indentation, line numbers,
// undo), loaded the first time one is needed. The CodeMirror files are PyScript's own
// bundles (node_modules/@pyscript/core/dist, pinned by sha256 in export/pins.json and
// shipped in vendor/pyscript/ with the rest of PyScript); they import each other by
// relative paths, so no import map is needed.
const VENDOR = new URL("../../vendor/pyscript/", import.meta.url);
const FILES = {
  setup: "codemirror-BL6UELQn.js",
  python: "codemirror_lang-python-B9xSeck3.js",
  state: "codemirror_state-BIAL8JKm.js",
  view: "codemirror_view-qh1qPB30.js",
};
let loading = null;

/** The CodeMirror modules, imported once: {EditorView, Decoration, basicSetup, python, StateField, StateEffect}. */
export function loadCodeMirror() {
  if (!loading) {
    const get = (name) => import(new URL(FILES[name], VENDOR).href);
    loading = Promise.all([get("setup"), get("python"), get("state"), get("view")]).then(
      ([setup, python, state, view]) => ({
        EditorView: setup.EditorView, basicSetup: setup.basicSetup, python: python.python,
        StateField: state.StateField, StateEffect: state.StateEffect, Decoration: view.t.Decoration,
      }));
  }
  return loading;
}

// The editor lives in an open shadow root of its host: there CodeMirror's styles go in
// constructed style sheets, which the page's Content-Security-Policy (no inline styles)
// allows, where a <style> element in the document would be refused.
const THEME = {
  "&": { maxHeight: "28rem", fontSize: "0.85rem", backgroundColor: "#fff" },
  ".cm-scroller": { overflow: "auto", fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
  ".cm-live-error": { backgroundColor: "rgba(220, 50, 47, 0.2)" },
  ".cm-live-current": { backgroundColor: "rgba(240, 165, 0, 0.35)" },
};

/** A new editor in `host` with `text`: {get(), set(text), mark(line, kind), destroy()};
 *  mark(line, "error" | "current") highlights one line (null: none), kind is a class suffix. */
export async function createEditor(host, text, onChange) {
  const cm = await loadCodeMirror();
  const root = host.shadowRoot || host.attachShadow({ mode: "open" });
  const mount = document.createElement("div");
  root.append(mount);
  const setMark = cm.StateEffect.define();
  const marks = cm.StateField.define({
    create: () => cm.Decoration.none,
    update(value, tr) {
      value = value.map(tr.changes);
      for (const effect of tr.effects) if (effect.is(setMark)) value = effect.value;
      return value;
    },
    provide: (field) => cm.EditorView.decorations.from(field),
  });
  const view = new cm.EditorView({
    doc: text,
    parent: mount,
    root,
    extensions: [cm.basicSetup, cm.python(), marks, cm.EditorView.theme(THEME),
      cm.EditorView.updateListener.of((update) => { if (update.docChanged && onChange) onChange(); })],
  });
  return {
    view,
    get: () => view.state.doc.toString(),
    set(value) { view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } }); },
    mark(line, kind) {
      let value = cm.Decoration.none;
      if (line && line >= 1 && line <= view.state.doc.lines) {
        const at = view.state.doc.line(line).from;
        value = cm.Decoration.set([cm.Decoration.line({ class: `cm-live-${kind}` }).range(at)]);
        view.dispatch({ effects: [setMark.of(value), cm.EditorView.scrollIntoView(at, { y: "nearest" })] });
        return;
      }
      view.dispatch({ effects: setMark.of(value) });
    },
    destroy() { view.destroy(); },
  };
}
