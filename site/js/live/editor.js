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

/** A new editor in `host` with `text`: {get(), set(text), mark(line, kind), destroy()};
 *  mark(line, "error" | "current") highlights one line (null: none), kind is a class suffix. */
export async function createEditor(host, text, onChange) {
  const cm = await loadCodeMirror();
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
    parent: host,
    extensions: [cm.basicSetup, cm.python(), marks,
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
