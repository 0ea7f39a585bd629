// Live Python panels: "Edit the code" (the functions the page runs: Run, Restore, code
// that came with a link) and "Exercises" (a task, starter code, a hint, Check). Python
// (glasslab.web.live) calls start(page) with its page object; this module owns the markup
// of both panels ([data-live="code"], [data-live="exercises"]), registers the handle calls
// code, setCode, resetCode, shareLink, exercises, exercise, check, and loads the editor
// (./editor.js, CodeMirror) only when a panel is opened.
import { el, tr } from "../dom.js";
import { createEditor } from "./editor.js";

let py = null;           // Python's page object
const drafts = {};       // name -> the text in the editor for that function
let setup = null;
const code = { name: null, editor: null, ready: null, parts: {} };
const ex = { id: null, editor: null, ready: null, parts: {}, starter: {} };

function host(kind) { return document.querySelector(`[data-live="${kind}"]`); }

function say(node, text, kind) {
  node.textContent = text || "";
  node.dataset.kind = kind || "";
}

// ---------------------------------------------------------------- the code panel
function buildCode(box) {
  const body = box.querySelector("[data-live-body]");
  const p = code.parts;
  p.notice = el("div", { class: "live-notice", role: "status", hidden: "" });
  p.noticeText = el("p", {}, tr("live.link.notice"));
  p.runLink = el("button", { type: "button", "data-live-action": "run-link" }, tr("live.link.run"));
  p.notice.append(p.noticeText, p.runLink);
  p.select = el("select", { "aria-label": tr("live.code.function") });
  p.editor = el("div", { class: "live-editor", "data-live-editor": "code" });
  p.run = el("button", { type: "button", "data-live-action": "run" }, tr("live.code.run"));
  p.restore = el("button", { type: "button", "data-live-action": "restore" }, tr("live.code.restore"));
  p.status = el("p", { class: "live-status small", "aria-live": "polite" });
  const row = el("div", { class: "live-row" });
  row.append(p.select, p.run, p.restore);
  body.append(p.notice, row, p.editor, p.status);
  p.select.addEventListener("change", () => showFunction(p.select.value));
  p.run.addEventListener("click", () => runEdited());
  p.restore.addEventListener("click", () => restoreAll());
  p.runLink.addEventListener("click", () => runLinkCode());
  box.addEventListener("toggle", () => { if (box.open) openCode(); });
}

function fillSelect() {
  const p = code.parts, names = Object.keys(drafts);
  p.select.textContent = "";
  for (const name of names) p.select.append(el("option", { value: name }, name));
  if (!code.name || !names.includes(code.name)) code.name = names[0];
  p.select.value = code.name;
}

function openCode() {
  if (!code.ready) {
    code.ready = createEditor(code.parts.editor, drafts[code.name] || "", () => {
      drafts[code.name] = code.editor.get();
    }).then((editor) => { code.editor = editor; return editor; });
  }
  return code.ready;
}

async function showFunction(name) {
  code.name = name;
  code.parts.select.value = name;
  const editor = await openCode();
  if (editor.get() !== drafts[name]) editor.set(drafts[name]);
  drafts[name] = editor.get();
  editor.mark(null);
  code.marked = null;
}

function refreshDrafts(fresh) {
  for (const name of Object.keys(drafts)) if (!(name in fresh)) delete drafts[name];
  Object.assign(drafts, fresh);
  fillSelect();
  if (code.editor) showFunction(code.name);
}

function showResult(result, name) {
  const p = code.parts;
  if (result.ok) {
    say(p.status, tr("live.code.running", { name }), "ok");
    if (code.editor) code.editor.mark(null);
    code.marked = null;
    return;
  }
  say(p.status, tr("live.code.refused", { error: result.error, line: result.line ?? "?" }), "error");
  if (code.editor && (result.name || name) === code.name) { code.editor.mark(result.line, "error"); code.marked = "error"; }
}

async function runEdited() {
  const editor = await openCode();
  drafts[code.name] = editor.get();
  showResult(py.setCode(code.name, drafts[code.name]).valueOf(), code.name);
}

function restoreAll() {
  py.resetCode();
  refreshDrafts(py.code());
  say(code.parts.status, tr("live.code.restored"), "ok");
  showNotice();
}

function showNotice() {
  const state = py.state();
  code.parts.notice.hidden = state.code_from_link !== "pending";
}

function runLinkCode() {
  const result = py.runLinkCode();
  showNotice();
  showResult(result, code.name);
  return result;
}

// ---------------------------------------------------------------- the exercises panel
function buildExercises(box) {
  const body = box.querySelector("[data-live-body]");
  const p = ex.parts;
  p.select = el("select", { "aria-label": tr("live.ex.choose") });
  p.title = el("h3", { class: "live-ex-title" });
  p.task = el("p", { class: "live-ex-task" });
  p.hintBox = el("details", { class: "live-hint" });
  p.hintSummary = el("summary", {}, tr("live.ex.hint"));
  p.hint = el("p", { class: "small" });
  p.hintBox.append(p.hintSummary, p.hint);
  p.editor = el("div", { class: "live-editor", "data-live-editor": "exercise" });
  p.check = el("button", { type: "button", "data-live-action": "check" }, tr("live.ex.check"));
  p.reset = el("button", { type: "button", "data-live-action": "starter" }, tr("live.ex.starter"));
  p.result = el("p", { class: "live-status small", "aria-live": "polite" });
  const row = el("div", { class: "live-row" });
  row.append(p.check, p.reset);
  body.append(p.select, p.title, p.task, p.hintBox, p.editor, row, p.result);
  for (const id of setup.exercises) p.select.append(el("option", { value: id }, tr(`live.ex.${id}.title`)));
  p.select.addEventListener("change", () => openExercise(p.select.value));
  p.check.addEventListener("click", () => check());
  p.reset.addEventListener("click", () => { if (ex.editor) ex.editor.set(ex.starter[ex.id]); });
  box.addEventListener("toggle", () => { if (box.open && !ex.id) openExercise(setup.exercises[0]); });
}

function exerciseTexts() {
  const p = ex.parts;
  if (!ex.id) return;
  p.title.textContent = tr(`live.ex.${ex.id}.title`);
  p.task.textContent = tr(`live.ex.${ex.id}.task`);
  p.hint.textContent = tr(`live.ex.${ex.id}.hint`);
}

async function openExercise(id) {
  const opened = py.openExercise(id);  // throws for an unknown id
  const box = host("exercises");
  ex.id = id;
  ex.starter[id] = opened.starter;
  ex.parts.select.value = id;
  exerciseTexts();
  say(ex.parts.result, "");
  if (box && !box.open) box.open = true;
  if (!ex.ready) {
    ex.ready = createEditor(ex.parts.editor, opened.starter).then((editor) => { ex.editor = editor; return editor; });
  }
  const editor = await ex.ready;
  editor.set(opened.starter);
  editor.mark(null);
  return { id, function: opened.function };
}

function checkMessage(r) {
  if (r.passed) return tr("live.check.passed", { trials: r.trials });
  if (r.reason === "value") {
    return tr("live.check.value", {
      trial: r.trial, index: r.index + 1, position: `[${(r.position || []).join(", ")}]`,
      got: r.got, expected: r.expected,
    });
  }
  if (r.reason === "code") return tr("live.check.code", { detail: r.detail, line: r.line ?? "?" });
  return tr("live.check.shape", { trial: r.trial ?? 1, detail: r.detail });
}

async function check(source) {
  if (!ex.id) await openExercise(setup.exercises[0]);
  const editor = await ex.ready;
  if (typeof source === "string") editor.set(source);
  const r = py.check(editor.get());
  const message = checkMessage(r);
  say(ex.parts.result, message, r.passed ? "ok" : "error");
  editor.mark(r.reason === "code" ? r.line : null, "error");
  return { passed: !!r.passed, message };
}

// ---------------------------------------------------------------- start, handle
function relabel() {
  const c = code.parts, e = ex.parts;
  if (c.run) {
    c.noticeText.textContent = tr("live.link.notice");
    c.runLink.textContent = tr("live.link.run");
    c.run.textContent = tr("live.code.run");
    c.restore.textContent = tr("live.code.restore");
    c.select.setAttribute("aria-label", tr("live.code.function"));
  }
  if (e.check) {
    e.hintSummary.textContent = tr("live.ex.hint");
    e.check.textContent = tr("live.ex.check");
    e.reset.textContent = tr("live.ex.starter");
    e.select.setAttribute("aria-label", tr("live.ex.choose"));
    for (const option of e.select.options) option.textContent = tr(`live.ex.${option.value}.title`);
    exerciseTexts();
  }
}

function register() {
  const api = window.glasslab;
  api._register("code", () => py.code());
  api._register("setCode", async (name, source) => {
    const result = py.setCode(String(name), String(source));
    if (result.ok) { drafts[name] = String(source); if (code.editor && code.name === name) code.editor.set(drafts[name]); }
    showResult(result, String(name));
    showNotice();
    return result;
  });
  api._register("resetCode", async () => { restoreAll(); return { ok: true }; });
  api._register("runLinkCode", async () => runLinkCode());
  api._register("shareLink", () => api.shareLinks().link);
  api._register("exercises", () => [...setup.exercises]);
  api._register("exercise", (id) => openExercise(String(id)));
  api._register("check", (source) => check(source));
}

window.glasslabLive = {
  start(page) {
    py = page;
    setup = py.setup();
    Object.assign(drafts, setup.code, setup.link_code || {});
    const codeBox = host("code"), exBox = host("exercises");
    if (codeBox) { buildCode(codeBox); fillSelect(); }
    if (exBox) buildExercises(exBox);
    register();
    if (codeBox) {
      showNotice();
      if (setup.link_problem) say(code.parts.status, tr("live.link.unreadable", { detail: setup.link_problem }), "error");
      if (setup.link_code) { codeBox.open = true; code.name = Object.keys(setup.link_code)[0]; fillSelect(); openCode(); }
    }
    if (setup.exercise && exBox) openExercise(setup.exercise);
    window.addEventListener("glasslab:lang", relabel);
  },
  /** A call of Python's page object by name (slow motion's speed and step key). */
  call(name, ...args) { return py && py[name] ? py[name](...args) : undefined; },
  /** Slow motion shows these traced lines ({fn, lines, locals}) or none (null). */
  trace(trace) {
    if (!code.editor || code.marked === "error") return;
    if (trace && trace.fn !== code.name && trace.fn in drafts) {
      // follow the walk to the traced function, unless the student has unrun edits here
      const running = py.code();
      if (drafts[code.name] !== running[code.name]) return;
      showFunction(trace.fn).then(() => window.glasslabLive.trace(trace));
      return;
    }
    const line = trace && trace.fn === code.name && trace.lines.length ? trace.lines[trace.lines.length - 1] : null;
    code.editor.mark(line, "current");
    code.marked = line ? "current" : null;
  },
  /** An edited function failed while the page ran it: {name, line, error}. */
  failed(info) {
    if (!code.parts.status) return;
    say(code.parts.status, tr("live.code.failed", { name: info.name, line: info.line ?? "?", error: info.error }), "error");
    if (info.name in drafts) {
      const box = host("code");
      if (box && !box.open) box.open = true;
      const text = drafts[info.name];
      showFunction(info.name).then(() => { if (code.editor.get() !== text) code.editor.set(text); drafts[info.name] = text; code.editor.mark(info.line, "error"); code.marked = "error"; });
    }
  },
};
