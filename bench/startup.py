"""Start-up measures of ``bench/run.py``: each page against a bare Pyodide + NumPy page.

The bare page (:data:`BARE_HTML`) is served by the benchmark's own server beside the
built site (never written into it): it imports ``vendor/pyodide/pyodide.mjs`` of the
same build, loads NumPy with ``loadPyodide({packages: ["numpy"]})`` from the same
wheel and lock file, the way PyScript loads the site's packages, and runs one NumPy
call. Every load is timed from navigation to ready (``data-ready`` on ``<html>``,
recorded by a mark the benchmark adds, ``bench:ready``), in three ways:

- cold: a new browser profile;
- warm, HTTP cache: the same profile again, service workers blocked, so the page and
  the bare page are warm in exactly the same way (the browser's HTTP cache, with the
  compiled-wasm cache that comes with it; the server answers ``no-cache``, so every
  file is revalidated with a 304);
- warm, service worker: the site as a visitor gets it, the second visit served by the
  site's worker from its cache (the bare page has no worker: it has only the first).

The profile splits each load by the resource timings of the runtime files and the
marks the page's Python sets (``site/py/*.py``, ``glasslab.web.boot``).
"""

from __future__ import annotations

import functools
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from glasslab.serve import SiteHandler, SiteServer

from tests.browser.conftest import CHROMIUM_ARGS, chromium_path

BARE_PATH = "bench-bare.html"
BARE_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Bare Pyodide and NumPy</title></head><body>
<script type="module">
import { loadPyodide } from "./vendor/pyodide/pyodide.mjs";
const indexURL = new URL("vendor/pyodide/", location.href).href;
const py = await loadPyodide({ indexURL, packages: ["numpy"] });
performance.mark("bare:pyodide");
py.runPython("import numpy; numpy.ones(3).sum()");
performance.mark("bare:numpy");
document.documentElement.dataset.ready = "true";
</script></body></html>
"""
EXTRA_PAGES = {BARE_PATH: BARE_HTML}  # more are added by bench/snapshot.py

# data-ready on <html> becomes the mark bench:ready (set before any script of the page);
# PyScript's py:ready (interpreter and packages up, before the page's code runs) becomes
# bench:py-ready, its py:progress steps bench:<step> ("Loaded Storage" just before it
# calls loadPyodide, "Loaded Pyodide" when that has returned); the resource timing
# buffer is made large enough for every file of a page
READY_MARK = """
performance.setResourceTimingBufferSize(2000);
addEventListener("py:ready", () => performance.mark("bench:py-ready"), {
  capture: true, once: true,
});
addEventListener("py:progress", (e) => performance.mark(`bench:${e.detail}`));
new MutationObserver((records, observer) => {
  const root = document.documentElement;
  if (root && (root.dataset.ready || root.dataset.error)) {
    performance.mark("bench:ready");
    observer.disconnect();
  }
}).observe(document, {
  attributes: true, subtree: true, attributeFilter: ["data-ready", "data-error"],
});
"""

TIMINGS = """() => {
  const mark = (name) => {
    const m = performance.getEntriesByName(name, "mark")[0];
    return m ? m.startTime : null;
  };
  const res = (end) => {
    const r = performance.getEntriesByType("resource")
      .find((e) => e.name.split("?")[0].endsWith(end));
    return r ? r.startTime : null;
  };
  const resEnd = (part) => {
    const r = performance.getEntriesByType("resource").find((e) => e.name.includes(part));
    return r ? r.responseEnd : null;
  };
  const wheelsEnd = () => {
    const ends = performance.getEntriesByType("resource")
      .filter((e) => e.name.split("?")[0].endsWith(".whl")).map((e) => e.responseEnd);
    return ends.length ? Math.max(...ends) : null;
  };
  return {
    interpreter: res("/vendor/pyodide/pyodide.mjs"),
    packages: res(".whl"), wheels_end: wheelsEnd(),
    still: mark("glasslab-still"), i18n: resEnd("/i18n/"), model: resEnd(".onnx"),
    py_ready: mark("bench:py-ready"), storage: mark("bench:Loaded Storage"),
    pyodide_loaded: mark("bench:Loaded Pyodide"),
    python: mark("glasslab:python"), numpy: mark("glasslab:numpy"),
    imported: mark("glasslab:imported"), main: mark("glasslab:main"),
    bare_pyodide: mark("bare:pyodide"), bare_numpy: mark("bare:numpy"),
    ready: mark("bench:ready"),
  };
}"""

# (label, from, to) over the timings above, in ms after navigation; Pyodide asks for the
# wheels as soon as its core has started (wasm compiled, standard library mounted)
PAGE_PHASES = [
    ("page and PyScript's start, to loadPyodide called", None, "storage"),
    ("loadPyodide: Pyodide's core, the wheels, NumPy's wasm", "storage", "pyodide_loaded"),
    ("PyScript's setup after loadPyodide, to py:ready", "pyodide_loaded", "py_ready"),
    ("py:ready to the page's code running", "py_ready", "python"),
    ("import numpy", "python", "numpy"),
    ("import the page's modules", "numpy", "imported"),
    ("main(): build the page", "imported", "main"),
    ("main() to ready (async start, first frame)", "main", "ready"),
    ("all of it from loadPyodide called to ready", "storage", "ready"),
    ("beside it: pyodide.mjs requested (from navigation)", None, "interpreter"),
    ("beside it: the wheels fetched (from navigation)", None, "wheels_end"),
    ("beside it: the still picture drawn (from navigation)", None, "still"),
    ("beside it: the i18n catalogue fetched (from navigation)", None, "i18n"),
    ("beside it: the CNN model fetched (from navigation)", None, "model"),
]
BARE_PHASES = [
    ("page and pyodide.mjs, to loadPyodide called", None, "interpreter"),
    ("loadPyodide: Pyodide's core, the wheel, NumPy's wasm", "interpreter", "bare_pyodide"),
    ("import numpy and one call", "bare_pyodide", "bare_numpy"),
    ("all of it from loadPyodide called to ready", "interpreter", "ready"),
    ("beside it: the NumPy wheel fetched (from navigation)", None, "wheels_end"),
]


class BenchHandler(SiteHandler):
    """The site's handler, plus the benchmark's own pages (served from memory)."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = EXTRA_PAGES.get(urlsplit(self.path).path.lstrip("/"))
        if body is None:
            super().do_GET()
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def make_bench_server(site: str | Path) -> SiteServer:
    server = SiteServer(("127.0.0.1", 0), functools.partial(BenchHandler, directory=str(site)))
    server.verbose = False
    return server


def load(context, url: str, after: str | None = None) -> dict:
    """One load of ``url`` in ``context``: wall seconds to ready and the timings; then
    ``after`` (a JS expression, awaited) before the page is closed."""
    pg = context.new_page()
    pg.add_init_script(READY_MARK)
    urls: list[tuple[str, int]] = []
    pg.on("requestfinished", lambda r: urls.append((r.url, r.sizes()["responseBodySize"])))
    start = time.perf_counter()
    pg.goto(url)
    pg.wait_for_function(
        "document.documentElement.dataset.ready || document.documentElement.dataset.error",
        timeout=180_000,
    )
    wall = time.perf_counter() - start
    timings = pg.evaluate(TIMINGS)
    error = pg.evaluate("document.documentElement.dataset.error || null")
    if after and not error:
        pg.evaluate(after)
    pg.close()
    if error:
        raise RuntimeError(f"{url}: {error}")
    return {"s": wall, **timings, "requests": urls}


def _context(playwright, profile: str, service_workers: str):
    return playwright.chromium.launch_persistent_context(
        profile,
        executable_path=chromium_path(),
        args=CHROMIUM_ARGS,
        headless=True,
        service_workers=service_workers,
    )


def measure(playwright, origin: str, page: str, repeats: int, worker: bool = True) -> dict:
    """Loads of ``page``: ``cold``, ``warm_http`` (and ``warm_sw`` when ``worker``), each a
    list of :func:`load` results."""
    runs: dict[str, list] = {"cold": [], "warm_http": []}
    if worker:
        runs["warm_sw"] = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as profile:
            context = _context(playwright, profile, "block")
            runs["cold"].append(load(context, f"{origin}/{page}"))
            runs["warm_http"].append(load(context, f"{origin}/{page}"))
            context.close()
        if worker:
            with tempfile.TemporaryDirectory() as profile:
                context = _context(playwright, profile, "allow")
                # the worker is active once it has precached the build
                ready = "navigator.serviceWorker.ready.then(() => true)"
                runs["cold"].append(load(context, f"{origin}/{page}", after=ready))
                runs["warm_sw"].append(load(context, f"{origin}/{page}"))
                context.close()
    return runs


def median_s(loads: list[dict]) -> float:
    return statistics.median(r["s"] for r in loads)


def phases(loads: list[dict], table: list) -> list[tuple[str, float | None]]:
    """Median ms of each phase of ``table`` over ``loads`` (None when not measured)."""
    out = []
    for label, start, end in table:
        spans = [
            r[end] - (r[start] if start else 0.0)
            for r in loads
            if r.get(end) is not None and (start is None or r.get(start) is not None)
        ]
        out.append((label, statistics.median(spans) if spans else None))
    return out


def summary(runs: dict, bare: dict) -> dict:
    """Medians in seconds and the ratios to the bare page (same kind of load)."""
    out = {kind: median_s(loads) for kind, loads in runs.items()}
    out["ratio_cold"] = out["cold"] / median_s(bare["cold"])
    out["ratio_warm_http"] = out["warm_http"] / median_s(bare["warm_http"])
    if "warm_sw" in out:
        out["ratio_warm_sw"] = out["warm_sw"] / median_s(bare["warm_http"])
    return out


def print_startup(results: dict) -> None:
    """The start-up table: bare page, each page with its ratios, then the profile."""
    bare = results["bare"]
    print(
        f"{'start-up (median s; ratio to the bare page)':52} {'cold':>8} {'warm HTTP':>10} "
        f"{'warm SW':>8}"
    )
    b = bare["summary"]
    print(f"{'bare Pyodide + NumPy page':52} {b['cold']:8.2f} {b['warm_http']:10.2f} {'-':>8}")
    for page, r in results["pages"].items():
        s = r["summary"]
        sw = f"{s['warm_sw']:8.2f}" if "warm_sw" in s else f"{'-':>8}"
        print(f"{page:52} {s['cold']:8.2f} {s['warm_http']:10.2f} {sw}")
        sw_ratio = f"{s['ratio_warm_sw']:7.2f}x" if "ratio_warm_sw" in s else f"{'-':>8}"
        print(
            f"{'  ratio to bare':52} {s['ratio_cold']:7.2f}x {s['ratio_warm_http']:9.2f}x "
            f"{sw_ratio}"
        )
    print()
    print(f"{'start-up profile (median ms)':52} {'cold':>8} {'warm HTTP':>10} {'warm SW':>8}")
    rows = [("bare page", bare["runs"], BARE_PHASES)]
    rows += [(page, r["runs"], PAGE_PHASES) for page, r in results["pages"].items()]
    for name, runs, table in rows:
        loads = [r for kind in ("cold", "warm_http", "warm_sw") for r in runs.get(kind, [])]
        if name != "bare page" and not any(r.get("python") for r in loads):
            name += " (no glasslab:* marks: a build older than site/py/*.py's marks?)"
        print(name)
        columns = [phases(runs.get(kind, []), table) for kind in ("cold", "warm_http", "warm_sw")]
        for i, (label, _, _) in enumerate(table):
            cells = [c[i][1] if c and c[i][1] is not None else None for c in columns]
            print(
                f"  {label:50} "
                + " ".join(
                    f"{v:{w}.0f}" if v is not None else f"{'-':>{w}}"
                    for v, w in zip(cells, (8, 10, 8), strict=True)
                )
            )


def run(playwright, origin: str, site: Path, pages: tuple[str, ...], repeats: int) -> dict:
    """The bare page and every page of ``pages`` that ``site`` has."""
    bare_runs = measure(playwright, origin, BARE_PATH, repeats, worker=False)
    bare = {"runs": bare_runs}
    bare["summary"] = {kind: median_s(loads) for kind, loads in bare_runs.items()}
    out: dict = {"bare": bare, "pages": {}}
    for page in pages:
        if (site / page).is_file():
            runs = measure(playwright, origin, page, repeats)
            out["pages"][page] = {"runs": runs, "summary": summary(runs, bare_runs)}
    return out
