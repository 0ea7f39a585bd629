"""The GAN lab's engine calls in real Chromium: probe, the critic losses, the history and
seeking back (bit for bit), and a second run side by side."""

from __future__ import annotations

import math

import pytest

from tests.browser.conftest import module_page, wait_ready

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def gan(browser, server):
    with module_page(browser, server, "gan.html?pretrained=0&seed=3") as pg:
        yield pg


@pytest.fixture
def fresh(gan):
    gan.evaluate("window.glasslab.pause()")
    gan.evaluate("window.glasslab.compare(null)")
    gan.evaluate(
        "window.glasslab.set({dataset: 'gaussians', pretrained: false, loss: 'log', seed: 3})"
    )
    gan.evaluate("window.glasslab.reset()")
    return gan


def state(pg) -> dict:
    return pg.evaluate("window.glasslab.state()")


def frames(pg, n: int = 2) -> None:
    pg.evaluate(
        "n => new Promise(r => { const f = k => (k ? requestAnimationFrame(() => f(k - 1)) : r());"
        " f(n); })",
        n,
    )


def steps(pg, n: int) -> None:
    pg.evaluate("n => { for (let i = 0; i < n; i++) window.glasslab.step('both'); }", n)


def test_probe_is_the_number_of_the_running_discriminator(fresh):
    steps(fresh, 20)
    reading = fresh.evaluate("window.glasslab.probe(0.3, 0.7)")
    assert set(reading) == {"x", "y", "d"} and (reading["x"], reading["y"]) == (0.3, 0.7)
    assert 0.0 <= reading["d"] <= 1.0
    assert state(fresh)["d_kind"] == "probability"
    again = fresh.evaluate("window.glasslab.probe(0.3, 0.7)")
    assert again["d"] == reading["d"]
    steps(fresh, 5)
    assert fresh.evaluate("window.glasslab.probe(0.3, 0.7)")["d"] != reading["d"]
    for bad in ("1.5, 0.5", "0.5, -0.1", "'a', 0.5", "NaN, 0.5"):
        message = fresh.evaluate(
            f"() => {{ try {{ window.glasslab.probe({bad}); return null; }}"
            " catch (e) { return e.message; } }"
        )
        assert message and "probe" in message


@pytest.mark.parametrize("loss", ["hinge", "wasserstein"])
def test_critic_losses_switch_live_and_probe_gives_the_score(fresh, loss):
    steps(fresh, 10)
    before = state(fresh)["iteration"]
    s = fresh.evaluate(f"window.glasslab.set({{loss: '{loss}'}})")
    assert s["loss"] == loss and s["d_kind"] == "critic" and s["iteration"] == before  # live
    steps(fresh, 30)
    s = state(fresh)
    assert math.isfinite(s["d_loss"]) and math.isfinite(s["g_loss"])
    assert fresh.evaluate("document.querySelector('#hp-loss').value") == loss
    d = fresh.evaluate("window.glasslab.probe(0.5, 0.5)")["d"]
    assert math.isfinite(d)
    if loss == "wasserstein":
        assert abs(d) < 5  # the clipped critic's scores stay small
    frames(fresh)
    fresh.evaluate("window.glasslab.set({loss: 'log'})")
    assert state(fresh)["d_kind"] == "probability"


def test_history_lists_snapshots_and_seek_repeats_the_run_bit_for_bit(fresh):
    steps(fresh, 500)
    listed = fresh.evaluate("window.glasslab.history()")
    assert [h["iteration"] for h in listed] == [0, 100, 200, 300, 400, 500]
    assert set(listed[-1]) == {"iteration", "d_loss", "g_loss", "kl", "js"}
    end = state(fresh)
    probe_end = fresh.evaluate("window.glasslab.probe(0.41, 0.62)")["d"]
    s = fresh.evaluate("window.glasslab.seek(200)")  # a Promise of state()
    assert s["iteration"] == 200
    assert s["d_loss"] == listed[2]["d_loss"] and s["g_loss"] == listed[2]["g_loss"]
    steps(fresh, 300)
    again = state(fresh)
    assert again["iteration"] == 500
    assert (again["d_loss"], again["g_loss"]) == (end["d_loss"], end["g_loss"])
    assert fresh.evaluate("window.glasslab.probe(0.41, 0.62)")["d"] == probe_end
    message = fresh.evaluate("window.glasslab.seek(250).then(() => null, (e) => e.message)")
    assert message and "250" in message
    assert state(fresh)["iteration"] == 500  # refused: nothing changed


def test_the_scrubber_seeks_by_keyboard(fresh):
    steps(fresh, 300)
    scrubber = fresh.locator("[data-history] input[type=range]")
    scrubber.focus()
    frames(fresh)
    assert scrubber.evaluate("e => e.max") == "3"
    scrubber.press("Home")
    fresh.wait_for_function("window.glasslab.state().iteration === 0")
    scrubber.press("ArrowRight")
    fresh.wait_for_function("window.glasslab.state().iteration === 100")
    assert "100" in fresh.locator("[data-history] [data-history-readout]").inner_text()


def test_compare_runs_a_second_lab_in_the_same_frames(fresh):
    assert state(fresh)["compare"] is None
    s = fresh.evaluate("window.glasslab.compare({g_optimizer: 'adam'})")
    twin = s["compare"]
    assert twin["g_optimizer"] == "adam" and s["g_optimizer"] == "sgd"
    assert twin["iteration"] == s["iteration"] and twin["seed"] == s["seed"]
    assert fresh.locator("[data-compare-view]").is_visible()
    fresh.evaluate("window.glasslab.play()")
    fresh.wait_for_function("window.glasslab.state().iteration > 300", timeout=60_000)
    fresh.evaluate("window.glasslab.pause()")
    frames(fresh)
    s = state(fresh)
    assert s["compare"]["iteration"] == s["iteration"]
    assert s["compare"]["d_loss"] != s["d_loss"]
    assert fresh.locator("[data-message]").is_hidden()  # no error while drawing the twin
    # the twin's canvas shows its real samples (green dots) over its heatmap
    counts = fresh.evaluate(
        """() => { const c = document.querySelector('[data-compare-canvas]');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let green = 0;
            for (let i = 0; i < d.length; i += 4) {
              if (Math.abs(d[i] - 0x1b) < 12 && Math.abs(d[i + 1] - 0x8a) < 12
                  && Math.abs(d[i + 2] - 0x5a) < 12) green++;
            }
            return green; }"""
    )
    assert counts > 200, counts
    message = fresh.evaluate(
        "() => { try { window.glasslab.compare({g_lr: 7}); } catch (e) { return e.message; } }"
    )
    assert message and "g_lr" in message
    assert state(fresh)["compare"]["g_optimizer"] == "adam"  # refused: unchanged
    s = fresh.evaluate("window.glasslab.compare({loss: 'lsq'})")
    assert s["compare"]["loss"] == "lsq" and s["compare"]["g_optimizer"] == "sgd"
    assert fresh.evaluate("window.glasslab.compare(null)")["compare"] is None
    assert not fresh.locator("[data-compare-view]").is_visible()


def test_compare_form_and_narrow_layout(browser, server):
    context = browser.new_context(viewport={"width": 360, "height": 800}, has_touch=True)
    pg = context.new_page()
    pg.goto(server.url("gan.html?pretrained=0"))
    wait_ready(pg)
    pg.locator("[data-compare] button[aria-expanded]").click()
    pg.locator("[data-compare-setting]").select_option("loss")
    pg.locator("[data-compare-value]").select_option("hinge")
    pg.locator("[data-compare] button[type=submit]").click()
    pg.wait_for_function(
        "window.glasslab.state().compare && window.glasslab.state().compare.loss === 'hinge'"
    )
    view = pg.locator("[data-compare-canvas]").bounding_box()
    assert view["width"] <= 360
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 362
    context.close()
