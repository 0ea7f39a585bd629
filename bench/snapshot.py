"""Pyodide 0.27.7's memory snapshot, tried on the bare page: ``bench/run.py --snapshot-experiment``.

``loadPyodide({_makeSnapshot: true})`` then ``pyodide.makeMemorySnapshot()`` gives the
bytes of the whole wasm heap (with the JS references Python holds); a later visit
passes them as ``loadPyodide({_loadSnapshot})`` and skips Python's start. The page
:data:`SNAPSHOT_HTML` (served from memory, like the bare page) makes one with NumPy
``none`` (plain Python), ``loaded`` (the NumPy wheel installed, not imported) or
``imported`` (``import numpy`` done), keeps it in Cache Storage, and on the next visit
starts from it, then loads NumPy if the snapshot has none and runs the bare page's
NumPy call. Every step that fails says so (``data-error``) with the error's text.
"""

from __future__ import annotations

import statistics
import tempfile

from bench import startup

SNAPSHOT_PATH = "bench-snapshot.html"
SNAPSHOT_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Pyodide memory snapshot</title></head><body>
<script type="module">
import { loadPyodide } from "./vendor/pyodide/pyodide.mjs";
const query = new URLSearchParams(location.search);
const numpy = query.get("numpy");  // none | loaded | imported
const indexURL = new URL("vendor/pyodide/", location.href).href;
const root = document.documentElement;
const key = `snapshot-${numpy}`;
const result = (window.benchResult = { numpy });
try {
  const cache = await caches.open("bench-snapshot");
  if (query.get("step") === "make") {
    const py = await loadPyodide({ indexURL, _makeSnapshot: true });
    if (numpy !== "none") await py.loadPackage("numpy");
    if (numpy === "imported") py.runPython("import numpy");
    const bytes = py.makeMemorySnapshot();
    result.bytes = bytes.length;
    await cache.put(key, new Response(bytes));
  } else {
    const saved = await cache.match(key);
    const bytes = new Uint8Array(await saved.arrayBuffer());
    performance.mark("snapshot:read");
    const py = await loadPyodide({ indexURL, _loadSnapshot: bytes });
    performance.mark("bare:pyodide");
    if (numpy === "none") await py.loadPackage("numpy");
    result.sum = py.runPython("import numpy; float(numpy.ones(3).sum())");
    performance.mark("bare:numpy");
  }
  root.dataset.ready = "true";
} catch (error) {
  root.dataset.error = String((error && error.message) || error).slice(0, 600);
}
</script></body></html>
"""
startup.EXTRA_PAGES[SNAPSHOT_PATH] = SNAPSHOT_HTML


def _visit(context, url: str) -> dict:
    """One visit: the timings, the page's result and its error (if any)."""
    pg = context.new_page()
    pg.add_init_script(startup.READY_MARK)
    pg.goto(url)
    pg.wait_for_function(
        "document.documentElement.dataset.ready || document.documentElement.dataset.error",
        timeout=180_000,
    )
    out = {
        **pg.evaluate(startup.TIMINGS),
        "result": pg.evaluate("window.benchResult || null"),
        "error": pg.evaluate("document.documentElement.dataset.error || null"),
    }
    pg.close()
    return out


def run(playwright, origin: str, repeats: int) -> dict:
    """For each NumPy state: snapshot size, and the visits started from it (ms to ready)."""
    out = {}
    for numpy in ("none", "loaded", "imported"):
        rows = {"make": [], "load": [], "errors": []}
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as profile:
                context = startup._context(playwright, profile, "block")
                base = f"{origin}/{SNAPSHOT_PATH}?numpy={numpy}"
                made = _visit(context, base + "&step=make")
                rows["make"].append(made)
                if made["error"]:
                    rows["errors"].append(f"make: {made['error']}")
                else:
                    loaded = _visit(context, base + "&step=load")
                    rows["load"].append(loaded)
                    if loaded["error"]:
                        rows["errors"].append(f"load: {loaded['error']}")
                context.close()
        good = [r for r in rows["load"] if not r["error"]]
        sizes = [r["result"]["bytes"] for r in rows["make"] if (r["result"] or {}).get("bytes")]
        out[numpy] = {
            "snapshot_bytes": statistics.median(sizes) if sizes else None,
            "make_ms": statistics.median(r["ready"] for r in rows["make"]) if sizes else None,
            "load_ms": statistics.median(r["ready"] for r in good) if good else None,
            "errors": sorted(set(rows["errors"])),
        }
    return out


def print_snapshot(results: dict, bare_warm_s: float | None) -> None:
    print(f"{'memory snapshot (bare page, median)':52} {'bytes':>12} {'make ms':>8} {'load ms':>8}")
    for numpy, r in results.items():
        size = f"{r['snapshot_bytes']:12,.0f}" if r["snapshot_bytes"] else f"{'-':>12}"
        make = f"{r['make_ms']:8.0f}" if r["make_ms"] is not None else f"{'-':>8}"
        load = f"{r['load_ms']:8.0f}" if r["load_ms"] is not None else f"{'-':>8}"
        print(f"{'  NumPy ' + numpy + ' before the snapshot':52} {size} {make} {load}")
        for error in r["errors"]:
            print(f"    error: {error}")
    if bare_warm_s is not None:
        print(
            f"{'  bare page without a snapshot, warm (ms)':52} {'':12} {'':8} "
            f"{1000 * bare_warm_s:8.0f}"
        )
