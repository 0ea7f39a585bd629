"""Everything the mouse does, done by a finger, on a phone (360 x 740) and a tablet
(768 x 1024) with touch, in real Chromium: real touch input through the DevTools protocol
(Input.dispatchTouchEvent, never synthetic JS events). Drawing data on the GAN's pad,
press and hold for the values under the finger (the distribution view, the charts, the
model graph, the CNN overview and its maps), a tap or a drag that chooses the cell of a
CNN explanation and of the playground, scrubbing the GAN history, editing code in the
editor with the on-screen keyboard, and a swipe elsewhere that still scrolls the page."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager

import pytest

from tests.browser.conftest import PageLog, wait_ready

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
TABLET = {"width": 768, "height": 1024}
HOLD_S = 0.7  # longer than the page's press and hold (400 ms)
D_STEP = "GanLab.discriminator_step"


@contextmanager
def touch_page(browser, server, path: str, viewport: dict):
    """A ready page in a phone-like context (touch, mobile viewport) and its finger."""
    context = browser.new_context(viewport=viewport, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.log = PageLog(pg)
    pg.goto(server.url(path))
    wait_ready(pg)
    pg.finger = Finger(context.new_cdp_session(pg))
    yield pg
    assert pg.log.foreign(server.origin) == []
    assert pg.log.page_errors == []
    context.close()


class Finger:
    """One finger on the touch screen, in CSS pixels of the viewport."""

    def __init__(self, cdp):
        self.cdp = cdp

    def _send(self, kind: str, points: list) -> None:
        self.cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def down(self, x: float, y: float) -> None:
        self._send("touchStart", [{"x": x, "y": y}])

    def move(self, x: float, y: float) -> None:
        self._send("touchMove", [{"x": x, "y": y}])

    def up(self) -> None:
        self._send("touchEnd", [])

    def stroke(self, points, hold: float = 0.0, pause: float = 0.02) -> None:
        """Down at the first point, (hold,) through the others, up."""
        self.down(*points[0])
        time.sleep(hold)
        for point in points[1:]:
            self.move(*point)
            time.sleep(pause)
        self.up()

    def swipe(self, x: float, y0: float, y1: float, steps: int = 10) -> None:
        """A quick vertical swipe."""
        self.stroke([(x, y0 + (y1 - y0) * i / steps) for i in range(steps + 1)], pause=0.016)


def box_of(pg, selector: str) -> dict:
    pg.locator(selector).first.scroll_into_view_if_needed()
    pg.wait_for_timeout(150)
    return pg.locator(selector).first.bounding_box()


def unit_point(box: dict, x: float, y: float) -> tuple[float, float]:
    """Screen point of unit-square (x, y) on the GAN canvas (y up)."""
    return box["x"] + x * box["width"], box["y"] + (1 - y) * box["height"]


def cell_point(box: dict, y: int, x: int, h: int, w: int) -> tuple[float, float]:
    """Screen point in the middle of cell (y, x) of an (h, w) map."""
    return box["x"] + (x + 0.5) * box["width"] / w, box["y"] + (y + 0.5) * box["height"] / h


def map_point(pg, selector: str, y: int, x: int, h: int, w: int) -> tuple[float, float]:
    """Screen point in the middle of cell (y, x) of an (h, w) map drawn on canvas
    `selector` (inside its border, at the size it is shown)."""
    box_of(pg, selector)
    return tuple(
        pg.evaluate(
            """([s, y, x, h, w]) => {
            const c = document.querySelector(s), r = c.getBoundingClientRect();
            return [r.left + c.clientLeft + (x + 0.5) * c.clientWidth / w,
                    r.top + c.clientTop + (y + 0.5) * c.clientHeight / h]; }""",
            [selector, y, x, h, w],
        )
    )


def fmt(v: float, digits: int = 4) -> str:
    text = f"{v:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def tip_state(pg, selector: str) -> dict:
    return pg.evaluate(
        """(s) => { const t = document.querySelector(s), r = t.getBoundingClientRect();
        return {hidden: t.hidden, text: t.innerText, left: r.left, right: r.right,
                width: document.documentElement.clientWidth}; }""",
        selector,
    )


def scroll_y(pg) -> float:
    return pg.evaluate("window.scrollY")


# ---------------------------------------------------------------- the GAN lab on a phone
@pytest.fixture(scope="module")
def gan(browser, server):
    with touch_page(browser, server, "gan.html", PHONE) as pg:
        yield pg


def test_a_finger_draws_data_on_the_pad_and_the_page_stays(gan):
    gan.select_option("#opt-dataset", "drawing")
    assert gan.evaluate("window.glasslab.state().drawing_mode") is True
    box = box_of(gan, "#gan-canvas")
    before, y = gan.evaluate("window.glasslabGanView.canvas.nDrawing"), scroll_y(gan)
    # below the hint, a stroke of 16 touches a few pixels apart (more than the pad's spacing)
    points = [unit_point(box, 0.15 + 0.045 * i, 0.45 - 0.02 * i) for i in range(16)]
    gan.finger.stroke(points)
    gan.wait_for_timeout(100)
    assert gan.evaluate("window.glasslabGanView.canvas.nDrawing") == before + len(points)
    assert scroll_y(gan) == y  # the pad took the finger, the page did not move
    assert gan.evaluate("window.glasslab.state().drawing_mode") is True
    gan.select_option("#opt-dataset", "ring")
    assert gan.evaluate("window.glasslab.state().drawing_mode") is False


def test_press_and_hold_shows_the_distribution_values_under_the_finger(gan):
    gan.evaluate("window.glasslab.pause()")
    box = box_of(gan, "#gan-canvas")
    y = scroll_y(gan)
    for ux, uy in [(0.3, 0.6), (0.95, 0.5), (0.05, 0.1)]:
        gan.finger.down(*unit_point(box, ux, uy))
        gan.wait_for_timeout(HOLD_S * 1000)
        tip = tip_state(gan, "#canvas-tip")
        assert tip["hidden"] is False, (ux, uy)
        x, yy = (float(v) for v in re.search(r"x = ([\d.]+), y = ([\d.]+)", tip["text"]).groups())
        assert x == pytest.approx(ux, abs=0.01) and yy == pytest.approx(uy, abs=0.01)
        d = gan.evaluate(f"window.glasslab.probe({x}, {yy})")["d"]
        assert f"{d:.3f}" in tip["text"]
        assert 0 <= tip["left"] and tip["right"] <= tip["width"]  # on screen, at either edge
        # sliding the held finger moves the readout, and the page does not scroll
        gan.finger.move(*unit_point(box, 0.5, 0.5))
        gan.wait_for_timeout(150)
        moved = re.search(r"x = ([\d.]+), y = ([\d.]+)", tip_state(gan, "#canvas-tip")["text"])
        assert [float(v) for v in moved.groups()] == pytest.approx([0.5, 0.5], abs=0.01)
        gan.finger.up()
        gan.wait_for_timeout(100)
        assert tip_state(gan, "#canvas-tip")["hidden"] is True
        assert scroll_y(gan) == y


def test_a_swipe_scrolls_the_page_over_the_views_and_beside_them(gan):
    box = box_of(gan, "#gan-canvas")
    y = scroll_y(gan)
    gan.finger.swipe(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8, box["y"] + 20)
    gan.wait_for_timeout(400)
    assert scroll_y(gan) > y  # a quick swipe over the distribution view scrolls
    assert tip_state(gan, "#canvas-tip")["hidden"] is True
    y = scroll_y(gan)
    gan.finger.swipe(8, 600, 250)  # the page's margin
    gan.wait_for_timeout(400)
    assert scroll_y(gan) > y


def test_a_finger_reads_the_charts_at_an_iteration(gan):
    gan.evaluate("window.glasslab.play()")
    gan.wait_for_function(
        "window.glasslab.state().iteration > 200 && "
        "window.glasslabGanView.charts.inspect && "
        "document.getElementById('loss-values').textContent.length > 0",
        timeout=60_000,
    )
    gan.wait_for_timeout(1500)  # several chart points
    gan.evaluate("window.glasslab.pause()")
    box = box_of(gan, "#chart-loss")
    mid_y = box["y"] + box["height"] / 2
    gan.finger.down(box["x"] + box["width"] * 0.5, mid_y)
    gan.wait_for_timeout(150)
    first = gan.evaluate("window.glasslabGanView.charts.inspect().loss")
    assert first is not None
    line = gan.text_content("#loss-values")
    assert str(first["iteration"]) in line and fmt(first["d"]) in line
    gan.finger.move(box["x"] + box["width"] * 0.7, mid_y + 2)  # sideways: along the chart
    gan.wait_for_timeout(50)
    gan.finger.move(box["x"] + box["width"] * 0.95, mid_y + 4)
    gan.wait_for_timeout(150)
    later = gan.evaluate("window.glasslabGanView.charts.inspect().loss")
    assert later is not None and later["iteration"] > first["iteration"]
    gan.finger.up()
    gan.wait_for_timeout(100)
    assert gan.evaluate("window.glasslabGanView.charts.inspect().loss") == later  # it stays
    gan.touchscreen.tap(8, 300)  # a tap elsewhere puts it away
    gan.wait_for_timeout(150)
    assert gan.evaluate("window.glasslabGanView.charts.inspect().loss") is None


def test_a_finger_on_the_scrubber_goes_back_in_history(gan):
    gan.evaluate("window.glasslab.play()")
    gan.wait_for_function("window.glasslab.history().length >= 4", timeout=90_000)
    gan.evaluate("window.glasslab.pause()")
    gan.wait_for_timeout(1200)  # the scrubber reads the list again once a second
    listed = [s["iteration"] for s in gan.evaluate("window.glasslab.history()")]
    now = gan.evaluate("window.glasslab.state().iteration")
    box = box_of(gan, "[data-history] input[type=range]")
    cy = box["y"] + box["height"] / 2
    # from the thumb (at the newest snapshot, the right end), slide to the left end
    gan.finger.stroke(
        [(box["x"] + box["width"] * (1 - i / 10) - 4, cy) for i in range(11)] + [(box["x"] + 2, cy)]
    )
    gan.wait_for_function(f"window.glasslab.state().iteration !== {now}", timeout=10_000)
    assert gan.evaluate("window.glasslab.state().iteration") == listed[0]
    readout = gan.text_content("[data-history] [data-history-readout]")
    assert f"{listed[0]:,}" in readout


def test_a_tap_on_a_graph_node_explains_it_until_a_tap_elsewhere(gan):
    box = box_of(gan, "[data-node=discriminator]")
    gan.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    gan.wait_for_timeout(150)
    tip = tip_state(gan, "#graph-tip")
    expected = gan.evaluate("window.glasslabI18n.t('gan.graph.tip.discriminator')")
    assert tip["hidden"] is False and tip["text"] == expected
    assert 0 <= tip["left"] and tip["right"] <= tip["width"]
    gan.touchscreen.tap(8, 300)
    gan.wait_for_timeout(150)
    assert tip_state(gan, "#graph-tip")["hidden"] is True


EMPTY_LINE = """() => {
    const root = document.querySelector("[data-live-editor='code']").shadowRoot;
    const lines = root.querySelectorAll(".cm-line");
    for (let i = 0; i < lines.length; i++) {
        const r = lines[i].getBoundingClientRect();
        if (!lines[i].textContent && r.top > 0 && r.bottom < innerHeight)
            return {line: i, x: r.left + 30, y: r.top + r.height / 2};
    }
    return null;
}"""


WORD = r"""(word) => {
    const root = document.querySelector("[data-live-editor='code']").shadowRoot;
    for (const line of root.querySelectorAll(".cm-line")) {
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const i = n.data.search(new RegExp("\\b" + word + "\\b"));
            if (i < 0) continue;
            const range = document.createRange();
            range.setStart(n, i); range.setEnd(n, i + word.length);
            const r = range.getBoundingClientRect();
            if (r.top > 0 && r.bottom < innerHeight && r.right < innerWidth)
                return {x: r.left + r.width / 2, y: r.top + r.height / 2};
        }
    }
    return null;
}"""
# the editor's own selection (CodeMirror's state), through the module the page loaded
SELECTION = """async () => {
    const url = performance.getEntriesByType("resource").map((e) => e.name)
        .find((n) => /\\/codemirror-[\\w-]+\\.js$/.test(n));
    const { EditorView } = await import(url);
    const host = document.querySelector("[data-live-editor='code']");
    const view = EditorView.findFromDOM(host.shadowRoot.querySelector(".cm-editor"));
    const s = view.state.selection.main;
    return { text: view.state.sliceDoc(s.from, s.to), focused: view.hasFocus };
}"""


def test_code_typed_with_the_on_screen_keyboard_runs(gan):
    gan.locator("[data-live='code'] > summary").scroll_into_view_if_needed()
    box = box_of(gan, "[data-live='code'] > summary")
    gan.touchscreen.tap(box["x"] + 20, box["y"] + box["height"] / 2)
    gan.wait_for_selector("[data-live='code'] .cm-editor")
    select = gan.locator("[data-live='code'] select")
    if select.input_value() != D_STEP:
        select.select_option(D_STEP)
        gan.wait_for_timeout(200)
    # a tap on an empty line of the function, then the keyboard's text
    box_of(gan, "[data-live='code'] .cm-editor")
    spot = gan.evaluate(EMPTY_LINE)
    assert spot is not None
    gan.touchscreen.tap(spot["x"], spot["y"])
    gan.wait_for_timeout(150)
    assert gan.evaluate(
        "document.querySelector(\"[data-live-editor='code']\").shadowRoot.activeElement !== null"
    )
    gan.keyboard.insert_text("# typed by touch")
    # a double tap on a word selects it
    word = gan.evaluate(WORD, "real")
    assert word is not None
    gan.touchscreen.tap(word["x"], word["y"])
    gan.wait_for_timeout(50)
    gan.touchscreen.tap(word["x"], word["y"])
    gan.wait_for_timeout(300)
    assert gan.evaluate(SELECTION) == {"text": "real", "focused": True}
    box = box_of(gan, "[data-live='code'] [data-live-action='run']")
    gan.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    gan.wait_for_function(
        f"window.glasslab.state().code_edited.includes({D_STEP!r})", timeout=10_000
    )
    code = gan.evaluate("window.glasslab.code()")[D_STEP]
    assert code.splitlines()[spot["line"]] == "# typed by touch"
    gan.evaluate("window.glasslab.resetCode()")


# ---------------------------------------------------------------- the CNN explainer on a phone
@pytest.fixture(scope="module")
def cnn(browser, server):
    with touch_page(browser, server, "cnn.html", PHONE) as pg:
        yield pg


def test_press_and_hold_reads_an_overview_map_and_a_tap_opens_it(cnn, shown):
    _, acts, probs = shown
    cols = cnn.evaluate("window.glasslab.state().columns")
    layer, ch = "conv_1_1", 2
    h, w = acts[layer].shape[:2]
    box = box_of(cnn, f'.neuron[data-layer="{layer}"][data-channel="{ch}"]')
    cnn.finger.down(*cell_point(box, 10, 20, h, w))
    cnn.wait_for_timeout(HOLD_S * 1000)
    text = cnn.text_content("#focus-value")
    assert "(10, 20)" in text and fmt(acts[layer][10, 20, ch]) in text
    assert cnn.evaluate("window.glasslab.state().focus") == [cols.index(layer), ch]
    cnn.finger.move(*cell_point(box, 30, 5, h, w))  # the held finger slides over the map
    cnn.wait_for_timeout(150)
    text = cnn.text_content("#focus-value")
    assert "(30, 5)" in text and fmt(acts[layer][30, 5, ch]) in text
    # and on into the next column (the ReLU's map of the same neuron)
    nxt = cnn.locator('.neuron[data-layer="relu_1_1"][data-channel="2"]').bounding_box()
    assert nxt["x"] + nxt["width"] <= PHONE["width"]
    cnn.finger.move(*cell_point(nxt, 30, 20, h, w))
    cnn.wait_for_timeout(150)
    text = cnn.text_content("#focus-value")
    assert "(30, 20)" in text and fmt(acts["relu_1_1"][30, 20, ch]) in text
    assert cnn.evaluate("window.glasslab.state().focus") == [cols.index("relu_1_1"), ch]
    cnn.finger.up()
    cnn.wait_for_timeout(300)
    assert cnn.evaluate("document.getElementById('detail').open") is False  # a hold is no tap
    assert fmt(acts["relu_1_1"][30, 20, ch]) in cnn.text_content("#focus-value")  # it stays
    # a class's probability under the finger
    box = box_of(cnn, '#class-list li[data-channel="3"]')
    cnn.finger.down(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    cnn.wait_for_timeout(HOLD_S * 1000)
    cnn.finger.up()
    assert fmt(probs[3]) in cnn.text_content("#focus-value")
    # a quick swipe sideways scrolls the overview; a tap opens the explanation
    box = box_of(cnn, f'.neuron[data-layer="{layer}"][data-channel="{ch}"]')
    left = cnn.evaluate("document.getElementById('overview').scrollLeft")
    y = box["y"] + box["height"] / 2
    cnn.finger.stroke([(300 - 22 * i, y) for i in range(11)], pause=0.016)
    cnn.wait_for_timeout(400)
    assert cnn.evaluate("document.getElementById('overview').scrollLeft") > left
    box = box_of(cnn, f'.neuron[data-layer="{layer}"][data-channel="{ch}"]')
    cnn.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    cnn.wait_for_function("document.getElementById('detail').open")
    detail = cnn.evaluate("window.glasslab.state().detail")
    assert detail["layer"] == layer and detail["channel"] == ch
    cnn.evaluate("window.glasslab.close()")


def num(pg, selector: str) -> float:
    return float(pg.text_content(selector))


def test_a_finger_chooses_and_drags_the_cell_of_each_explanation(cnn, shown):
    x, acts, _ = shown
    # ReLU: a tap on the output map chooses the cell, and the walk stays there
    cnn.evaluate("window.glasslab.open('relu_1_1', 3)")
    h, w = acts["relu_1_1"].shape[:2]
    cnn.touchscreen.tap(*map_point(cnn, "#det-out", 10, 20, h, w))
    cnn.wait_for_timeout(100)
    assert cnn.evaluate("window.glasslab.state().detail.cell") == [10, 20]
    assert num(cnn, "#cell-value") == pytest.approx(acts["relu_1_1"][10, 20, 3], abs=1e-4)
    assert fmt(acts["relu_1_1"][10, 20, 3]) in cnn.text_content("#detail-readout")
    cnn.wait_for_timeout(1600)  # longer than two steps of the walk
    assert cnn.evaluate("window.glasslab.state().detail.cell") == [10, 20]
    # a drag: the window follows the finger
    path = [map_point(cnn, "#det-out", 10 + i, 20 + 2 * i, h, w) for i in range(0, 11, 2)]
    cnn.finger.stroke(path)
    cnn.wait_for_timeout(100)
    assert cnn.evaluate("window.glasslab.state().detail.cell") == [20, 40]
    assert num(cnn, "#cell-value") == pytest.approx(acts["relu_1_1"][20, 40, 3], abs=1e-4)
    # convolution: a finger on an input channel moves the window to the pixel's cell
    cnn.evaluate("window.glasslab.open('conv_1_2', 4)")
    H, W = acts["relu_1_1"].shape[:2]
    # the input pixel (8, 12): the 3x3 window centred there is that of output cell (7, 11)
    cnn.touchscreen.tap(*map_point(cnn, "#det-in-0", 8, 12, H, W))
    cnn.wait_for_timeout(100)
    assert cnn.evaluate("window.glasslab.state().detail.cell") == [7, 11]
    assert num(cnn, "#cell-value") == pytest.approx(acts["conv_1_2"][7, 11, 4], abs=1e-4)
    # max-pool: the output cell under the finger
    cnn.evaluate("window.glasslab.open('max_pool_2', 6)")
    cnn.touchscreen.tap(*map_point(cnn, "#det-out", 4, 9, 13, 13))
    cnn.wait_for_timeout(100)
    assert cnn.evaluate("window.glasslab.state().detail.cell") == [4, 9]
    assert num(cnn, "#cell-value") == pytest.approx(acts["max_pool_2"][4, 9, 6], abs=1e-4)
    assert "output value (4, 9)" in cnn.text_content("#detail-readout")
    cnn.evaluate("window.glasslab.close()")


def test_a_finger_on_the_flattened_vector_shows_its_source_and_weights(cnn, shown, tinyvgg):
    _, acts, _ = shown
    cnn.evaluate("window.glasslab.open('output', 3)")
    h = w = 13
    ch, y, x = 2, 4, 5
    strip_w = 10 * (w + 1) - 1
    cnn.touchscreen.tap(*map_point(cnn, "#det-v", y, ch * (w + 1) + x, h, strip_w))
    cnn.wait_for_timeout(100)
    source = cnn.text_content("#fl-source")
    assert "max_pool_2" in source and "channel 2" in source and "(4, 5)" in source
    assert num(cnn, "#fl-value") == pytest.approx(acts["max_pool_2"][y, x, ch], abs=1e-4)
    weight = tinyvgg.layers[-1].kernel  # (1690, 10), rows in the flatten's H, W, C order
    j = (y * w + x) * 10 + ch
    for k in range(10):
        assert num(cnn, f"#fl-w-{k}") == pytest.approx(weight[j, k], abs=1e-4)
    cnn.wait_for_timeout(1600)  # the walk stays paused where the finger chose
    assert "(4, 5)" in cnn.text_content("#fl-source")
    # a tap on a class's row of the softmax table puts its logit into the formula
    z = [float(cnn.text_content(f"#sm-logit-{j}")) for j in range(10)]
    box = box_of(cnn, "#softmax-table tbody tr:nth-child(6)")
    cnn.touchscreen.tap(box["x"] + 10, box["y"] + box["height"] / 2)
    cnn.wait_for_timeout(100)
    hot = cnn.evaluate(
        "[...document.querySelectorAll('#softmax-table tbody tr')]"
        ".findIndex((r) => r.classList.contains('hot'))"
    )
    assert cnn.text_content("#sm-hot-logit") == fmt(z[5], 3), (hot, z, box)
    assert "logit" in cnn.text_content("#detail-readout")
    cnn.evaluate("window.glasslab.close()")


def test_a_finger_on_the_playground_and_your_kernel_maps(cnn, shown):
    _, acts, _ = shown
    box = box_of(cnn, "#pg-canvas")
    cnn.touchscreen.tap(box["x"] + 20, box["y"] + 20)
    cnn.wait_for_timeout(100)
    assert int(cnn.get_attribute("#pg-canvas", "data-step")) == 0
    assert cnn.get_attribute("#pg-player .player", "data-playing") == "false"
    cnn.finger.stroke([(box["x"] + 20 + 6 * i, box["y"] + 20) for i in range(8)])
    assert int(cnn.get_attribute("#pg-canvas", "data-step")) > 0
    # the real kernel's map (the first convolution's channel 0): the value under the finger
    cnn.wait_for_function("document.getElementById('kern-real-name').textContent.length > 0")
    real = acts["conv_1_1"][:, :, 0]
    h, w = real.shape
    cnn.touchscreen.tap(*map_point(cnn, "#kern-real", 30, 40, h, w))
    assert f"(30, 40) = {fmt(real[30, 40])}" in cnn.text_content("#kern-read")
    cnn.finger.down(*map_point(cnn, "#kern-real", 5, 6, h, w))  # press, hold and slide
    cnn.wait_for_timeout(HOLD_S * 1000)
    cnn.finger.move(*map_point(cnn, "#kern-real", 12, 50, h, w))
    cnn.wait_for_timeout(100)
    cnn.finger.up()
    assert f"(12, 50) = {fmt(real[12, 50])}" in cnn.text_content("#kern-read")


def test_a_swipe_beside_the_cnn_views_scrolls_the_page(cnn):
    cnn.evaluate("window.scrollTo(0, 0)")
    y = scroll_y(cnn)
    cnn.finger.swipe(6, 650, 250)
    cnn.wait_for_timeout(400)
    assert scroll_y(cnn) > y


# ---------------------------------------------------------------- a tablet
def test_on_a_tablet_a_finger_chooses_the_cell_of_an_explanation(browser, server):
    with touch_page(browser, server, "cnn.html", TABLET) as pg:
        pg.evaluate("window.glasslab.open('relu_1_2', 1)")
        pg.touchscreen.tap(*map_point(pg, "#det-out", 40, 12, 60, 60))
        pg.wait_for_timeout(100)
        assert pg.evaluate("window.glasslab.state().detail.cell") == [40, 12]
        value = pg.text_content("#cell-value")
        assert f"(40, 12) = {value}" in pg.text_content("#detail-readout")
        assert pg.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
