"""The site's service worker, ``sw.js``, written by the build with this build's files baked in.

The worker precaches every file of the build (pages, scripts, styles, the
Pyodide runtime, the wheels with the GAN presets inside glasslab's, the ONNX
model, the sample images, the icons) into one cache named after the build's
content hash, each download checked against its sha256. It answers every
request for a file of the build from that cache only, the pages included, so a
page and its runtime always come from the same build, with or without network.

Update flow: on a visit with network the browser fetches ``sw.js``; when the
build changed, its bytes changed, and the new worker precaches the new build
into a new cache in the background while the old one keeps serving. The new
worker takes over once no page of the old build is open (all Glasslab tabs
closed), then deletes the old build's cache. ``sw.js`` itself is never cached by
the worker; hosts should let browsers revalidate it (``python -m glasslab
serve`` sends ``Cache-Control: no-cache``; GitHub Pages caches for 10 minutes).

The output depends only on the file list and hashes: the same build gives the
same bytes.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

SW_FILE = "sw.js"
BUILD_INFO = "glasslab-build.json"

TEMPLATE = """\
// Glasslab service worker, written by the build (export/sw.py): this build's
// files and their sha256 are baked in. Every file of the build is precached into
// one cache named after the build's content hash and served from that cache
// only, pages included, so a page and its runtime always come from one build.
// A new build is precached in the background and takes over once no page of the
// old build is open; it then deletes the old build's cache.
"use strict";

const BUILD = __BUILD__;
const FILES = __FILES__;  // path -> Subresource Integrity of its bytes
const BUILD_INFO = "glasslab-build.json";  // written after this file: checked by its hash
const BASE = new URL("./", self.location.href);
const SCOPE = self.registration.scope;
const PREFIX = "glasslab-";
const CACHE = `${PREFIX}${BUILD} ${SCOPE}`;
const PARALLEL = 4;

const urlOf = (path) => new URL(path, BASE).href;
const INTEGRITY = new Map(Object.entries(FILES).map(([path, sri]) => [urlOf(path), sri]));
INTEGRITY.set(urlOf(BUILD_INFO), "");

async function download(url) {
  const sri = INTEGRITY.get(url);
  // no-cache: revalidate with the server, never an older build's copy from the HTTP cache
  const options = sri ? { cache: "no-cache", integrity: sri } : { cache: "no-cache" };
  const response = await fetch(url, options);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  if (!sri) {
    const info = await response.clone().json();
    if (info.hash !== BUILD) throw new Error(`${url} is from build ${info.hash}, not ${BUILD}`);
  }
  return response;
}

async function precache() {
  const cache = await caches.open(CACHE);
  const queue = [...INTEGRITY.keys()];
  async function worker() {
    while (queue.length) {
      const url = queue.shift();
      if (await cache.match(url)) continue;  // kept from an interrupted install of this build
      await cache.put(url, await download(url));
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name.endsWith(` ${SCOPE}`) && name !== CACHE) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

async function respond(url) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(url);
  if (hit) return hit;
  // the browser evicted it: this build's file from the network, or nothing
  const response = await download(url);
  await cache.put(url, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  let key = url.origin + url.pathname;  // the query never changes a static file
  if (key.endsWith("/")) key += "index.html";
  if (INTEGRITY.has(key)) event.respondWith(respond(key));
});
"""


def sri(sha256_hex: str) -> str:
    """A Subresource Integrity string for a hex sha256."""
    return "sha256-" + base64.b64encode(bytes.fromhex(sha256_hex)).decode()


def render(info: dict) -> str:
    """sw.js for a build's info (``export.build.build_info``)."""
    files = {
        path: sri(entry["sha256"])
        for path, entry in sorted(info["files"].items())
        if path not in (SW_FILE, BUILD_INFO)
    }
    return TEMPLATE.replace("__BUILD__", json.dumps(info["hash"])).replace(
        "__FILES__", json.dumps(files, indent=1, sort_keys=True)
    )


def write_service_worker(stage: Path, info: dict) -> None:
    (Path(stage) / SW_FILE).write_text(render(info), encoding="utf-8")
