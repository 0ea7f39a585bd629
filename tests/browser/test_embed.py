"""Embedding in real Chromium: embed mode, panels, autoplay, sample choice, the height
messages and commands across origins, and the Share / Embed dialog."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import PageLog, Served, open_page, wait_ready

pytestmark = pytest.mark.browser

GAN_PANELS = {
    "controls": ".toolbar",
    "graph": "#graph",
    "settings": ".hyper",
    "canvas": "#gan-canvas",
    "charts": "#chart-loss",
    "code": "#code",
}

PARENT_HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>Course page</title></head>
<body>
<h1>A course page on another origin</h1>
<iframe id="lab" width="100%" height="300" style="border:0" title="Glasslab GAN lab"></iframe>
<script>
  window.received = [];
  addEventListener("message", (e) => {
    window.received.push({origin: e.origin, data: e.data});
    if (e.data && e.data.type === "glasslab:height") {
      document.getElementById("lab").style.height = e.data.height + "px";
    }
  });
  document.getElementById("lab").src = new URLSearchParams(location.search).get("src");
  window.send = (message) => document.getElementById("lab").contentWindow.postMessage(message, "*");
</script>
</body></html>
"""


def state(target) -> dict:
    return target.evaluate("window.glasslab.state()")


def no_horizontal_scroll(pg) -> bool:
    return pg.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_embed_mode_shows_only_the_chosen_panels(page, server):
    open_page(page, server, "gan.html?embed=1&panels=canvas,charts&dataset=ring")
    assert page.is_hidden(".site-header")
    assert page.is_visible(".share-fab")
    for name, selector in GAN_PANELS.items():
        visible = page.is_visible(selector)
        assert visible == (name in ("canvas", "charts")), f"panel {name}: visible={visible}"
    assert page.is_hidden(".panel.overview")  # a container with no chosen panel goes too
    assert page.is_hidden(".legend-text")  # long explanatory text is dropped
    # the page rewrote its URL with its settings and kept the embed options
    params = parse_qs(urlsplit(page.url).query)
    assert params["embed"] == ["1"] and params["panels"] == ["canvas,charts"]
    assert params["dataset"] == ["ring"] and "g_lr" in params
    s = state(page)
    assert s["dataset"] == "ring" and s["playing"] is False  # no autoplay asked for


def test_without_embed_the_chrome_stays(page, server):
    open_page(page, server, "gan.html")
    assert page.is_visible(".site-header")
    assert page.is_visible(".site-header .share-open")
    assert page.is_hidden(".share-fab")
    for selector in GAN_PANELS.values():
        assert page.is_visible(selector)


def test_autoplay_starts_training(page, server):
    open_page(page, server, "gan.html?embed=1&autoplay=1")
    first = state(page)
    assert first["playing"] is True
    page.wait_for_function(
        f"window.glasslab.state().iteration > {first['iteration']}", timeout=30_000
    )


@pytest.mark.parametrize("path", ["gan.html?embed=1", "cnn.html?embed=1"])
def test_embed_fits_a_phone_width(browser, server, path):
    context = browser.new_context(viewport={"width": 360, "height": 700})
    pg = context.new_page()
    pg.log = PageLog(pg)
    try:
        open_page(pg, server, path)
        assert pg.is_hidden(".site-header")
        assert no_horizontal_scroll(pg), pg.evaluate("document.documentElement.scrollWidth")
        assert pg.log.foreign(server.origin) == []
    finally:
        context.close()


def test_cnn_sample_and_panels(page, server):
    open_page(page, server, "cnn.html?embed=1&sample=koala_2.jpeg&panels=classes")
    s = state(page)
    assert s["image"] == "koala_2.jpeg" and s["label"] in s["classes"]
    assert page.is_hidden(".site-header")
    assert page.is_hidden("#input-panel") and page.is_hidden(".lower-grid")
    assert page.is_visible(".col.classes")
    assert page.locator(".overview-cols > .col:not(.classes)").first.is_hidden()
    # an extra sample (not one of the first per class) is shown selected
    assert page.locator('#samples .sample.selected[data-file="koala_2.jpeg"]').count() == 1
    assert page.is_checked("#opt-more")


def test_cnn_unknown_sample_is_refused_as_text(page, server):
    open_page(page, server, "cnn.html?sample=%3Cimg%20src%3Dx%3E.jpeg")
    s = state(page)
    assert s["image"] == "boat_1.jpeg"  # the default first sample
    assert "<img src=x>.jpeg" in page.text_content("#cnn-message")
    assert page.locator("#cnn-message img").count() == 0


def test_cnn_share_link_names_the_sample(page, server):
    open_page(page, server, "cnn.html")
    page.click('#samples .sample[data-file="espresso_1.jpeg"]')
    page.wait_for_function("window.glasslab.state().image === 'espresso_1.jpeg'")
    page.click(".site-header .share-open")
    link = page.input_value("#share-link")
    assert link == server.url("cnn.html?sample=espresso_1.jpeg")


def _parent(tmp_path) -> Served:
    folder = tmp_path / "course"
    folder.mkdir()
    (folder / "parent.html").write_text(PARENT_HTML)
    return Served(folder)


def _open_parent(context, parent: Served, src: str):
    pg = context.new_page()
    pg.log = PageLog(pg)
    pg.goto(parent.url("parent.html?src=" + src.replace("&", "%26")))
    frame = pg.wait_for_selector("#lab").content_frame()
    frame.wait_for_function(
        "document.documentElement.dataset.ready || document.documentElement.dataset.error",
        timeout=120_000,
        polling=100,
    )
    assert frame.evaluate("document.documentElement.dataset.error || null") is None
    return pg, frame


def _deliver(pg, frame, message) -> None:
    """Post ``message`` from the parent and wait until the frame has dispatched it.

    A listener added now runs after embed.js's (listeners run in the order they were added),
    so once it has seen the message, embed.js has handled it."""
    frame.evaluate(
        """() => { window.__seen = 0;
            if (window.__counting) return;
            window.__counting = true;
            addEventListener('message', () => { window.__seen++; }); }"""
    )
    pg.evaluate("(m) => window.send(m)", message)
    # polled by time: a cross-origin frame's animation frames may be throttled
    frame.wait_for_function("window.__seen === 1", polling=50)


def test_iframe_posts_heights_and_ignores_foreign_commands(context, server, tmp_path):
    parent = _parent(tmp_path)
    try:
        pg, frame = _open_parent(context, parent, server.url("gan.html?embed=1"))
        pg.wait_for_function(
            "window.received.some(m => m.data && m.data.type === 'glasslab:height')"
        )
        heights = [
            m
            for m in pg.evaluate("window.received")
            if isinstance(m["data"], dict) and m["data"].get("type") == "glasslab:height"
        ]
        assert all(m["origin"] == server.origin for m in heights)
        assert all(m["data"]["page"] == "gan" and m["data"]["height"] > 0 for m in heights)
        # the parent sized the iframe to the content: no scrollbar inside
        pg.wait_for_function(
            "(h) => document.getElementById('lab').getBoundingClientRect().height === h",
            arg=heights[-1]["data"]["height"],
        )
        before = state(frame)
        # the course page's origin is not listed in origin=: its commands are ignored
        _deliver(pg, frame, {"type": "glasslab:command", "name": "play"})
        _deliver(pg, frame, {"type": "glasslab:command", "name": "step", "args": ["both"]})
        after = state(frame)
        assert after["playing"] is False and after["iteration"] == before["iteration"]
        assert not any(
            isinstance(m["data"], dict) and m["data"].get("type") == "glasslab:state"
            for m in pg.evaluate("window.received")
        )
        pg.close()
    finally:
        parent.close()


def test_iframe_obeys_commands_from_a_listed_origin(context, server, tmp_path):
    parent = _parent(tmp_path)
    try:
        src = server.url(f"gan.html?embed=1&origin={parent.origin}")
        pg, frame = _open_parent(context, parent, src)
        before = state(frame)
        # names outside the command list, and markup, do nothing
        for name in ("_fail", "constructor", "__proto__", "<img src=x onerror=alert(1)>"):
            _deliver(pg, frame, {"type": "glasslab:command", "name": name})
        _deliver(pg, frame, "<img src=x onerror=alert(1)>")  # not even a command object
        assert frame.evaluate("document.documentElement.dataset.error || null") is None
        assert frame.locator("img[src=x]").count() == 0 and pg.locator("img").count() == 0
        assert state(frame)["iteration"] == before["iteration"]
        _deliver(pg, frame, {"type": "glasslab:command", "name": "step", "args": ["both"]})
        assert state(frame)["iteration"] == before["iteration"] + 1
        _deliver(pg, frame, {"type": "glasslab:command", "name": "state"})
        pg.wait_for_function(
            "window.received.some(m => m.data && m.data.type === 'glasslab:state')"
        )
        reply = pg.evaluate("window.received.find(m => m.data && m.data.type === 'glasslab:state')")
        assert reply["origin"] == server.origin and reply["data"]["state"]["page"] == "gan"
        _deliver(pg, frame, {"type": "glasslab:command", "name": "play"})
        assert state(frame)["playing"] is True
        pg.close()
    finally:
        parent.close()


def test_share_dialog_link_restores_the_settings(context, server):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.origin)
    pg = context.new_page()
    pg.log = PageLog(pg)
    open_page(pg, server, "gan.html?dataset=ring&g_lr=0.03&k_d=3&seed=7&pretrained=0")
    pg.set_viewport_size({"width": 1280, "height": 900})
    opener = pg.get_by_role("button", name="Share / Embed").first
    opener.click()
    dialog = pg.get_by_role("dialog", name="Share / Embed")
    assert dialog.is_visible()
    link = pg.input_value("#share-link")
    snippet = pg.input_value("#share-snippet")
    assert "embed=" not in link and "dataset=ring" in link
    assert "embed=1" in snippet and 'title="Glasslab GAN lab"' in snippet
    assert 'loading="lazy"' in snippet and "glasslab:height" in snippet
    src = html.unescape(re.search(r'<iframe src="([^"]+)"', snippet).group(1))
    assert parse_qs(urlsplit(src).query)["embed"] == ["1"]
    # Copy puts the link on the clipboard
    dialog.get_by_role("button", name="Copy link").click()
    pg.wait_for_function("document.getElementById('share-status').textContent.length > 0")
    assert pg.evaluate("navigator.clipboard.readText()") == link
    # the autoplay option goes into the snippet only
    pg.check("#share-autoplay")
    assert "autoplay=1" in pg.input_value("#share-snippet")
    assert "autoplay" not in pg.input_value("#share-link")
    # Escape closes and gives the focus back to the button that opened it
    pg.keyboard.press("Escape")
    assert dialog.is_hidden()
    assert pg.evaluate("document.activeElement.classList.contains('share-open')")
    # a click outside the dialog closes it too
    opener.click()
    assert dialog.is_visible()
    pg.mouse.click(5, 5)
    assert dialog.is_hidden()
    # the link, opened, restores the same settings
    other = context.new_page()
    other.goto(link)
    wait_ready(other)
    s = state(other)
    assert (s["dataset"], s["g_lr"], s["k_d"], s["seed"]) == ("ring", 0.03, 3, 7)
    assert s["pretrained"] is False
    assert other.is_visible(".site-header")
    other.close()
    assert pg.log.foreign(server.origin) == []
    pg.close()


def test_share_in_embed_mode_keeps_the_embed_options(page, server):
    open_page(page, server, "gan.html?embed=1&panels=canvas&dataset=line")
    page.click(".share-fab")
    link = page.input_value("#share-link")
    snippet = page.input_value("#share-snippet")
    assert "embed" not in link and "panels" not in link and "dataset=line" in link
    src = html.unescape(re.search(r'<iframe src="([^"]+)"', snippet).group(1))
    query = parse_qs(urlsplit(src).query)
    assert query["embed"] == ["1"] and query["panels"] == ["canvas"]
    assert query["dataset"] == ["line"]
