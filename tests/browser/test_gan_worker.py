"""The GAN lab trains in a worker while it plays (site/js/gan-worker.js), and the page's lab
is exactly the worker's when it comes back; without a worker it trains on the page."""

from __future__ import annotations

import time

import numpy as np
import pytest
from glasslab.gan import GanLab

from tests.browser.conftest import module_page, wait_ready
from tests.browser.test_foundation import read_canvas

pytestmark = pytest.mark.browser

WORKER_MS = 90_000  # the worker loads its own Pyodide (slow on a busy machine)

# the reports the page takes from the worker: the newest one's iteration and parameters
RECORD = """() => {
    const port = window.glasslabGanView.trainer, take = port.take;
    window.taken = null;
    port.take = () => {
        const r = take();
        if (r) window.taken = {iteration: r.iteration, params: Array.from(r.params)};
        return r;
    };
}"""


@pytest.fixture(scope="module")
def gan(browser, server):
    with module_page(browser, server, "gan.html?pretrained=0", accept_downloads=True) as pg:
        yield pg


def state(pg) -> dict:
    return pg.evaluate("window.glasslab.state()")


def on_worker(pg) -> None:
    pg.wait_for_function("window.glasslab.state().trainer === 'worker'", timeout=WORKER_MS)


def advanced(pg, by: int) -> int:
    start = state(pg)["iteration"]
    pg.wait_for_function(f"window.glasslab.state().iteration >= {start + by}", timeout=60_000)
    return state(pg)["iteration"]


def test_training_moves_to_the_worker_and_comes_back_exactly(gan, tmp_path):
    assert state(gan)["trainer"] == "page"
    gan.evaluate("window.glasslab.play()")
    on_worker(gan)
    gan.evaluate(RECORD)
    before = read_canvas(gan, "gan-canvas")
    advanced(gan, 300)
    s = state(gan)
    assert s["trainer"] == "worker" and s["playing"] and s["iterations_per_second"] > 0
    assert np.abs(read_canvas(gan, "gan-canvas").astype(int) - before).sum() > 0  # drawn

    gan.evaluate("window.glasslab.pause()")
    s, taken = state(gan), gan.evaluate("window.taken")
    assert s["trainer"] == "page" and not s["playing"]
    assert s["iteration"] == taken["iteration"]  # the newest report the page got
    with gan.expect_download() as info:
        gan.click("#btn-save")
    path = tmp_path / "model.json"
    info.value.save_as(path)
    lab = GanLab.from_json(path.read_text())
    assert lab.iteration == taken["iteration"]
    params = np.concatenate([lab.generator.params, lab.discriminator.params])
    assert np.array_equal(params, np.array(taken["params"]))  # bit for bit
    gan.evaluate("window.glasslab.step('both')")  # the page trains its lab on
    assert state(gan)["iteration"] == taken["iteration"] + 1


def test_a_setting_changed_while_playing_applies_and_training_goes_on(gan):
    gan.evaluate("window.glasslab.play()")
    on_worker(gan)
    s = gan.evaluate("window.glasslab.set({d_lr: 0.03, k_d: 2})")
    assert s["d_lr"] == 0.03 and s["k_d"] == 2 and s["playing"] and s["trainer"] == "page"
    on_worker(gan)  # handed over again
    start = state(gan)
    advanced(gan, 200)
    s = state(gan)
    assert s["d_steps"] - start["d_steps"] >= 2 * (s["iteration"] - start["iteration"]) - 4
    listed = gan.evaluate("window.glasslab.history()")  # the scrubber reads it while playing
    assert listed and listed[-1]["iteration"] > start["iteration"] - 200
    assert state(gan)["trainer"] == "worker"  # ... without taking the lab back
    gan.evaluate("window.glasslab.pause()")
    s = state(gan)
    assert s["d_lr"] == 0.03 and s["trainer"] == "page"
    kept = [e["iteration"] for e in gan.evaluate("window.glasslab.history()")]
    assert listed[-1]["iteration"] in kept and kept[-1] <= s["iteration"]
    gan.evaluate("window.glasslab.set({d_lr: 0.1, k_d: 1})")


def test_slow_motion_trains_on_the_page(gan):
    gan.evaluate("window.glasslab.play()")
    on_worker(gan)
    gan.evaluate("window.glasslab.set({slow_motion: true})")
    gan.wait_for_function("window.glasslab.state().trainer === 'page'", timeout=5_000)
    assert state(gan)["playing"]
    gan.evaluate("window.glasslab.pause(); window.glasslab.set({slow_motion: false})")


def test_without_its_worker_the_page_trains_on_its_own(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.route(
        lambda url: url.endswith("gan-worker.js?worker"),
        lambda route: route.fulfill(status=404, body="not here"),
    )
    pg.goto(server.url("gan.html?pretrained=0"))
    wait_ready(pg)
    pg.evaluate("window.glasslab.play()")
    pg.wait_for_function("window.glasslabGanView.trainer.failed", timeout=30_000)
    advanced(pg, 100)
    time.sleep(1.0)
    s = state(pg)
    assert s["trainer"] == "page" and s["playing"] and s["message"] is None
    pg.evaluate("window.glasslab.pause()")
    pg.evaluate("window.glasslab.step('both')")
    assert errors == []
    context.close()
