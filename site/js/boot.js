// Glasslab page bootstrap: the `window.glasslab` handle, the download progress
// bar and readable load errors. Loaded before PyScript; plain JS, no framework.
//
// window.glasslab
//   .ready      Promise: resolves when Python is loaded and the first frame is
//               drawn; rejects with the error message on failure. Mirrored on
//               <html> as data-ready="true" or data-error="...".
//   .state()    plain JSON-able object describing what the page shows.
//   Pages add their own calls (see README). A call that fails throws (or, for a call
//   that returns a Promise, rejects with) an Error whose message is the readable text
//   also shown on the page's message line: Python answers {__glasslab_error__: text}.
//
// Start-up watchdog: a start-up file that fails (HTTP error, aborted or cut short, a
// script that does not load) gives a message naming it and a Retry at once; a start that
// stalls gives one within 20 s. Stalled means waiting, not working. A heartbeat ticks
// every 250 ms; a tick that comes late means the main thread was busy (compiling wasm,
// unpacking NumPy, importing), so a slow or throttled CPU raises no false alarm:
// - a start-up request unanswered, or a start-up body waiting for its next bytes, for
//   10 s is named once the main thread has been idle for two ticks (so bytes that came
//   while it was busy have been read);
// - 10 s of on-time ticks with nothing arriving at all (no byte, no file; a late tick
//   starts the count again) names the files still awaited: scripts and PyScript's and
//   Pyodide's start-up modules (import(), not fetch) not arrived.
// If this script itself does not run, the page shell's static notice (#load-stalled,
// revealed by css/glasslab.css 15 s after it is parsed) says so with a plain Retry link;
// the shell puts it and the other loading blocks before the start-up scripts in <body>,
// so a script that stalls the parser cannot hide them.
(function () {
  "use strict";
  const root = document.documentElement;
  root.dataset.boot = "1";  // the static stalled notice of the shell stays hidden
  const started = performance.now();
  const STALL_MS = 10000;  // waiting this long (idle main thread, nothing arriving) is a stall
  const TICK_MS = 250;  // the heartbeat
  const LATE_MS = 500;  // a tick this late: the main thread was busy working, not waiting
  let quiet = 0;  // ms of on-time ticks with nothing arriving since the last progress
  let idleTicks = 0;  // on-time ticks in a row
  const progress = () => { quiet = 0; };
  const reading = new Map();  // start-up bodies waiting for their next bytes -> since when
  const awaiting = new Map();  // start-up files requested and not yet answered -> time asked
  const startupModules = [];  // PyScript's and Pyodide's modules (import(), not fetch)
  let settle;
  const ready = new Promise((resolve, reject) => { settle = { resolve, reject }; });
  ready.catch(() => {});  // failures are shown on the page; no unhandled-rejection noise

  // Visible texts come from the language catalogue (site/js/i18n.js, loaded next) when it
  // is there; the English here is the fallback for a page whose catalogue cannot load.
  function tr(key, params, english) {
    if (window.glasslabI18n) return window.glasslabI18n.t(key, params, english);
    return english.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
  }

  const api = {
    ready,
    state() {
      if (api._stateFn) return api._stateFn();  // a plain object (glasslab.web.bridge.to_js)
      return { page: root.dataset.page || "", ready: false, error: root.dataset.error || null };
    },
    // Called from Python (glasslab.web.bridge).
    _register(name, fn) {
      const call = (...args) => answer(fn(...args));
      if (name === "state") api._stateFn = call; else api[name] = call;
    },
    _markReady() {
      if (root.dataset.error) return;
      root.dataset.ready = "true";
      api.readyMs = Math.round(performance.now() - started);
      document.body.classList.add("is-ready");
      settle.resolve(true);
    },
    // The page's message line (the element with data-message): text only, never markup;
    // kind "error" or "info"; null text hides it.
    _message(text, kind) {
      const box = document.querySelector("[data-message]");
      if (!box) return;
      box.hidden = text == null;
      box.textContent = text == null ? "" : String(text);
      box.className = `message ${kind === "info" ? "info" : "error"}`;
    },
    _fail(message) {
      if (root.dataset.ready === "true" || root.dataset.error) return;
      root.dataset.error = message;
      showError(message);
      settle.reject(new Error(message));
    },
  };
  window.glasslab = api;

  // A Python call's answer: a failure marker becomes a thrown Error (or a rejection).
  function unwrap(result) {
    if (result && typeof result === "object" && "__glasslab_error__" in result) {
      throw new Error(String(result.__glasslab_error__));
    }
    return result;
  }
  function answer(result) {
    return result && typeof result.then === "function" ? Promise.resolve(result).then(unwrap) : unwrap(result);
  }

  function showError(message) {
    const box = document.getElementById("load-error");
    if (!box) {  // failed while <head> loads: show it once the body is there
      document.addEventListener("DOMContentLoaded", () => showError(message), { once: true });
      return;
    }
    box.hidden = false;
    box.querySelector(".load-error-text").textContent = message;  // text only, never markup
    const bar = document.getElementById("load-progress");
    if (bar) bar.hidden = true;
  }

  document.addEventListener("click", (event) => {
    if (event.target.closest("#load-retry")) location.reload();
  });

  // ---- download progress: count the bytes of the runtime files as they stream in
  const tracked = new Map();  // absolute URL -> expected bytes
  let received = 0;
  let expected = 0;
  const baseURL = new URL(".", document.currentScript ? document.currentScript.src : location.href);
  const siteRoot = new URL("..", baseURL);

  function paintProgress() {
    const bar = document.getElementById("load-progress");
    if (!bar || !expected) return;
    const fraction = Math.min(1, received / expected);
    bar.querySelector("progress").value = fraction;
    bar.querySelector(".load-bytes").textContent =
      `${(received / 1e6).toFixed(1)} / ${(expected / 1e6).toFixed(1)} MB`;
  }

  const runtimeFiles = (document.documentElement.dataset.runtime || "").split(/\s+/).filter(Boolean);
  const buildInfo = fetch(new URL("glasslab-build.json", siteRoot))
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null)
    .then((info) => {
      if (!info) return;
      api.build = { version: info.version, hash: info.hash };
      for (const [path, entry] of Object.entries(info.files)) {
        // modules (.js/.mjs) arrive through import, not fetch: only fetched files are counted
        if (runtimeFiles.some((pattern) => path.startsWith(pattern)) && !/\.m?js$/.test(path)) {
          tracked.set(new URL(path, siteRoot).href, entry.bytes);
          expected += entry.bytes;
        }
        if (/^vendor\/[^/]+\/(core|pyodide)[^/]*\.m?js$/.test(path)) startupModules.push(new URL(path, siteRoot).href);
      }
      paintProgress();
    });

  const nativeFetch = window.fetch.bind(window);
  const fileName = (url) => decodeURIComponent(new URL(url).pathname.split("/").pop() || url);
  const downloadFailed = (url, error) => tr("boot.error.download", { name: fileName(url), detail: (error && error.message) || error },
    "Could not download {name}: {detail}. Check the connection and retry.");
  // Files the page cannot start without: the runtime, PyScript's config, the page's Python.
  const startupFile = (url) => !root.dataset.ready && url.startsWith(siteRoot.href) &&
    /\/vendor\/|\/py\/[^/]*\.py$|pyscript\.json$/.test(url);
  window.fetch = async function (input, init) {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href).href;
    const startup = startupFile(url);
    let response;
    if (startup) { awaiting.set(url, performance.now()); progress(); }
    try {
      response = await nativeFetch(input, init);
    } catch (error) {
      awaiting.delete(url);
      if (startup) {
        api._fail(init && init.integrity
          ? tr("boot.error.integrity", { name: fileName(url) }, "{name} could not be loaded: it failed its sha256 integrity check or the download was interrupted. Retry; if it persists, the site's files are damaged and need a rebuild.")
          : downloadFailed(url, error));
      }
      throw error;
    }
    progress();
    awaiting.delete(url);
    if (!response.ok && startup) {
      api._fail(tr("boot.error.http", { name: fileName(url), status: response.status }, "Could not download {name} (HTTP {status})."));
    }
    if (!startup || !response.body) return response;
    const reader = response.body.getReader();
    const length = Number(response.headers.get("content-length")) || Infinity;
    let bytes = 0;
    let done = false;
    const complete = () => {
      if (done) return;
      done = true;
      const size = tracked.get(url);
      if (size !== undefined && bytes !== size) {  // cut short (or not this build's file)
        api._fail(tr("boot.error.short", { name: fileName(url), got: bytes, size },
          "{name} arrived incomplete ({got} of {size} bytes). Check the connection and retry."));
      }
    };
    const counted = new ReadableStream({
      async pull(controller) {
        let chunk;
        reading.set(url, performance.now());  // the page wants bytes: a wait here is the network's
        try {
          chunk = await reader.read();
        } catch (error) {  // cut short: the connection closed before the whole file came
          api._fail(downloadFailed(url, error));
          throw error;
        } finally {
          reading.delete(url);
        }
        progress();
        if (chunk.done) {
          complete();
          controller.close();
          return;
        }
        bytes += chunk.value.byteLength;
        if (bytes >= length) complete();
        if (tracked.has(url)) { received += chunk.value.byteLength; paintProgress(); }
        controller.enqueue(chunk.value);
      },
      cancel(reason) { done = true; return reader.cancel(reason); },
    });
    return new Response(counted, {
      status: response.status, statusText: response.statusText, headers: response.headers,
    });
  };
  api._buildInfo = buildInfo;
  // Bytes of the runtime received so far and expected in all (for tests and the progress bar).
  api.download = () => ({ received, expected });

  // ---- offline: once the page is ready, the service worker the build writes (sw.js)
  // keeps this build's files; relative URL and scope, so it works under a subpath
  if ("serviceWorker" in navigator && window.isSecureContext) {
    ready.then(() => navigator.serviceWorker.register(new URL("sw.js", siteRoot), { scope: siteRoot.href }))
      .catch(() => {});  // no sw.js (an unbuilt site/) or no storage: the page works online
  }

  // ---- watchdog (see the top of this file)
  const arrived = (url) => performance.getEntriesByName(url).length > 0;
  function awaited(now) {  // the files the start is waiting for: stalled requests, or all
    const inFlight = [...awaiting, ...reading];
    const stalled = inFlight.filter(([, since]) => now - since >= STALL_MS).map(([url]) => url);
    if (stalled.length || quiet < STALL_MS) return [...new Set(stalled)];
    if (inFlight.length) return [...new Set(inFlight.map(([url]) => url))];
    const scripts = [...document.scripts].map((script) => script.src).filter((src) => src && !arrived(src));
    return [...new Set([...scripts, ...startupModules.filter((url) => !arrived(url))])];
  }
  let lastTick = performance.now();
  const watchdog = setInterval(() => {
    if (root.dataset.ready || root.dataset.error) { clearInterval(watchdog); return; }
    const now = performance.now();
    const gap = now - lastTick;
    lastTick = now;
    if (gap > TICK_MS + LATE_MS) { idleTicks = 0; progress(); return; }  // busy working
    idleTicks += 1;
    quiet += gap;
    if (idleTicks < 2) return;
    const names = awaited(now).map(fileName);
    if (!names.length && quiet < STALL_MS) return;
    const seconds = Math.round(STALL_MS / 1000);
    api._fail(names.length
      ? tr("boot.error.stalled", { name: names.join(", "), seconds },
        "Loading stopped: nothing arrived for {seconds} s while downloading {name}. Check the connection and retry.")
      : tr("boot.error.stalled_start", { seconds },
        "Python has not started after {seconds} s without progress. Retry; if it persists, try another browser."));
  }, TICK_MS);
  if (typeof PerformanceObserver === "function") {  // any file arriving is progress
    try {
      new PerformanceObserver(progress).observe({ type: "resource", buffered: false });
    } catch (error) { /* resource timing unavailable: fetches still count */ }
  }

  // ---- errors before the page is ready become a readable message
  window.addEventListener("error", (event) => {  // capture: a <script> that fails to load
    const el = event.target;
    if (root.dataset.ready || !el || el.tagName !== "SCRIPT") return;
    const url = el.src || "";
    if (!url) return;
    // a module's imports that failed (an error status, or no answer at all) are named too
    const folder = url.slice(0, url.lastIndexOf("/") + 1);
    const failed = (module) => {
      const entry = performance.getEntriesByName(module)[0];
      return !entry || entry.responseStatus === 0 || entry.responseStatus >= 400;
    };
    const parts = failed(url) ? [] : startupModules.filter((module) => module.startsWith(folder) && failed(module));
    const name = parts.length ? `${fileName(url)} (${parts.map(fileName).join(", ")})` : fileName(url);
    api._fail(tr("boot.error.script", { name }, "Could not load {name}. Check the connection and retry."));
  }, true);
  window.addEventListener("error", (event) => {
    if (root.dataset.ready) return;
    const message = event.message || (event.error && event.error.message);
    if (message) api._fail(tr("boot.error.start", { detail: message }, "The page could not start: {detail}"));
  });
  window.addEventListener("unhandledrejection", (event) => {
    if (root.dataset.ready) return;
    const reason = event.reason;
    api._fail(tr("boot.error.start", { detail: (reason && reason.message) || reason }, "The page could not start: {detail}"));
  });
})();
