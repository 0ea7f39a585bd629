"""The CNN explainer teaches: explanations opened in place, animation controls, values
under the pointer, the flattened vector, softmax temperature, why-this-class maps, your
own kernel, the article, embed and a phone's width, in real Chromium.

Numbers the page shows are checked against the same computation on CPython
(glasslab.cnn on the same lossless image)."""

from __future__ import annotations

import numpy as np
import pytest
from glasslab.cnn.page_data import page_luts

from tests.browser.conftest import PageLog, wait_ready

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def cnn(browser, server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.log = PageLog(pg)
    pg.goto(server.url("cnn.html"))
    wait_ready(pg)
    yield pg
    errors = pg.log.page_errors
    ctx.close()
    assert errors == []


def state(pg) -> dict:
    return pg.evaluate("window.glasslab.state()")


def has(pg, name: str) -> bool:
    return pg.evaluate(f"typeof window.glasslab.{name} === 'function'")


def fmt(v: float, digits: int = 4) -> str:
    text = f"{v:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def hover_cell(pg, selector: str, y: int, x: int, h: int, w: int) -> None:
    """Move the mouse to the middle of cell (y, x) of an (h, w) map drawn by `selector`."""
    pg.locator(selector).scroll_into_view_if_needed()
    box = pg.locator(selector).bounding_box()
    pg.mouse.move(box["x"] + (x + 0.5) * box["width"] / w, box["y"] + (y + 0.5) * box["height"] / h)


def test_open_expands_in_place_and_the_overview_stays(cnn, shown):
    n_neurons = cnn.evaluate(
        "document.querySelectorAll('.neuron[data-layer][data-channel]').length"
    )
    assert n_neurons == 3 + 10 * 10  # the input's 3 channels, ten layers of 10 maps
    assert cnn.locator('#class-list li[data-layer][data-channel="9"]').count() == 1
    s = cnn.evaluate("window.glasslab.open('conv_1_2', 4)")
    assert s["detail"]["layer"] == "conv_1_2" and s["detail"]["channel"] == 4
    assert s["detail"]["kind"] == "conv" and s["detail"]["cell"] is not None
    assert cnn.evaluate("document.getElementById('detail').open") is True
    # in the overview, between the column it reads from and its own, nothing covered
    order = cnn.evaluate(
        "[...document.getElementById('overview-cols').children].map(n => n.id || n.dataset.col)"
    )
    assert order.index("detail") + 1 == order.index("3")  # just before conv_1_2 (column 3)
    assert cnn.evaluate("document.querySelector('dialog#detail:modal')") is None
    for col in ("1", "2", "3"):
        assert cnn.is_visible(f'.col[data-col="{col}"] canvas')
    d = cnn.locator("#detail").bounding_box()
    c = cnn.locator('.col[data-col="2"]').bounding_box()
    assert c["x"] + c["width"] <= d["x"]  # relu_1_1 to its left
    assert (
        cnn.is_visible("#det-in-9") and cnn.is_visible("#det-k-0") and cnn.is_visible("#det-mid-0")
    )
    assert "own kernel" in cnn.text_content("#detail .channels")
    assert cnn.is_visible("#detail-bias")
    s = cnn.evaluate("window.glasslab.close()") or state(cnn)
    assert state(cnn)["detail"] is None
    assert cnn.evaluate("document.getElementById('detail').open") is False
    # a click on a neuron element opens it; Escape closes it
    cnn.click('.neuron[data-layer="relu_2_1"][data-channel="3"]')
    s = state(cnn)
    assert (s["detail"]["layer"], s["detail"]["channel"]) == ("relu_2_1", 3)
    assert s["focus"] == [s["columns"].index("relu_2_1"), 3]
    cnn.keyboard.press("Escape")
    assert state(cnn)["detail"] is None
    # the classes and the input by name; an unknown layer is a message, nothing opens
    assert cnn.evaluate("window.glasslab.open('output', 7)")["detail"]["kind"] == "output"
    assert cnn.evaluate("window.glasslab.open('input', 1)")["detail"]["kind"] == "input"
    cnn.evaluate("window.glasslab.close()")
    cnn.evaluate("window.glasslab.open('dense_9', 0).catch(e => String(e))")
    s = state(cnn)
    assert s["detail"] is None and "dense_9" in (s["message"] or "")


def test_every_animated_view_has_its_player(cnn, shown, tinyvgg):
    cnn.mouse.move(1, 1)  # a pointer over a map would hold the walk
    for layer in ("conv_2_1", "relu_1_1", "max_pool_1"):
        cnn.evaluate(f"window.glasslab.open('{layer}', 2)")
        bar = "#detail .player"
        assert cnn.get_attribute(bar, "data-playing") == "true", layer
        cnn.click(f"{bar} .pl-play")
        assert cnn.get_attribute(bar, "data-playing") == "false"
        r, c = state(cnn)["detail"]["cell"]
        w = tinyvgg.layer(layer).shape[1]
        cnn.click(f"{bar} .pl-fwd")
        assert state(cnn)["detail"]["cell"] == ([r, c + 1] if c + 1 < w else [r + 1, 0])
        cnn.click(f"{bar} .pl-back")
        assert state(cnn)["detail"]["cell"] == [r, c], layer
        cnn.select_option(f"{bar} .pl-speed", "4")
        cnn.click(f"{bar} .pl-play")
        cnn.wait_for_function(
            f"JSON.stringify(window.glasslab.state().detail.cell) !== '[{r},{c}]'", timeout=5000
        )
        cnn.keyboard.press("Escape")
    # flatten / softmax: the player walks over the flattened vector
    cnn.evaluate("window.glasslab.open('output', 1)")
    cnn.click("#detail .player .pl-play")  # pause
    step = int(cnn.get_attribute("#detail .player", "data-step") or 0)
    cnn.click("#detail .player .pl-fwd")
    assert cnn.get_attribute("#detail .player", "data-step") == str(step + 1)
    assert f"element {step + 1} " in cnn.text_content("#fl-source")
    cnn.keyboard.press("Escape")
    # the playground
    assert cnn.locator("#pg-player .player .pl-play").count() == 1
    cnn.click("#pg-player .pl-play")
    if cnn.get_attribute("#pg-player .player", "data-playing") == "true":
        cnn.click("#pg-player .pl-play")
    step = int(cnn.get_attribute("#pg-canvas", "data-step"))
    cnn.click("#pg-player .pl-fwd")
    assert int(cnn.get_attribute("#pg-canvas", "data-step")) == step + 1
    # dragging over the input grid moves the window
    box = cnn.locator("#pg-canvas").bounding_box()
    cnn.mouse.move(box["x"] + 20, box["y"] + 20)
    assert int(cnn.get_attribute("#pg-canvas", "data-step")) == 0


def test_values_under_the_pointer_are_the_activations(cnn, shown):
    x, acts, probs = shown
    cols = state(cnn)["columns"]
    col = cols.index("conv_2_1")
    h, w = acts["conv_2_1"].shape[:2]
    tile = cnn.locator('.neuron[data-layer="conv_2_1"][data-channel="2"]')
    tile.scroll_into_view_if_needed()
    box = tile.bounding_box()
    y, xx = 11, 17
    cnn.mouse.move(
        box["x"] + (xx + 0.5) * box["width"] / w, box["y"] + (y + 0.5) * box["height"] / h
    )
    text = cnn.text_content("#focus-value")
    assert "output value" in text and f"({y}, {xx})" in text
    assert fmt(acts["conv_2_1"][y, xx, 2]) in text
    assert state(cnn)["focus"] == [col, 2]
    # the input: a pixel
    cnn.locator('.neuron[data-layer="input"][data-channel="1"]').scroll_into_view_if_needed()
    tile = cnn.locator('.neuron[data-layer="input"][data-channel="1"]').bounding_box()
    cnn.mouse.move(tile["x"] + 30.5 * tile["width"] / 64, tile["y"] + 5.5 * tile["height"] / 64)
    text = cnn.text_content("#focus-value")
    assert text.startswith("pixel") and fmt(x[5, 30, 1]) in text
    # a class: its probability
    cnn.hover('#class-list li[data-channel="3"]')  # (scrolled into view by hover)
    assert fmt(probs[3]) in cnn.text_content("#focus-value")
    # inside an explanation: the readout line
    cnn.evaluate("window.glasslab.open('max_pool_2', 6)")
    hover_cell(cnn, "#det-out", 4, 9, 13, 13)
    text = cnn.text_content("#detail-readout")
    assert "output value (4, 9)" in text and fmt(acts["max_pool_2"][4, 9, 6]) in text
    assert state(cnn)["detail"]["cell"] == [4, 9]
    hover_cell(cnn, "#det-in-0", 20, 3, 26, 26)
    assert fmt(acts["relu_2_2"][20, 3, 6]) in cnn.text_content("#detail-readout")
    cnn.keyboard.press("Escape")


def test_flattened_element_shows_its_source_and_weights(cnn, shown, tinyvgg):
    _, acts, _ = shown
    cnn.evaluate("window.glasslab.open('output', 3)")
    cnn.click("#detail .player .pl-play")  # pause the walk
    h = w = 13
    ch, y, x = 2, 4, 5
    strip_w = 10 * (w + 1) - 1
    hover_cell(cnn, "#det-v", y, ch * (w + 1) + x, h, strip_w)
    source = cnn.text_content("#fl-source")
    assert "max_pool_2" in source and "channel 2" in source and "(4, 5)" in source
    assert float(cnn.text_content("#fl-value")) == pytest.approx(
        acts["max_pool_2"][y, x, ch], abs=1e-4
    )
    weight = tinyvgg.layers[-1].kernel  # (1690, 10), rows in the flatten's H, W, C order
    j = (y * w + x) * 10 + ch
    for k in range(10):
        assert float(cnn.text_content(f"#fl-w-{k}")) == pytest.approx(weight[j, k], abs=1e-4)
    cnn.keyboard.press("Escape")


def softmax(z, t):
    e = np.exp((np.asarray(z, np.float64) - np.max(z)) / t)
    return e / e.sum()


def test_softmax_formula_and_temperature(cnn, shown):
    cnn.evaluate("window.glasslab.open('output', 0)")
    assert cnn.locator("#detail math#softmax-formula").count() == 1
    z = [float(cnn.text_content(f"#sm-logit-{j}")) for j in range(10)]
    cnn.hover("#softmax-table tbody tr:nth-child(6)")  # class 5: its logit in the formula
    assert cnn.text_content("#sm-hot-logit") == fmt(z[5], 3)
    assert "logit" in cnn.text_content("#detail-readout")
    temperatures = [
        float(t) for t in cnn.get_attribute("#temperature", "data-temperatures").split(",")
    ]
    assert min(temperatures) == 0.1 and max(temperatures) == 10
    assert temperatures[int(cnn.input_value("#temperature"))] == 1  # T = 1 at first
    cnn.fill("#temperature", str(temperatures.index(4)))  # T = 4
    cnn.dispatch_event("#temperature", "change")
    assert cnn.text_content("#temperature-value") == "4.00"
    for j in range(10):
        assert float(cnn.text_content(f"#sm-prob-{j}")) == pytest.approx(softmax(z, 4)[j], abs=2e-4)
    if has(cnn, "set"):
        cnn.wait_for_function("window.glasslab.state().temperature === 4", timeout=10_000)
        s = state(cnn)
        np.testing.assert_allclose(s["probabilities"], softmax(s["logits"], 4), atol=1e-5)
        cnn.evaluate("window.glasslab.set({temperature: 1})")
    cnn.keyboard.press("Escape")


def test_why_this_class_overlay_draws_the_saliency_map(cnn, shown):
    if not has(cnn, "saliency"):
        pytest.skip("the page has no saliency() yet")
    s = state(cnn)
    cnn.check("#why-on")
    assert cnn.input_value("#why-class") == str(s["top"])  # the predicted class first
    for method in ("gradient", "gradcam"):
        cnn.check(f'input[name="why-method"][value="{method}"]')
        cnn.wait_for_function(
            f"document.getElementById('why-overlay').dataset.method === '{method}'", timeout=20_000
        )
        m = cnn.evaluate(f"window.glasslab.saliency({s['top']}, '{method}')")
        values = np.abs(np.asarray(m["values"], np.float64)).reshape(m["height"], m["width"])
        alpha = np.asarray(
            cnn.evaluate(
                """() => { const c = document.getElementById('why-overlay');
                return [...c.getContext('2d').getImageData(0, 0, c.width, c.height).data]
                  .filter((_, i) => i % 4 === 3); }"""
            ),
            np.float64,
        ).reshape(m["height"], m["width"])
        # opacity sqrt(|value| / max): normalised, with a display gamma
        np.testing.assert_allclose(alpha, np.rint(255 * np.sqrt(values / values.max())), atol=1)
    assert cnn.is_visible("#why-legend")


def test_own_kernel_is_applied_to_the_image(cnn, shown):
    if not has(cnn, "convolve"):
        pytest.skip("the page has no convolve() yet")
    cnn.select_option("#kern-preset", "sobel_x")
    cnn.wait_for_function("document.getElementById('kern-output').dataset.size", timeout=10_000)
    kernel = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    res = cnn.evaluate(f"window.glasslab.convolve({kernel})")
    h, w = res["height"], res["width"]
    assert (h, w) == (62, 62)
    values = np.asarray(res["values"], np.float32).reshape(h, w)
    lim = float(cnn.get_attribute("#kern-output", "data-limit"))
    assert lim == pytest.approx(np.abs(values).max(), rel=1e-5)
    pixels = np.asarray(
        cnn.evaluate(
            """() => { const c = document.getElementById('kern-output');
            return [...c.getContext('2d').getImageData(0, 0, c.width, c.height).data]; }"""
        ),
        np.int32,
    ).reshape(h, w, 4)
    expected = page_luts()["activation"].colours(values, -lim, lim)
    assert np.abs(pixels[:, :, :3] - expected[:, :, :3].astype(np.int32)).max() <= 8
    hover_cell(cnn, "#kern-output", 30, 40, h, w)  # the value under the pointer
    assert f"(30, 40) = {fmt(values[30, 40])}" in cnn.text_content("#kern-read")
    # typed by hand, checked cell by cell
    cnn.select_option("#kern-size", "2")
    assert cnn.locator("#kern-grid input").count() == 4
    cnn.fill("#kern-1-0", "abc")
    assert "abc" in cnn.text_content("#kern-message")
    assert cnn.get_attribute("#kern-1-0", "aria-invalid") == "true"
    cnn.fill("#kern-1-0", "0.5")
    cnn.wait_for_function("document.getElementById('kern-output').dataset.size === '63x63'")
    assert cnn.is_visible("#kern-real")


def test_article_sections_formulas_and_try_it_buttons(cnn, shown):
    assert cnn.locator("article[data-article][data-panel='article'] section h2").count() >= 6
    assert cnn.locator("article[data-article] math").count() >= 6
    ids = cnn.evaluate("[...document.querySelectorAll('[data-article] section')].map(s => s.id)")
    for target in cnn.evaluate(
        "[...document.querySelectorAll('.col-name .info-link, #detail-info, .why .info-link')]"
        ".map(a => a.getAttribute('href').slice(1))"
    ):
        assert target in ids
    assert cnn.locator(".col-name .info-link").count() == len(state(cnn)["columns"]) + 1
    cnn.evaluate("window.glasslab.open('relu_1_2', 0)")
    assert cnn.get_attribute("#detail-info", "href") == "#art-relu"
    cnn.keyboard.press("Escape")
    # Chinese too
    before = cnn.text_content("#art-conv h2")
    cnn.evaluate("window.glasslabI18n.setLang('zh-CN')")
    assert cnn.text_content("#art-conv h2") != before
    cnn.evaluate("window.glasslabI18n.setLang('en')")
    # the buttons set the page up
    cnn.click('[data-try="koala"]')
    cnn.wait_for_function(
        "window.glasslab.state().image === 'koala_1-upside-down.png'", timeout=30_000
    )
    cnn.click('[data-try="blur"]')
    cnn.wait_for_function(
        "window.glasslab.state().image === 'koala_1-upside-down-blurred.png'", timeout=30_000
    )
    cnn.click('[data-try="kernel"]')
    assert cnn.input_value("#kern-preset") == "edges"
    assert cnn.input_value("#kern-1-1") == "8"


def test_article_is_an_embed_panel(browser, server):
    ctx = browser.new_context(viewport={"width": 900, "height": 800})
    pg = ctx.new_page()
    try:
        pg.goto(server.url("cnn.html?embed=1&panels=article"))
        wait_ready(pg)
        assert pg.is_visible("article[data-article]") and pg.is_hidden("#input-panel")
        pg.goto(server.url("cnn.html?embed=1&panels=input,overview"))
        wait_ready(pg)
        assert pg.is_hidden("article[data-article]") and pg.is_visible("#input-panel")
    finally:
        ctx.close()


def test_a_phone_by_touch(browser, server):
    ctx = browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )
    pg = ctx.new_page()
    try:
        pg.goto(server.url("cnn.html"))
        wait_ready(pg)
        wide = "document.documentElement.scrollWidth"
        assert pg.evaluate(wide) <= 360
        pg.locator('.neuron[data-layer="conv_1_1"][data-channel="0"]').scroll_into_view_if_needed()
        pg.tap('.neuron[data-layer="conv_1_1"][data-channel="0"]')
        pg.wait_for_function("window.glasslab.state().detail !== null")
        assert pg.evaluate("window.glasslab.state().detail.layer") == "conv_1_1"
        d = pg.locator("#detail").bounding_box()
        assert d["width"] <= 360
        assert pg.evaluate(wide) <= 360
        pg.tap("#detail .player .pl-play")
        assert pg.get_attribute("#detail .player", "data-playing") == "false"
        pg.tap("#detail-close")
        assert pg.evaluate("window.glasslab.state().detail") is None
        pg.check("#why-on")
        assert pg.evaluate(wide) <= 360
    finally:
        ctx.close()
