"""Browser fixtures: the built site served on 127.0.0.1 and Debian's Chromium driven by Playwright.

The site under test is ``dist/`` (``make test`` builds it first); if it is
missing it is built here. Chromium is ``$GLASSLAB_CHROMIUM`` or
``/usr/bin/chromium``; no browser is ever downloaded. Every page fixture
records the browser's requests and fails the test if one leaves the origin.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from glasslab.serve import make_server
from playwright.sync_api import sync_playwright

from tests.conftest import ROOT, mirror_dir

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # containers often give /dev/shm only 64 MB; a renderer that runs out of it crashes
    "--disable-dev-shm-usage",
]
READY_TIMEOUT_MS = (
    120_000  # a shared 2-core machine can be slow; this is a hang guard, not a timing
)


def chromium_path() -> str:
    path = os.environ.get("GLASSLAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            f"Chromium not found at {path}: install Debian's chromium "
            "(apt-get install -y chromium) or set GLASSLAB_CHROMIUM"
        )
    return path


@pytest.fixture(scope="session")
def site_dir() -> Path:
    dist = Path(os.environ.get("GLASSLAB_SITE", ROOT / "dist"))
    if not (dist / "glasslab-build.json").is_file():
        from export.build import build

        build(dist, mirror=mirror_dir(), cache=ROOT / ".cache" / "downloads")
    return dist


class Served:
    """A folder served over HTTP on 127.0.0.1 in a background thread."""

    def __init__(self, directory: Path):
        self.server = make_server(directory, port=0, verbose=False)
        self.port = self.server.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "") -> str:
        return f"{self.origin}/{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def server(site_dir):
    served = Served(site_dir)
    yield served
    served.close()


@pytest.fixture(scope="session")
def playwright():
    """The one Playwright driver of the session (the sync API allows only one at a time)."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright):
    instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield instance
    instance.close()


class PageLog:
    """What a page did: every request URL, console errors, uncaught page errors."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def foreign(self, origin: str | None = None) -> list[str]:
        """Requests to anything but ``origin`` (default: the first page's).

        data: and blob: URLs are local."""
        if origin is None:
            if not self.requests:
                return []
            origin = self.requests[0]
        allowed = urlsplit(origin)
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme not in ("data", "blob")
            and (urlsplit(u).scheme, urlsplit(u).netloc) != (allowed.scheme, allowed.netloc)
        ]


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, server):
    """A fresh page whose requests must all stay on the site's origin."""
    pg = context.new_page()
    pg.log = PageLog(pg)
    yield pg
    foreign = pg.log.foreign()
    assert not foreign, f"requests left the site's origin: {foreign}"


@contextmanager
def module_page(browser, server, path: str, **context_options):
    """One ready page shared by a test module (each load costs seconds); on leaving, its
    requests must have stayed on the origin and it must have raised no page error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
    pg = context.new_page()
    pg.log = PageLog(pg)
    pg.goto(server.url(path))
    wait_ready(pg)
    yield pg
    assert pg.log.foreign(server.origin) == []
    assert pg.log.page_errors == []
    context.close()


@pytest.fixture(scope="module")
def tinyvgg(site_dir):
    """The built site's TinyVGG, run by the NumPy engine on CPython."""
    from glasslab.cnn.model import SequentialCNN

    return SequentialCNN.from_file(site_dir / "tinyvgg.onnx")


@pytest.fixture(scope="module")
def shown(cnn, tinyvgg, tmp_path_factory):
    """The module's CNN page (its ``cnn`` fixture) on a lossless image, and CPython's input,
    activations and probabilities for it."""
    from tests.browser.test_cnn_page import make_pattern_png, reference, upload

    path = make_pattern_png(tmp_path_factory)
    upload(cnn, "#file-image", path, "window.glasslab.state().image === 'pattern.png'")
    return reference(tinyvgg, path.read_bytes())


def wait_ready(pg, timeout: int = READY_TIMEOUT_MS) -> None:
    """Wait until the page reports ready or an error; fail with the page's message on error."""
    pg.wait_for_function(
        "document.documentElement.dataset.ready || document.documentElement.dataset.error",
        timeout=timeout,
    )
    error = pg.evaluate("document.documentElement.dataset.error || null")
    assert error is None, f"page failed to start: {error}; console: {pg.log.console_errors}"


def open_page(pg, server, path: str) -> None:
    pg.goto(server.url(path))
    wait_ready(pg)


SCREENS = ROOT / "test-output" / "screens"  # screenshots for a person to look at
STARTED = time.time()  # this module is imported once per run, before any test


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """List the screenshots this run saved into test-output/screens/."""
    paths = sorted(p for p in SCREENS.glob("*.png") if p.stat().st_mtime >= STARTED)
    if paths:
        terminalreporter.section("screenshots")
        for path in paths:
            terminalreporter.write_line(str(path))
