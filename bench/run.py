"""One benchmark command: ``python bench/run.py`` (after ``make build``).

Serves ``dist/`` on 127.0.0.1, drives Debian's Chromium headless with
Playwright, and prints one table of medians over repeated runs, measured in
this run only (ratios are between numbers of the same run):

- start-up (``bench/startup.py``): a bare page that only loads Pyodide and NumPy
  from the site's own files and runs one NumPy call, and every page's time to
  interactive (``window.glasslab.ready``), cold (new browser profile) and warm
  (same profile: HTTP cache only, and served by the site's service worker), as
  seconds and as ratios to the bare page, with where the time goes, and the bytes
  transferred;
- GAN: training iterations/s in the page with no drawing, iterations/s and
  frame times with every view redrawn each frame, the same engine on native
  CPython, and the ratios;
- CNN: the NumPy forward pass with all activations in the page, onnxruntime-web on the
  same ONNX file, image change to every view redrawn, and natively
  (``bench/cnn_native.py``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from glasslab.gan import Config, GanLab  # noqa: E402

from bench import snapshot, startup  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path  # noqa: E402

PAGES = ("index.html", "gan.html", "cnn.html")


def native_gan(iterations: int, repeats: int) -> float:
    rates = []
    for _ in range(repeats):
        lab = GanLab(Config())
        lab.train(10)
        start = time.perf_counter()
        lab.train(iterations)
        rates.append(iterations / (time.perf_counter() - start))
    return statistics.median(rates)


def gzip_size(site: Path, url: str, cache: dict) -> int:
    """Bytes of the file behind ``url`` after gzip -6, as a static host would send it."""
    path = urlsplit(url).path.lstrip("/") or "index.html"
    if path not in cache:
        file = site / path
        cache[path] = len(gzip.compress(file.read_bytes(), 6)) if file.is_file() else 0
    return cache[path]


def page_bytes(site: Path, loads: list[dict]) -> dict:
    """Median bytes of the cold loads: response bodies as served, and after gzip -6."""
    gz_cache: dict = {}
    plain = [sum(size for _, size in r["requests"]) for r in loads]
    packed = [sum(gzip_size(site, url, gz_cache) for url, _ in r["requests"]) for r in loads]
    return {"bytes": statistics.median(plain), "bytes_gzip": statistics.median(packed)}


def cnn_in_page(browser, origin: str, runs: int) -> dict:
    """NumPy forward, image change to redrawn, and ONNX Runtime Web, medians in the page."""
    pg = browser.new_page()
    pg.goto(f"{origin}/cnn.html")
    pg.wait_for_function("document.documentElement.dataset.ready", timeout=180_000)
    pg.evaluate("window.glasslab.ortDone()")
    result = pg.evaluate(f"window.glasslab.benchmark({runs})")
    pg.close()
    return result


def gan_in_page(browser, origin: str, repeats: int, seconds: float) -> dict:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    pg = browser.new_page()
    pg.goto(f"{origin}/gan.html?pretrained=0")
    pg.wait_for_function("document.documentElement.dataset.ready", timeout=180_000)
    alone = [pg.evaluate("window.glasslab.benchmark(2000)")["per_second"] for _ in range(repeats)]
    drawn, fps, p95, trainers = [], [], [], []
    for _ in range(repeats):
        pg.evaluate("window.glasslab.reset(); window.glasslab.set({manifold: true})")
        pg.evaluate("window.glasslab.play()")
        try:  # the training worker loads its own Pyodide on the first play: not measured
            if "trainer" in pg.evaluate("window.glasslab.state()"):  # older builds: none
                pg.wait_for_function("glasslab.state().trainer === 'worker'", timeout=60_000)
        except PlaywrightTimeout:
            pass  # the worker did not start: the page's thread trains
        time.sleep(1.0)  # warm-up
        start_it = pg.evaluate("window.glasslab.state().iteration")
        start = time.perf_counter()
        time.sleep(seconds)
        s = pg.evaluate("window.glasslab.state()")
        drawn.append((s["iteration"] - start_it) / (time.perf_counter() - start))
        fps.append(s["fps"])
        p95.append(s["frame_ms_p95"])
        trainers.append(s.get("trainer", "page"))
        pg.evaluate("window.glasslab.pause()")
    pg.close()
    return {
        "train_alone_its": statistics.median(alone),
        "drawn_its": statistics.median(drawn),
        "fps": statistics.median(fps),
        "frame_p95_ms": statistics.median(p95),
        "trainer": ",".join(sorted(set(trainers))),  # who trained while drawing
    }


def gan_memory(playwright, origin: str, minutes: list[float]) -> list[dict]:
    """JS heap and Pyodide wasm memory after ``minutes`` of continuous GAN training with
    every view drawn (manifold included), one fresh page, exact heap numbers."""
    browser = playwright.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS + ["--enable-precise-memory-info"]
    )
    pg = browser.new_page()
    pg.goto(f"{origin}/gan.html?pretrained=0")
    pg.wait_for_function("document.documentElement.dataset.ready", timeout=180_000)
    pg.evaluate("window.glasslab.set({manifold: true})")
    out = [{"minutes": 0.0, **pg.evaluate("window.glasslab.memory()")}]
    worker_heap = "window.glasslabGanView.trainer.wasmBytes"  # the training worker's Pyodide
    pg.evaluate("window.glasslab.play()")
    start = time.perf_counter()
    for mark in sorted(minutes):
        time.sleep(max(0.0, start + 60 * mark - time.perf_counter()))
        s = pg.evaluate("window.glasslab.state()")
        out.append(
            {
                "minutes": mark,
                "iteration": s["iteration"],
                "fps": s["fps"],
                **pg.evaluate("window.glasslab.memory()"),
                "worker_wasm_bytes": pg.evaluate(worker_heap),
            }
        )
    pg.evaluate("window.glasslab.pause()")
    browser.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", default=str(ROOT / "dist"), help="built site (default: dist/)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of a drawn GAN run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument(
        "--memory-minutes",
        default="",
        help="also measure memory after these minutes of GAN training, e.g. 1,10",
    )
    parser.add_argument("--only-memory", action="store_true", help="skip the other measures")
    parser.add_argument("--pages", default=",".join(PAGES), help="pages whose start-up is measured")
    parser.add_argument(
        "--snapshot-experiment",
        action="store_true",
        help="also try Pyodide's memory snapshot on the bare page (bench/snapshot.py)",
    )
    parser.add_argument(
        "--only-startup", action="store_true", help="only the start-up measures and profile"
    )
    parser.add_argument(
        "--only-gan", action="store_true", help="only GAN training, alone and drawn, and native"
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    server = startup.make_bench_server(args.site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    results: dict = {}
    if args.only_gan:
        return only_gan(sync_playwright, origin, server, args)
    try:
        with sync_playwright() as playwright:
            if args.memory_minutes:
                marks = [float(m) for m in args.memory_minutes.split(",") if m.strip()]
                results["memory"] = gan_memory(playwright, origin, marks)
                print_memory(results["memory"])
                if args.only_memory:
                    return 0
            results["startup"] = startup.run(
                playwright, origin, Path(args.site), tuple(args.pages.split(",")), args.repeats
            )
            if args.snapshot_experiment:
                results["snapshot"] = snapshot.run(playwright, origin, args.repeats)
            for page, measured in results["startup"]["pages"].items():
                results[page] = {
                    "cold_s": measured["summary"]["cold"],
                    "warm_s": measured["summary"]["warm_sw"],
                    "warm_http_s": measured["summary"]["warm_http"],
                    **page_bytes(Path(args.site), measured["runs"]["cold"]),
                }
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            if not args.only_startup:
                results["gan"] = gan_in_page(browser, origin, args.repeats, args.seconds)
                results["cnn"] = cnn_in_page(browser, origin, 100)
            version = browser.version
            browser.close()
    finally:
        server.shutdown()
    print(
        f"machine: {platform.machine()} {platform.processor() or ''}, "
        f"{__import__('os').cpu_count()} cores; Chromium {version}; "
        f"Python {platform.python_version()}"
    )
    startup.print_startup(results["startup"])
    print()
    if "snapshot" in results:
        bare_warm = results["startup"]["bare"]["summary"]["warm_http"]
        snapshot.print_snapshot(results["snapshot"], bare_warm)
        print()
    if args.only_startup:
        if args.json:
            print(json.dumps(results, indent=1))
        return 0
    results["gan"]["native_its"] = native_gan(5000, args.repeats)
    cnn_native = ROOT / "bench" / "cnn_native.py"
    if cnn_native.is_file():
        out = subprocess.run([sys.executable, str(cnn_native)], capture_output=True, text=True)
        results["cnn_native"] = out.stdout.strip().splitlines()[-1] if out.stdout else out.stderr

    print(f"{'measure':52} {'median':>12}")
    for page in PAGES:
        if page in results:
            r = results[page]
            print(f"{page + ' time to interactive, cold (s)':52} {r['cold_s']:12.2f}")
            print(f"{page + ' time to interactive, warm (s)':52} {r['warm_s']:12.2f}")
            print(f"{page + ' bytes transferred, cold':52} {r['bytes']:12,.0f}")
            print(f"{page + ' the same, gzip -6 as a host sends it':52} {r['bytes_gzip']:12,.0f}")
    print_gan(results["gan"])
    cnn = results["cnn"]
    print(
        f"{'CNN NumPy forward, all activations, Chromium (ms)':52} {cnn['numpy_forward_ms']:12.2f}"
    )
    print(f"{'CNN onnxruntime-web, same ONNX file (ms)':52} {cnn['ort_ms']:12.2f}")
    print(f"{'CNN image change to every view redrawn (ms)':52} {cnn['redraw_ms']:12.2f}")
    native = re.search(r"median ([0-9.]+) ms", results.get("cnn_native", ""))
    if native:
        native_ms = float(native.group(1))
        print(f"{'CNN NumPy forward, native CPython (ms)':52} {native_ms:12.3f}")
        print(f"{'ratio Chromium NumPy / native':52} {cnn['numpy_forward_ms'] / native_ms:12.1f}")
    ort_ratio = cnn["numpy_forward_ms"] / cnn["ort_ms"]
    print(f"{'ratio Chromium NumPy / onnxruntime-web':52} {ort_ratio:12.2f}")
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


def only_gan(sync_playwright, origin: str, server, args) -> int:
    """``--only-gan``: the GAN lines of the table alone (:func:`print_gan`)."""
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            gan = gan_in_page(browser, origin, args.repeats, args.seconds)
            browser.close()
    finally:
        server.shutdown()
    gan["native_its"] = native_gan(5000, args.repeats)
    print(f"{'measure':52} {'median':>12}")
    print_gan(gan)
    if args.json:
        print(json.dumps({"gan": gan}, indent=1))
    return 0


def print_gan(gan: dict) -> None:
    """The GAN lines of the table (``gan_in_page``'s figures and ``native_its``)."""
    print(f"{'GAN training alone in Chromium (it/s)':52} {gan['train_alone_its']:12.0f}")
    print(f"{'GAN with every view drawn each frame (it/s)':52} {gan['drawn_its']:12.0f}")
    print(f"{'GAN frame rate while drawing (fps)':52} {gan['fps']:12.1f}")
    print(f"{'GAN frame time mean while drawing (ms)':52} {1000 / gan['fps']:12.1f}")
    print(f"{'GAN frame time p95 while drawing (ms)':52} {gan['frame_p95_ms']:12.1f}")
    print(f"{'GAN trained by, while drawing':52} {gan['trainer']:>12}")
    print(f"{'GAN native CPython (it/s)':52} {gan['native_its']:12.0f}")
    print(
        f"{'ratio Chromium alone / native':52} {gan['train_alone_its'] / gan['native_its']:12.2f}"
    )
    print(f"{'ratio Chromium drawn / alone':52} {gan['drawn_its'] / gan['train_alone_its']:12.2f}")


def print_memory(rows: list[dict]) -> None:
    print(
        f"{'GAN training (min)':>18} {'iteration':>10} {'JS heap (MB)':>13} "
        f"{'wasm (MB)':>10} {'Python objects':>15}"
    )
    for r in rows:
        print(
            f"{r['minutes']:18.1f} {r.get('iteration', 0):10,d} {r['js_heap'] / 1e6:13.1f} "
            f"{r['wasm_bytes'] / 1e6:10.1f} {r['py_objects']:15,d}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
