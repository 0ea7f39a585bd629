"""Soak test: the GAN trains with every view on while data sets and settings change, then the
CNN page classifies every sample again and again; memory must level off, the frame loop must
keep running and no error may reach the console.

Duration: $GLASSLAB_LONGRUN_SECONDS, else 600 s when selected with ``pytest -m longrun``,
else 40 s (the short form that runs with every ``pytest``).
"""

from __future__ import annotations

import os
import statistics
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import CHROMIUM_ARGS, PageLog, chromium_path, wait_ready

pytestmark = [pytest.mark.browser, pytest.mark.longrun]

SWITCHES = [
    {"dataset": "ring", "g_lr": 0.03, "k_d": 2},
    {"dataset": "line", "d_lr": 0.01, "k_g": 2},
    {"dataset": "disjoint", "pretrained": False, "loss": "lsq"},
    {"dataset": "gaussians", "pretrained": True, "k_d": 1, "g_optimizer": "sgd"},
]
ALL_LAYERS = "{heatmap: true, real: true, fake: true, gradients: true, manifold: true}"
MB = 1e6
MIN_SAMPLES = 6  # memory samples after the warm-up, the least the levels are judged on


def duration(config) -> float:
    value = os.environ.get("GLASSLAB_LONGRUN_SECONDS")
    if value:
        return float(value)
    return 600.0 if "longrun" in (config.getoption("markexpr") or "") else 40.0


def level(samples: list[dict], key: str) -> tuple[float, float]:
    """Medians of the first and the last third of the samples taken after warm-up."""
    values = [s[key] for s in samples]
    third = max(1, len(values) // 3)
    return statistics.median(values[:third]), statistics.median(values[-third:])


def assert_levels_off(samples: list[dict], what: str) -> None:
    assert len(samples) >= MIN_SAMPLES, f"{what}: too few memory samples ({len(samples)})"
    for key in ("js_heap", "wasm_bytes", "py_objects"):
        first, last = level(samples, key)
        grown = last - first
        limit = 50 * MB if key != "py_objects" else 50_000
        assert grown < limit and last < 1.3 * first, (
            f"{what}: {key} keeps growing: {first:,.0f} -> {last:,.0f}"
        )
    kept = [s["kept_proxies"] for s in samples]
    assert kept[-1] == kept[0], f"{what}: proxies kept for JS grew {kept[0]} -> {kept[-1]}"


@pytest.fixture
def soak_browser(playwright):
    """Its own Chromium with exact heap numbers (--enable-precise-memory-info)."""
    browser = playwright.chromium.launch(
        executable_path=chromium_path(),
        args=CHROMIUM_ARGS + ["--enable-precise-memory-info"],
    )
    yield browser
    browser.close()


def soak_gan(pg, seconds: float) -> None:
    pg.evaluate(f"window.glasslab.set({ALL_LAYERS})")
    pg.evaluate("window.glasslab.play()")
    # the training worker loads its own Pyodide at the first Play (seconds of a core): the
    # soak starts once it trains, or after a minute without it (training stays on the page)
    try:
        pg.wait_for_function("window.glasslab.state().trainer === 'worker'", timeout=60_000)
    except PlaywrightTimeout:
        pass
    warm_up = min(10.0, seconds / 5)
    period = max(3.0, seconds / 12)
    start = time.monotonic()
    next_switch = start + period
    samples, fps = [], []
    switch = 0
    previous = None
    # at least MIN_SAMPLES after the warm-up, however slow a loaded machine makes each step
    while (now := time.monotonic()) - start < seconds or len(samples) < MIN_SAMPLES:
        if now >= next_switch:
            pg.evaluate("(p) => window.glasslab.set(p)", SWITCHES[switch % len(SWITCHES)])
            pg.evaluate("window.glasslab.play()")  # a new data set starts paused or playing
            switch += 1
            next_switch = now + period
            previous = None
        pg.wait_for_timeout(1000)
        s = pg.evaluate("window.glasslab.state()")
        assert s["playing"], s["message"]
        assert s["layers"]["manifold"] and s["layers"]["heatmap"]
        if previous is not None:  # same run since the last sample: training went on
            assert s["iteration"] > previous, "the frame loop stopped training"
        previous = s["iteration"]
        if time.monotonic() - start > warm_up:
            fps.append(s["fps"])
            samples.append(pg.evaluate("window.glasslab.memory()"))
    pg.evaluate("window.glasslab.pause()")
    assert statistics.median(fps) > 20, f"frame rate fell: {fps}"
    assert_levels_off(samples, "GAN page")


def soak_cnn(pg, seconds: float) -> None:
    files = pg.evaluate(
        "[...document.querySelectorAll('#samples .sample')].map((b) => b.dataset.file)"
    )
    assert len(files) >= 10
    warm_up = min(5.0, seconds / 5)
    start = time.monotonic()
    samples, rounds = [], 0
    while time.monotonic() - start < seconds or len(samples) < MIN_SAMPLES:
        for name in files:
            s = pg.evaluate("(f) => window.glasslab.classify('samples/' + f)", name)
            assert s["image"] == name and s["message"] is None, s["message"]
        rounds += 1
        if time.monotonic() - start > warm_up:
            samples.append(pg.evaluate("window.glasslab.memory()"))
    assert rounds >= 2
    assert_levels_off(samples, "CNN page")


def test_long_run_keeps_memory_flat(soak_browser, server, request):
    seconds = duration(request.config)
    context = soak_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        gan = context.new_page()
        gan.log = PageLog(gan)
        gan.goto(server.url("gan.html"))
        wait_ready(gan)
        soak_gan(gan, seconds * 0.7)
        assert gan.log.console_errors == [] and gan.log.page_errors == []
        assert gan.log.foreign(server.origin) == []
        gan.close()

        cnn = context.new_page()
        cnn.log = PageLog(cnn)
        cnn.goto(server.url("cnn.html"))
        wait_ready(cnn)
        soak_cnn(cnn, seconds * 0.3)
        assert cnn.log.console_errors == [] and cnn.log.page_errors == []
        assert cnn.log.foreign(server.origin) == []
    finally:
        context.close()
