"""The GAN lab as a teaching page in real Chromium: the live model graph (thumbnails, data
flow, tooltips, the generator's morph, edit mode), values under the pointer (distribution
view, charts, legends), the article (sections, MathML, try-it buttons, ⓘ links), embed
panel ``article`` and a 360 px touch screen."""

from __future__ import annotations

import json
import re
import time

import numpy as np
import pytest

from tests.browser.conftest import module_page, wait_ready

pytestmark = pytest.mark.browser

NODES = ("noise", "generator", "fake", "real", "discriminator", "predictions", "loss")
EDITORS = {  # setting -> the graph node its editor sits next to (None: an update arrow)
    "noise_dim": "noise",
    "noise_dist": "noise",
    "g_layers": "generator",
    "g_neurons": "generator",
    "d_layers": "discriminator",
    "d_neurons": "discriminator",
    "g_optimizer": None,
    "g_lr": None,
    "k_g": None,
    "d_optimizer": None,
    "d_lr": None,
    "k_d": None,
    "loss": "loss",
}
HAN = re.compile("[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def gan(browser, server):
    with module_page(browser, server, "gan.html") as pg:
        yield pg


@pytest.fixture
def fresh(gan):
    """Paused, a fresh (not pretrained) model on two gaussians, every layer on, no hover."""
    gan.mouse.move(0, 0)
    gan.evaluate("window.glasslab.pause()")
    gan.evaluate(
        "window.glasslab.set({dataset: 'gaussians', pretrained: false, slow_motion: false,"
        " loss: 'log', k_d: 2, k_g: 1, g_lr: 0.1, d_lr: 0.1, heatmap: true, real: true,"
        " fake: true, gradients: true, manifold: false})"
    )
    gan.evaluate("window.glasslab.reset()")
    frames(gan)
    return gan


def frames(pg, n: int = 3) -> None:
    pg.evaluate(
        "(n) => new Promise(r => { const f = () => (--n ? requestAnimationFrame(f) : r());"
        " requestAnimationFrame(f); })",
        n,
    )


def thumb(pg, node: str) -> np.ndarray:
    data = pg.evaluate(
        """(name) => {
            const c = document.querySelector(`[data-node="${name}"] canvas`);
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height);
            return {w: c.width, h: c.height, px: Array.from(d.data)};
        }""",
        node,
    )
    return np.array(data["px"], dtype=np.int16).reshape(data["h"], data["w"], 4)


def state(pg) -> dict:
    return pg.evaluate("window.glasslab.state()")


def test_every_graph_node_holds_a_thumbnail_redrawn_while_training(fresh):
    for name in NODES:
        box = fresh.locator(f"#graph [data-node='{name}']")
        assert box.count() == 1 and box.is_visible(), name
        assert box.locator("canvas").count() == 1, name
    before = {name: thumb(fresh, name) for name in NODES}
    fresh.evaluate("window.glasslab.play()")
    fresh.wait_for_function("window.glasslab.state().iteration > 250", timeout=60_000)
    fresh.evaluate("window.glasslab.pause()")
    frames(fresh)
    for name in NODES:  # every thumbnail shows something (a fresh G's fakes may lie outside)
        px = thumb(fresh, name)[..., :3]
        if name == "discriminator":  # D near 0.5 everywhere is a pale heatmap, not a blank one
            assert np.ptp(px) > 3, name
        else:
            assert (px < 235).any(axis=-1).sum() > 30, name
    for name in ("generator", "fake", "discriminator", "predictions", "loss"):
        level = 3 if name == "discriminator" else 30  # D's map stays pale near 0.5
        changed = np.abs(thumb(fresh, name) - before[name]).sum(axis=-1) > level
        assert changed.sum() > 20, f"{name} thumbnail did not change while training"
    # the noise is fixed for a run; a new noise distribution redraws it
    fresh.evaluate("window.glasslab.set({noise_dist: 'gaussian'})")
    fresh.evaluate("window.glasslab.reset()")
    frames(fresh)
    assert (np.abs(thumb(fresh, "noise") - before["noise"]).sum(axis=-1) > 30).sum() > 20
    fresh.evaluate("window.glasslab.set({noise_dist: 'uniform'})")


def test_the_data_flow_moves_and_shows_d_and_g_steps(fresh):
    classes = "document.getElementById('graph').className"
    assert "flowing" not in fresh.evaluate(classes)
    fresh.evaluate("window.glasslab.step('d')")
    frames(fresh)
    assert "phase-d" in fresh.evaluate(classes)
    fresh.evaluate("window.glasslab.step('g')")
    frames(fresh)
    assert "phase-g" in fresh.evaluate(classes)
    fresh.evaluate("window.glasslab.play()")
    seen = set()
    deadline = time.time() + 8
    while time.time() < deadline and len(seen) < 3:
        info = fresh.evaluate(
            """() => { const g = document.getElementById('graph');
                const edge = document.getElementById('edge-noise-gen');
                return {cls: g.className, anim: getComputedStyle(edge).animationName}; }"""
        )
        assert "flowing" in info["cls"] and info["anim"] == "flow"
        seen |= {p for p in ("phase-d", "phase-g") if p in info["cls"]}
        if len(seen) == 2:
            break
        time.sleep(0.05)
    fresh.evaluate("window.glasslab.pause()")
    assert seen == {"phase-d", "phase-g"}
    assert "flowing" not in fresh.evaluate(classes)


def test_nodes_explain_themselves_in_a_tooltip_by_pointer_and_keyboard(fresh):
    texts = set()
    for name in NODES:
        fresh.focus(f"#graph [data-node='{name}']")
        tip = fresh.evaluate(
            """() => { const t = document.getElementById('graph-tip'), e = document.activeElement;
                return {shown: !t.hidden, text: t.textContent, node: e.dataset.node,
                        outline: getComputedStyle(e).outlineStyle}; }"""
        )
        assert tip["shown"] and tip["node"] == name and len(tip["text"]) > 20, name
        assert tip["outline"] != "none", f"{name} has no visible focus"
        texts.add(tip["text"])
    assert len(texts) == len(NODES)
    fresh.evaluate("document.activeElement.blur()")
    assert fresh.evaluate("document.getElementById('graph-tip').hidden")
    fresh.hover("#graph [data-node='discriminator']")
    assert fresh.is_visible("#graph-tip")
    fresh.mouse.move(0, 0)
    assert fresh.is_hidden("#graph-tip")


def test_hovering_the_generator_morphs_the_noise_grid_into_the_manifold(fresh):
    fresh.evaluate("window.glasslab.step('both')")
    frames(fresh)
    still = thumb(fresh, "generator")
    fresh.hover("#graph [data-node='generator']")
    time.sleep(0.15)
    early = thumb(fresh, "generator")
    time.sleep(2.0)
    late = thumb(fresh, "generator")
    assert (np.abs(early - late).sum(axis=-1) > 30).sum() > 50  # the grid moved
    assert (np.abs(late - still).sum(axis=-1) > 30).sum() < 20  # ... and arrived at the manifold
    fresh.mouse.move(0, 0)


def test_edit_mode_puts_the_editors_next_to_their_components(fresh):
    assert fresh.is_hidden("#graph [data-setting='g_layers']")
    fresh.click(".overview .graph-edit")
    assert fresh.get_attribute(".overview .graph-edit", "aria-pressed") == "true"
    for name, node in EDITORS.items():
        editor = fresh.locator(f"#graph [data-setting='{name}']")
        assert editor.count() == 1 and editor.is_visible(), name
        if node:
            e = editor.bounding_box()
            n = fresh.locator(f"#graph [data-node='{node}']").bounding_box()
            assert e["x"] < n["x"] + n["width"] and n["x"] < e["x"] + e["width"], name  # a column
    # the editors and the settings panel are bound to the same settings
    fresh.fill("#graph [data-setting='g_neurons']", "12")
    fresh.press("#graph [data-setting='g_neurons']", "Enter")
    fresh.locator("#graph [data-setting='g_neurons']").dispatch_event("change")
    s = state(fresh)
    assert s["g_neurons"] == 12 and fresh.input_value("#hp-g_neurons") == "12"
    fresh.select_option("#graph [data-setting='d_lr']", "0.03")
    assert state(fresh)["d_lr"] == pytest.approx(0.03)
    assert fresh.input_value("#hp-d_lr") == "0.03"
    fresh.select_option("#hp-loss", "lsq")
    assert fresh.input_value("#graph [data-setting='loss']") == "lsq"
    assert state(fresh)["loss"] == "lsq"
    # the update arrows name each network's optimizer and learning rate
    assert "0.03" in fresh.text_content("#graph-update-d")
    fresh.click(".overview .graph-edit")
    assert fresh.is_hidden("#graph [data-setting='g_layers']")
    fresh.evaluate("window.glasslab.set({g_neurons: 8, loss: 'log', d_lr: 0.1})")


def _canvas_point(pg, x: float, y: float) -> tuple[float, float]:
    box = pg.locator("#gan-canvas").bounding_box()
    return box["x"] + x * box["width"], box["y"] + (1 - y) * box["height"]


def _tip(pg) -> str:
    frames(pg, 2)
    return pg.evaluate(
        "(() => { const t = document.getElementById('canvas-tip');"
        " return t.hidden ? null : t.textContent; })()"
    )


def test_the_distribution_view_reads_out_the_point_under_the_pointer(fresh):
    fresh.evaluate("window.glasslab.play()")  # a fresh G's fakes may lie outside the square
    fresh.wait_for_function("window.glasslab.state().iteration > 250", timeout=60_000)
    fresh.evaluate("window.glasslab.pause()")
    fresh.mouse.move(*_canvas_point(fresh, 0.25, 0.8))
    text = _tip(fresh)
    assert text and "0.250" in text and "0.800" in text
    if fresh.evaluate("typeof window.glasslab.probe === 'function'"):
        probe = fresh.evaluate("Promise.resolve(window.glasslab.probe(0.25, 0.8))")
        assert probe["x"] == pytest.approx(0.25) and probe["y"] == pytest.approx(0.8)
        assert f"{probe['d']:.3f}" in text
    # over a fake sample: its noise vector and gradient
    z, xy = fresh.evaluate(
        """(() => { const c = window.glasslabGanView.canvas, inside = (v) => v > 0.05 && v < 0.95;
            for (let i = 0; i < c.nFake; i++) if (inside(c.fake[2*i]) && inside(c.fake[2*i+1]))
              return [[c.noise[2*i], c.noise[2*i+1]], [c.fake[2*i], c.fake[2*i+1]]]; })()"""
    )
    fresh.mouse.move(*_canvas_point(fresh, *xy))
    text = _tip(fresh)
    assert f"{z[0]:.3f}" in text and f"{z[1]:.3f}" in text and "(" in text
    fake = fresh.evaluate("window.glasslabI18n.t('gan.probe.fake', {z: '', gx: '', gy: ''})")
    assert fake[:5] in text
    # over a real sample far from every fake: that it is real
    real = fresh.evaluate(
        """(() => { const c = window.glasslabGanView.canvas;
            let best = null, far = 0;
            for (let i = 0; i < c.nReal; i++) {
              let d = 1;
              for (let j = 0; j < c.nFake; j++)
                d = Math.min(d, Math.hypot(c.real[2*i] - c.fake[2*j],
                                           c.real[2*i+1] - c.fake[2*j+1]));
              if (d > far) { far = d; best = [c.real[2*i], c.real[2*i+1]]; }
            }
            return best; })()"""
    )
    fresh.mouse.move(*_canvas_point(fresh, *real))
    assert fresh.evaluate("window.glasslabI18n.t('gan.probe.real')") in _tip(fresh)
    fresh.mouse.move(0, 0)
    assert _tip(fresh) is None
    # the keyboard: focus the view and move a cursor with the arrow keys
    fresh.focus("#gan-canvas")
    fresh.keyboard.press("ArrowRight")
    text = _tip(fresh)
    assert text and "0.520" in text and "0.500" in text
    assert fresh.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    fresh.evaluate("document.activeElement.blur()")


def test_charts_show_the_values_at_the_hovered_iteration_and_legends_toggle(fresh):
    fresh.evaluate("window.glasslab.play()")
    # long enough for several chart points on a fast machine too (one every few frames)
    fresh.wait_for_function("window.glasslab.state().iteration > 1500", timeout=60_000)
    fresh.evaluate("window.glasslab.pause()")
    latest = fresh.text_content("#loss-values")
    box = fresh.locator("#chart-loss").bounding_box()
    fresh.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    shown = fresh.evaluate("window.glasslabGanView.charts.inspect()")
    assert shown["loss"] is not None and 0 < shown["loss"]["iteration"] < state(fresh)["iteration"]
    text = fresh.text_content("#loss-values")
    assert str(shown["loss"]["iteration"]) in text and f"{shown['loss']['d']:.4f}" in text
    fresh.mouse.move(0, 0)
    assert fresh.text_content("#loss-values") == latest

    def green_pixels() -> int:
        px = fresh.evaluate(
            "(() => { const c = document.getElementById('chart-loss'), x = c.getContext('2d');"
            " return Array.from(x.getImageData(0, 0, c.width, c.height).data); })()"
        )
        rgb = np.array(px).reshape(-1, 4)[:, :3]
        return int((np.abs(rgb - [0x1B, 0x8A, 0x5A]).sum(axis=1) < 60).sum())

    assert green_pixels() > 50
    fresh.click("[data-chart='chart-loss'] [data-series='d']")
    key = "[data-chart='chart-loss'] [data-series='d']"
    assert fresh.get_attribute(key, "aria-pressed") == "false"
    assert green_pixels() < 5
    assert "d" in fresh.evaluate("window.glasslabGanView.charts.inspect().hidden")
    fresh.click("[data-chart='chart-loss'] [data-series='d']")
    assert green_pixels() > 50
    fresh.click("[data-chart='chart-div'] [data-series='kl']")
    assert fresh.evaluate("window.glasslabGanView.charts.inspect().hidden") == ["kl"]
    fresh.click("[data-chart='chart-div'] [data-series='kl']")
    # the keyboard moves the readout along a chart
    fresh.focus("#chart-div")
    fresh.keyboard.press("ArrowLeft")
    assert fresh.evaluate("window.glasslabGanView.charts.inspect().div") is not None
    assert fresh.text_content("#div-values") != ""
    fresh.evaluate("document.activeElement.blur()")


def test_the_article_has_its_sections_formulas_and_links(fresh):
    article = fresh.locator("article[data-article][data-panel='article']")
    assert article.count() == 1 and article.is_visible()
    headings = article.locator("section > h2").all_text_contents()
    assert len(headings) >= 5 and all(h.strip() for h in headings)
    maths = fresh.evaluate(
        """[...document.querySelectorAll('article[data-article] math')].map(m =>
            ({ns: m.namespaceURI, text: m.textContent, width: m.getBoundingClientRect().width}))"""
    )
    assert len(maths) >= 10
    assert all(m["ns"] == "http://www.w3.org/1998/Math/MathML" and m["width"] > 40 for m in maths)
    joined = " ".join(m["text"] for m in maths)
    for part in ("LD", "LG", "log", "max", "σ", "𝔼", "min"):
        assert part in joined.replace(" ", ""), part
    # every ⓘ of the page links to a paragraph of the article
    links = fresh.evaluate(
        "[...document.querySelectorAll('a.info')].map(a =>"
        " [a.getAttribute('href'), a.closest('[data-node]')?.dataset.node || null])"
    )
    assert {node for _, node in links if node} == set(NODES)
    for href, _ in links:
        assert href.startswith("#gan-article-")
        found = "(id) => !!document.querySelector('article[data-article] ' + id)"
        assert fresh.evaluate(found, href), href
    assert len(links) >= len(NODES) + 6
    fresh.click("#graph [data-node='discriminator'] a.info")
    fresh.wait_for_function("location.hash === '#gan-article-discriminator'")
    fresh.wait_for_function(
        "(() => { const e = document.getElementById('gan-article-discriminator');"
        " const r = e.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; })()"
    )
    fresh.evaluate("history.replaceState(null, '', location.pathname + location.search)")
    fresh.evaluate("scrollTo(0, 0)")


TRIES = {
    "collapse.button": {"dataset": "disjoint"},
    "lr.button": {"g_lr": 1.0, "d_lr": 1.0},
    "k.d_button": {"k_d": 5, "k_g": 1},
    "k.g_button": {"k_d": 1, "k_g": 5},
    "adam.sgd_button": {"g_optimizer": "sgd", "d_optimizer": "sgd"},
    "adam.adam_button": {"g_optimizer": "adam", "d_optimizer": "adam"},
    "saturating.button": {"loss": "log", "k_d": 5},
    "critic.hinge_button": {"loss": "hinge"},
    "critic.wgan_button": {"loss": "wasserstein"},
}


@pytest.mark.parametrize("button", sorted(TRIES))
def test_each_try_it_button_sets_the_lab_up(fresh, button):
    expected = TRIES[button]
    if expected.get("loss") in ("hinge", "wasserstein") and not fresh.evaluate(
        "[...document.getElementById('hp-loss').options].some(o => o.value === 'hinge')"
    ):
        pytest.skip("the critic losses are not on the page yet")
    fresh.click(f"[data-try-button='{button}']")
    s = state(fresh)
    fresh.evaluate("window.glasslab.pause()")
    for key, value in expected.items():
        assert s[key] == pytest.approx(value) if isinstance(value, float) else s[key] == value, key
    assert s["playing"] is True and s["pretrained"] is False


def test_embed_panel_article(browser, server):
    context = browser.new_context(viewport={"width": 800, "height": 900})
    pg = context.new_page()
    pg.goto(server.url("gan.html?embed=1&panels=article"))
    wait_ready(pg)
    assert pg.is_visible("article[data-article]")
    assert pg.is_hidden("#gan-canvas") and pg.is_hidden("#graph")
    pg.goto(server.url("gan.html?embed=1&panels=canvas,graph"))
    wait_ready(pg)
    assert pg.is_hidden("article[data-article]")
    assert pg.is_visible("#graph [data-node='generator']")
    assert pg.is_hidden("a.info")  # nothing to jump to
    context.close()


def test_article_and_graph_in_chinese(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(server.url("gan.html?lang=zh-CN"))
    wait_ready(pg)
    pg.wait_for_function("document.documentElement.lang === 'zh-CN'")
    pg.evaluate("window.glasslabI18n.ready")
    for heading in pg.locator("article[data-article] h2").all_text_contents():
        assert HAN.search(heading), heading
    paragraphs = pg.locator("article[data-article] p").all_text_contents()
    assert sum(1 for p in paragraphs if HAN.search(p)) >= 0.9 * len(paragraphs)
    pg.focus("#graph [data-node='generator']")
    assert HAN.search(pg.text_content("#graph-tip"))
    context.close()


def test_narrow_touch_screen(browser, server):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )
    pg = context.new_page()
    pg.goto(server.url("gan.html"))
    wait_ready(pg)
    wide = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert pg.evaluate(wide)
    for name in NODES:
        assert pg.is_visible(f"#graph [data-node='{name}'] canvas"), name
    pg.tap(".overview .graph-edit")
    assert pg.is_visible("#graph [data-setting='k_d']") and pg.evaluate(wide)
    pg.tap(".overview .graph-edit")
    pg.locator("#graph [data-node='discriminator']").tap()
    assert pg.is_visible("#graph-tip")
    # press and hold on the distribution view shows the readout; lifting the finger hides it
    pg.locator("#gan-canvas").scroll_into_view_if_needed()
    x, y = _canvas_point(pg, 0.5, 0.5)
    cdp = context.new_cdp_session(pg)
    touch = [{"x": x, "y": y}]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": touch})
    pg.wait_for_timeout(600)
    assert _tip(pg) and "0.500" in _tip(pg)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    assert _tip(pg) is None
    assert pg.evaluate(wide)
    pg.locator("article[data-article]").scroll_into_view_if_needed()
    assert pg.evaluate(wide)
    assert json.loads(json.dumps(state(pg)))["page"] == "gan"
    context.close()
