// Glasslab page bootstrap: the `window.glasslab` handle, the download progress
// bar and readable load errors. Loaded before PyScript; plain JS, no framework.
//
// window.glasslab
//   .ready      Promise: resolves when Python is loaded and the first frame is
//               drawn; rejects with the error message on failure. Mirrored on
//               <html> as data-ready="true" or data-error="...".
//   .state()    plain JSON-able object describing what the page shows.
//   Pages add their own calls (see README).
(function () {
  "use strict";
  const root = document.documentElement;
  const started = performance.now();
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
      if (name === "state") api._stateFn = fn; else api[name] = fn;
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

  function showError(message) {
    const box = document.getElementById("load-error");
    if (!box) return;
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
      }
      paintProgress();
    });

  const nativeFetch = window.fetch.bind(window);
  window.fetch = async function (input, init) {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href).href;
    let response;
    try {
      response = await nativeFetch(input, init);
    } catch (error) {
      if (url.includes("/vendor/")) {
        const name = decodeURIComponent(url.split("/").pop());
        api._fail(init && init.integrity
          ? tr("boot.error.integrity", { name }, "{name} could not be loaded: it failed its sha256 integrity check or the download was interrupted. Retry; if it persists, the site's files are damaged and need a rebuild.")
          : tr("boot.error.download", { name, detail: error.message || error }, "Could not download {name}: {detail}. Check the connection and retry."));
      }
      throw error;
    }
    if (!response.ok && url.includes("/vendor/")) {
      api._fail(tr("boot.error.http", { name: url.split("/").pop(), status: response.status }, "Could not download {name} (HTTP {status})."));
    }
    if (!tracked.has(url) || !response.body || root.dataset.ready) return response;
    const reader = response.body.getReader();
    const counted = new ReadableStream({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) { controller.close(); return; }
        received += value.byteLength;
        paintProgress();
        controller.enqueue(value);
      },
      cancel(reason) { return reader.cancel(reason); },
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

  // ---- errors before the page is ready become a readable message
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
