// Glasslab translations: English and Simplified Chinese.
//
// The strings live in i18n/<lang>.json (flat keys such as "gan.play"). Elements
// name their strings with attributes; the English text stays in the HTML as the
// fallback, so a page whose catalogue cannot be fetched still reads in English.
//   data-i18n="key"                       the element's text
//   data-i18n-html="key"                  text with simple inline markup (kbd, sup, ...)
//   data-i18n-attr="aria-label:key;title:key"   attributes
// The language comes from ?lang=en|zh-CN, else from the browser (navigator.languages:
// zh* -> zh-CN, else en). The <select id="lang-select"> in the header switches it: the
// DOM is translated again, the URL's lang is replaced (other parameters kept), links
// between pages carry it, and a "glasslab:lang" event on window lets the pages re-set
// the texts they write at run time.
//
// window.glasslabI18n
//   .lang               "en" or "zh-CN"
//   .t(key, params, fallback)   the text of key, {name} placeholders filled from params
//   .setLang(lang)      switch (returns a Promise)
//   .ready              Promise: the catalogue is loaded and applied
(function () {
  "use strict";
  const LANGS = ["en", "zh-CN"];
  const INLINE_TAGS = new Set(["KBD", "SUP", "SUB", "STRONG", "EM", "CODE", "SPAN", "BR"]);
  const script = document.currentScript;
  const siteRoot = new URL("..", script ? script.src : location.href);
  const catalogues = {};
  const loading = {};

  function normalise(tag) {
    const t = String(tag || "").trim().toLowerCase();
    if (t === "zh-cn" || t.startsWith("zh")) return "zh-CN";
    if (t === "en" || t.startsWith("en")) return "en";
    return null;
  }

  function fromUrl() {
    return normalise(new URLSearchParams(location.search).get("lang"));
  }

  function fromBrowser() {
    const prefs = (navigator.languages && navigator.languages.length)
      ? navigator.languages : [navigator.language];
    return String(prefs[0] || "").toLowerCase().startsWith("zh") ? "zh-CN" : "en";
  }

  function load(lang) {
    if (!loading[lang]) {
      loading[lang] = fetch(new URL(`i18n/${lang}.json`, siteRoot))
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
        .then((cat) => { catalogues[lang] = cat; return cat; })
        .catch((error) => {
          console.warn(`Glasslab: the ${lang} catalogue could not be loaded (${error.message || error}); English stays.`);
          delete loading[lang];
          return null;
        });
    }
    return loading[lang];
  }

  function fill(template, params) {
    return String(template).replace(/\{(\w+)\}/g, (whole, name) =>
      (params && params[name] !== undefined && params[name] !== null ? String(params[name]) : whole));
  }

  function lookup(key) {
    const mine = catalogues[api.lang];
    if (mine && typeof mine[key] === "string") return mine[key];
    const en = catalogues.en;
    if (en && typeof en[key] === "string") return en[key];
    return null;
  }

  function t(key, params, fallback) {
    const text = lookup(key);
    if (text !== null) return fill(text, params);
    return fallback !== undefined ? fill(fallback, params) : key;
  }

  // A catalogue text with inline markup, rebuilt from an allow-list (no attributes but class).
  function setRich(node, text) {
    const tpl = document.createElement("template");
    tpl.innerHTML = text;
    const clean = (parent) => {
      for (const child of [...parent.childNodes]) {
        if (child.nodeType === Node.ELEMENT_NODE) {
          if (!INLINE_TAGS.has(child.tagName)) { child.replaceWith(document.createTextNode(child.textContent)); continue; }
          for (const attr of [...child.attributes]) if (attr.name !== "class") child.removeAttribute(attr.name);
          clean(child);
        } else if (child.nodeType !== Node.TEXT_NODE) {
          child.remove();
        }
      }
    };
    clean(tpl.content);
    node.replaceChildren(tpl.content);
  }

  function apply(root) {
    root = root || document;
    for (const node of root.querySelectorAll("[data-i18n]")) {
      const text = lookup(node.dataset.i18n);
      if (text !== null) node.textContent = text;
    }
    for (const node of root.querySelectorAll("[data-i18n-html]")) {
      const text = lookup(node.dataset.i18nHtml);
      if (text !== null) setRich(node, text);
    }
    for (const node of root.querySelectorAll("[data-i18n-attr]")) {
      for (const pair of node.dataset.i18nAttr.split(";")) {
        const at = pair.indexOf(":");
        if (at < 1) continue;
        const text = lookup(pair.slice(at + 1).trim());
        if (text !== null) node.setAttribute(pair.slice(0, at).trim(), text);
      }
    }
    document.documentElement.lang = api.lang;
    const select = document.getElementById("lang-select");
    if (select) select.value = api.lang;
    carryLang();
  }

  // Links between the site's pages keep the language.
  function carryLang() {
    for (const a of document.querySelectorAll("a[href]")) {
      if (a.hasAttribute("download")) continue;
      const original = a.dataset.i18nHref ?? a.getAttribute("href");
      if (!/^(\.\/|[\w.-]+\.html)([?#]|$)/.test(original)) continue;  // relative page links only
      a.dataset.i18nHref = original;
      const hashAt = original.indexOf("#");
      const hash = hashAt >= 0 ? original.slice(hashAt) : "";
      const rest = hashAt >= 0 ? original.slice(0, hashAt) : original;
      const [path, query = ""] = rest.split("?");
      const params = new URLSearchParams(query);
      params.set("lang", api.lang);
      a.setAttribute("href", `${path}?${params}${hash}`);
    }
  }

  function writeUrl() {
    const url = new URL(location.href);
    url.searchParams.set("lang", api.lang);
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }

  function announce() {
    window.dispatchEvent(new CustomEvent("glasslab:lang", { detail: { lang: api.lang } }));
  }

  let domReady = document.readyState !== "loading"
    ? Promise.resolve()
    : new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));

  async function setLang(lang, options) {
    const wanted = normalise(lang) || "en";
    await Promise.all([load("en"), load(wanted)]);
    api.lang = wanted;
    await domReady;
    apply(document);
    if (!options || options.url !== false) writeUrl();
    announce();
    return api.lang;
  }

  const api = {
    lang: fromUrl() || fromBrowser(),
    languages: LANGS.slice(),
    t,
    apply,
    setLang,
  };
  window.glasslabI18n = api;
  document.documentElement.lang = api.lang;

  api.ready = Promise.all([load("en"), load(api.lang), domReady]).then(() => {
    apply(document);
    announce();  // a page whose Python started first re-sets its texts
    return api.lang;
  });

  domReady.then(() => {
    const select = document.getElementById("lang-select");
    if (!select) return;
    select.value = api.lang;
    select.addEventListener("change", () => { setLang(select.value); });
  });
})();
