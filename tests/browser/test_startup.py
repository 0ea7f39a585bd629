"""A fresh load fetches only what the page uses at start: no ONNX Runtime Web on the
landing and GAN pages, and on no page the code editor (CodeMirror, PyScript's editor
plugin) or a PyScript plugin the site does not use, until the visitor opens it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import open_page

pytestmark = pytest.mark.browser

EDITOR = ("codemirror", "py-editor")
UNUSED = ("py-terminal", "py-game", "donkey", "deprecations-manager", "xterm", "mpy-")


@pytest.mark.parametrize("path", ["", "gan.html", "cnn.html"])
def test_a_fresh_load_fetches_no_editor_and_no_unused_runtime(page, server, path):
    open_page(page, server, path)
    page.wait_for_timeout(1500)  # what a page fetches just after it is ready counts too
    names = [urlsplit(u).path.rsplit("/", 1)[-1] for u in page.log.requests]
    assert [n for n in names if n.startswith(EDITOR)] == []
    assert [n for n in names if n.startswith(UNUSED)] == []
    ort = [u for u in page.log.requests if "/vendor/ort/" in urlsplit(u).path]
    if path != "cnn.html":
        assert ort == []


def test_the_editor_is_fetched_when_its_panel_opens(page, server):
    open_page(page, server, "cnn.html")
    assert not [u for u in page.log.requests if "codemirror" in u]
    page.click("[data-live='code'] > summary")
    page.wait_for_selector("[data-live='code'] .cm-editor")
    assert [u for u in page.log.requests if "codemirror" in u]
