"""The benchmark calls that bench/run.py relies on: they measure real work and change nothing."""

from __future__ import annotations

import pytest

from tests.browser.conftest import open_page

pytestmark = pytest.mark.browser


def test_gan_benchmark_trains_a_copy(page, server):
    open_page(page, server, "gan.html?pretrained=0")
    before = page.evaluate("window.glasslab.state()")
    result = page.evaluate("window.glasslab.benchmark(200)")
    assert result["iterations"] == 200 and result["seconds"] > 0
    assert result["per_second"] == pytest.approx(200 / result["seconds"])
    after = page.evaluate("window.glasslab.state()")
    assert after["iteration"] == before["iteration"] and after["js"] == before["js"]


def test_cnn_benchmark_times_numpy_redraw_and_onnx_runtime(page, server):
    open_page(page, server, "cnn.html")
    page.evaluate("window.glasslab.ortDone()")
    before = page.evaluate("window.glasslab.state()")
    result = page.evaluate("window.glasslab.benchmark(5)")
    assert result["runs"] == 5
    for key in ("numpy_forward_ms", "redraw_ms", "ort_ms"):
        assert result[key] > 0, key
    assert result["redraw_ms"] >= result["numpy_forward_ms"] * 0.5
    after = page.evaluate("window.glasslab.ortDone()")
    assert after["probabilities"] == before["probabilities"]
    assert after["ort_max_diff"] is not None and after["ort_max_diff"] <= 1e-4
