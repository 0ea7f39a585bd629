// Glasslab embedding: embed mode, the height protocol, parent commands and the
// "Share / Embed" dialog. A classic script loaded in <head> after boot.js, so the
// embed classes are on <html> before the first paint. Plain JS, no framework.
//
// URL options (see README, "Embedding"):
//   embed=1              drop the site chrome and the long explanatory text
//   panels=a,b,...       show only these panels (names: the page's data-panel values)
//   autoplay=1           GAN lab: start training once ready (handled by the page)
//   origin=URL[,URL]     parent origins whose glasslab:command messages are obeyed
//   sample=FILE          CNN explainer: the sample image (handled by the page)
//
// Messages (window.postMessage):
//   out  {type: "glasslab:height", height, page}          whenever the content height changes
//   in   {type: "glasslab:command", name, args}           play | pause | reset | step
//   out  {type: "glasslab:state", state, page}            reply to the command "state"
// Messages are data: never evaluated, never inserted as markup.
(function () {
  "use strict";
  const root = document.documentElement;
  const page = root.dataset.page || "";
  const params = new URLSearchParams(location.search);
  const EMBED_KEYS = ["embed", "panels", "autoplay", "origin"];
  const TITLES = { gan: "Glasslab GAN lab", cnn: "Glasslab CNN explainer", index: "Glasslab" };
  const HEIGHTS = { gan: 1150, cnn: 1000, index: 420 };
  const framed = window.parent !== window;

  // ---- embed mode: classes on <html>, read by css/embed.css
  const embed = params.get("embed") === "1";
  const panels = (params.get("panels") || "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => /^[a-z][a-z0-9-]{0,30}$/.test(name));
  if (embed) {
    root.classList.add("gl-embed");
    if (panels.length) {
      root.classList.add("gl-panels");
      for (const name of panels) root.classList.add(`gl-show-${name}`);
    }
  }
  if (framed) root.classList.add("gl-framed");

  // ---- panel names the page does not have: say so; if none is left, show every panel
  const rawPanels = (params.get("panels") || "").split(",").map((name) => name.trim()).filter(Boolean);
  if (embed && rawPanels.length) {
    document.addEventListener("DOMContentLoaded", () => {
      const known = new Set();  // data-panel values and the panels a data-panels container holds
      for (const node of document.querySelectorAll("[data-panel], [data-panels]")) {
        for (const name of `${node.dataset.panel || ""} ${node.dataset.panels || ""}`.split(/\s+/)) if (name) known.add(name);
      }
      const unknown = rawPanels.filter((name) => !known.has(name.toLowerCase()));
      if (!unknown.length) return;
      const kept = panels.filter((name) => known.has(name));
      if (!kept.length) root.classList.remove("gl-panels");
      const text = (window.glasslabI18n ? window.glasslabI18n.t : (k, p, e) => e.replace("{names}", p.names).replace("{known}", p.known))(
        "embed.panels_unknown", { names: unknown.join(", "), known: [...known].join(", ") },
        "Unknown panels in the link: {names} (this page has {known}).");
      const api = window.glasslab;
      if (api && api._message) api._message(text, "error");
    });
  }

  // ---- origins allowed to send commands: this one and those listed in origin=
  const allowedOrigins = new Set([location.origin]);
  for (const item of (params.get("origin") || "").split(",")) {
    try {
      const url = new URL(item.trim());
      if (url.protocol === "http:" || url.protocol === "https:") allowedOrigins.add(url.origin);
    } catch (error) { /* not a URL: ignored */ }
  }

  const api = window.glasslab || (window.glasslab = {});
  api.embed = Object.freeze({
    embed, panels: panels.slice(), autoplay: params.get("autoplay") === "1",
    origins: [...allowedOrigins],
  });

  // ---- height protocol
  let lastHeight = -1;
  function contentHeight() {
    const body = document.body;
    if (!body) return 0;
    const style = getComputedStyle(body);
    const bottom = body.getBoundingClientRect().bottom + window.scrollY;
    return Math.ceil(bottom + parseFloat(style.marginBottom || "0"));
  }
  function postHeight(force) {
    if (!framed) return;
    const height = contentHeight();
    if (height <= 0 || (!force && height === lastHeight)) return;
    lastHeight = height;
    window.parent.postMessage({ type: "glasslab:height", height, page }, "*");
  }
  api.contentHeight = contentHeight;

  // ---- commands from the parent (only from allowed origins, only known names)
  const COMMANDS = {
    play: () => api.play && api.play(),
    pause: () => api.pause && api.pause(),
    reset: () => api.reset && api.reset(),
    step: (args) => {  // no args: both; anything else goes to the page, which refuses bad values
      if (api.step) args === undefined ? api.step() : api.step(...(Array.isArray(args) ? args.slice(0, 1) : [args]));
    },
    state: (args, event) => {
      event.source.postMessage({ type: "glasslab:state", state: api.state(), page }, event.origin);
    },
    height: () => postHeight(true),
  };
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || typeof data !== "object" || data.type !== "glasslab:command") return;
    if (!allowedOrigins.has(event.origin) || !event.source || event.source !== window.parent) return;
    if (typeof data.name !== "string" || !Object.prototype.hasOwnProperty.call(COMMANDS, data.name)) return;
    if (root.dataset.ready !== "true") return;  // the page's calls exist once it is ready
    try {
      COMMANDS[data.name](data.args, event);
    } catch (error) {
      console.warn(`glasslab: command ${data.name} failed: ${error.message || error}`);
    }
  });

  // ---- links: the current state without (link) or with (snippet) embed options
  function stateParams() {
    const out = new URLSearchParams(location.search);
    for (const key of EMBED_KEYS) out.delete(key);
    if (page === "cnn") {
      out.delete("sample");
      const image = api.state ? api.state().image : "";
      const known = image && [...document.querySelectorAll("#samples .sample")]
        .some((button) => button.dataset.file === image);
      if (known) out.set("sample", image);
    }
    return out;
  }
  function pageURL(extra) {
    const query = stateParams();
    if (extra) for (const [key, value] of extra) query.set(key, value);
    const text = query.toString();
    return location.origin + location.pathname + (text ? `?${text}` : "");
  }
  function embedParams(autoplay) {
    const out = [["embed", "1"]];
    if (panels.length) out.push(["panels", panels.join(",")]);
    if (autoplay) out.push(["autoplay", "1"]);
    if (params.get("origin")) out.push(["origin", params.get("origin")]);
    return out;
  }
  function attr(text) {
    return String(text).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  }
  function snippet(autoplay) {
    const src = pageURL(embedParams(autoplay));
    const height = embed ? Math.max(contentHeight(), 200) : HEIGHTS[page] || 800;
    const title = textOf("share-iframe-title") || TITLES[page] || "Glasslab";
    return [
      `<iframe src="${attr(src)}" width="100%" height="${height}" style="border:0" loading="lazy" title="${attr(title)}"></iframe>`,
      "<script>",
      "addEventListener(\"message\", (e) => {",
      `  if (e.origin !== "${attr(location.origin)}" || !e.data || e.data.type !== "glasslab:height") return;`,
      "  for (const f of document.querySelectorAll(\"iframe\"))",
      "    if (f.contentWindow === e.source) f.style.height = Math.ceil(e.data.height) + \"px\";",
      "});",
      "</script>",
    ].join("\n");
  }
  function textOf(id) {
    const node = document.getElementById(id);
    return node ? node.textContent.trim() : "";
  }
  api.shareLinks = (options) => {
    const autoplay = options && "autoplay" in options ? !!options.autoplay : api.embed.autoplay;
    return { link: pageURL(), embedURL: pageURL(embedParams(autoplay)), snippet: snippet(autoplay) };
  };

  // ---- the Share / Embed dialog
  let opener = null;
  function dialog() { return document.getElementById("share-dialog"); }
  function fill() {
    const box = dialog();
    const auto = box.querySelector("#share-autoplay");
    const links = api.shareLinks(auto ? { autoplay: auto.checked } : {});  // GAN lab only (the shell)
    box.querySelector("#share-link").value = links.link;
    box.querySelector("#share-snippet").value = links.snippet;
    setStatus("");
  }
  function open(event) {
    const box = dialog();
    if (!box || box.open) return;
    opener = event && event.currentTarget instanceof HTMLElement ? event.currentTarget : document.activeElement;
    const auto = box.querySelector("#share-autoplay");
    if (auto) auto.checked = api.embed.autoplay;
    fill();
    box.showModal();
    box.querySelector("#share-link").focus();
    box.querySelector("#share-link").select();
    postHeight(true);
  }
  function close() {
    const box = dialog();
    if (box && box.open) box.close();
  }
  function setStatus(kind) {
    const status = document.getElementById("share-status");
    if (!status) return;
    const template = kind && document.querySelector(`[data-share-message="${kind}"]`);
    status.textContent = template ? template.textContent : "";
  }
  async function copy(field) {
    field.focus();
    field.select();
    field.setSelectionRange(0, field.value.length);
    try {
      if (!navigator.clipboard || !window.isSecureContext) throw new Error("no clipboard");
      await navigator.clipboard.writeText(field.value);
      setStatus("copied");
    } catch (error) {
      // fallback: the text stays selected for Ctrl+C / Cmd+C
      let done = false;
      try { done = document.execCommand("copy"); } catch (ignored) { done = false; }
      setStatus(done ? "copied" : "selected");
    }
  }
  api.share = { open: () => open(null), close };

  function wire() {
    for (const button of document.querySelectorAll(".share-open")) {
      button.addEventListener("click", open);
    }
    const box = dialog();
    if (box) {
      box.addEventListener("click", (event) => {
        if (event.target === box) { close(); return; }  // a click on the backdrop
        const copyButton = event.target.closest("[data-copy]");
        if (copyButton) copy(document.getElementById(copyButton.dataset.copy));
        if (event.target.closest("[data-share-close]")) close();
      });
      box.addEventListener("change", (event) => {
        if (event.target.id === "share-autoplay") fill();
      });
      box.addEventListener("close", () => {
        if (opener && document.contains(opener)) opener.focus();
        opener = null;
      });
    }
    if (embed) {
      // the index page's chooser keeps the embed options on the page it opens
      for (const link of document.querySelectorAll("a[data-embed-keep]")) {
        const url = new URL(link.getAttribute("href"), location.href);
        for (const [key, value] of embedParams(false)) url.searchParams.set(key, value);
        link.href = url.href;
      }
    }
    if (framed) {
      if ("ResizeObserver" in window) new ResizeObserver(() => postHeight(false)).observe(document.body);
      window.addEventListener("load", () => postHeight(true));
      postHeight(true);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
