"""Offline use, app install and project subpaths, on the built site in real Chromium.

After one visit the service worker (``sw.js``, written by the build) holds every
file of the build, so every page starts and works with the server gone; a new
build replaces the old one's cache only once no page of the old build is open;
the site works under a subpath as on GitHub Pages; the local launcher serves
every file type of the site with an explicit type.
"""

from __future__ import annotations

import functools
import json
import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from glasslab.serve import MIME_TYPES, SiteHandler, SiteServer

from export import sw
from export.build import BUILD_INFO, build_info
from tests.browser.conftest import (
    CHROMIUM_ARGS,
    READY_TIMEOUT_MS,
    PageLog,
    Served,
    chromium_path,
    wait_ready,
)

pytestmark = pytest.mark.browser

PAGES = ("", "gan.html", "cnn.html")
CONTROLLED = (
    "navigator.serviceWorker.controller !== null"
    " && navigator.serviceWorker.controller.state === 'activated'"
)


def new_page(context):
    pg = context.new_page()
    pg.log = PageLog(pg)
    pg.failed = []
    # ERR_ABORTED is a request the page itself dropped (a reload cancelling the favicon,
    # say); a request the network could not serve fails with another code
    pg.on(
        "requestfailed",
        lambda r: (
            None if "ERR_ABORTED" in (r.failure or "") else pg.failed.append(f"{r.url} {r.failure}")
        ),
    )
    return pg


def wait_controlled(pg) -> None:
    """Wait until this build's service worker is active and controls the page."""
    pg.wait_for_function(CONTROLLED, timeout=READY_TIMEOUT_MS)


def cache_names(pg) -> list[str]:
    return pg.evaluate("caches.keys()")


def cached_urls(pg, name: str) -> list[str]:
    return pg.evaluate("async (n) => (await (await caches.open(n)).keys()).map((r) => r.url)", name)


def fetch_text(pg, path: str) -> str:
    return pg.evaluate("async (p) => (await fetch(p)).text()", path)


def settle(pg, path: str) -> None:
    """Let the CNN page finish its reference run (ONNX Runtime, loaded after ready)."""
    if path == "cnn.html":
        assert pg.evaluate("window.glasslab.ortDone()")["ort_status"] == "agree"


def use_page(pg, path: str, sample: str) -> dict:
    """Use the page as a student would; returns what it did."""
    state = pg.evaluate("window.glasslab.state()")
    if path == "gan.html":
        pg.evaluate("window.glasslab.pause()")
        before = pg.evaluate("window.glasslab.state().iteration")
        pg.evaluate("window.glasslab.step('both')")
        after = pg.evaluate("window.glasslab.state()")
        assert after["iteration"] == before + 1
        return {"iteration_step": after["iteration"] - before}
    if path == "cnn.html":
        s = pg.evaluate("(u) => window.glasslab.classify(u)", f"samples/{sample}")
        assert s["image"] == sample, s.get("message")
        assert s["label"] in s["classes"]
        return {"label": s["label"], "probabilities": s["probabilities"]}
    assert state["page"] == "index" and state["ready"] is True
    return {"numpy": state.get("numpy")}


@pytest.fixture
def scratch_site(site_dir, tmp_path) -> Path:
    """A private copy of the built site (the test stops or changes its server)."""
    copy = tmp_path / "site"
    shutil.copytree(site_dir, copy)
    return copy


def test_service_worker_lists_every_file_of_the_build(site_dir):
    info = json.loads((site_dir / BUILD_INFO).read_text())
    text = (site_dir / sw.SW_FILE).read_text()
    assert f'const BUILD = "{info["hash"]}";' in text
    assert text == sw.render(info)  # byte for byte what the build's own info gives
    for path, entry in info["files"].items():
        if path != sw.SW_FILE:
            assert f'"{path}": "{sw.sri(entry["sha256"])}"' in text, path
    # every URL in it is relative to where sw.js is served
    assert "self.location.href" in text and "http://" not in text and "https://" not in text


def test_every_page_works_offline_after_one_visit(browser, scratch_site):
    info = json.loads((scratch_site / BUILD_INFO).read_text())
    samples = json.loads((scratch_site / "samples" / "index.json").read_text())
    sample = samples[0]["file"]
    served = Served(scratch_site)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        pg = new_page(context)
        online = {}
        for path in PAGES:
            pg.goto(served.url(path))
            wait_ready(pg)
            wait_controlled(pg)
            online[path] = use_page(pg, path, sample)
        names = cache_names(pg)
        assert names == [f"glasslab-{info['hash']} {served.url()}"]
        cached = set(cached_urls(pg, names[0]))
        expected = {served.url(p) for p in info["files"] if p != sw.SW_FILE}
        assert cached == expected | {served.url(BUILD_INFO)}

        served.close()
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(served.url(""), timeout=5)

        pg.failed.clear()
        for path in PAGES:
            response = pg.goto(served.url(path))
            assert response.from_service_worker, path
            wait_ready(pg)
            settle(pg, path)
            pg.reload()
            wait_ready(pg)
            assert pg.evaluate("window.glasslab.state().page") == (path or "index.html")[:-5]
            # the progress bar still counts the runtime, now streamed from the cache
            # (the CNN page's ONNX Runtime part arrives after the page is ready)
            download = pg.evaluate("window.glasslab.download()")
            assert download["received"] > 10_000_000
            if path != "cnn.html":
                assert download["received"] == download["expected"]
            assert use_page(pg, path, sample) == online[path], path
            settle(pg, path)
        assert pg.failed == []
        assert pg.log.page_errors == []
        assert pg.log.foreign(served.origin) == []
    finally:
        context.close()
        served.close()


def rebuild_with_a_change(site: Path) -> dict:
    """Change one file of a built site and rewrite sw.js and the build info as the build does."""
    css = site / "css" / "glasslab.css"
    css.write_text(css.read_text() + "\n/* second build */\n")
    version = json.loads((site / BUILD_INFO).read_text())["version"]
    sw.write_service_worker(site, build_info(site, version))
    info = build_info(site, version)
    (site / BUILD_INFO).write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
    return info


def test_a_new_build_replaces_the_old_cache_without_mixing(browser, scratch_site):
    first = json.loads((scratch_site / BUILD_INFO).read_text())
    served = Served(scratch_site)
    context = browser.new_context()
    try:
        old = new_page(context)
        old.goto(served.url("gan.html"))
        wait_ready(old)
        wait_controlled(old)
        assert "second build" not in fetch_text(old, "css/glasslab.css")

        second = rebuild_with_a_change(scratch_site)
        assert second["hash"] != first["hash"]
        old.evaluate(
            "async () => { window.reg = await navigator.serviceWorker.getRegistration();"
            " await window.reg.update(); }"
        )
        old.wait_for_function(
            "window.reg.waiting !== null && window.reg.waiting.state === 'installed'",
            timeout=READY_TIMEOUT_MS,
        )
        # the open page keeps its own build: files and build info of the old one only
        assert "second build" not in fetch_text(old, "css/glasslab.css")
        assert json.loads(fetch_text(old, BUILD_INFO))["hash"] == first["hash"]
        assert sorted(cache_names(old)) == sorted(
            f"glasslab-{i['hash']} {served.url()}" for i in (first, second)
        )

        old.close()  # no page of the old build is left open: the new worker takes over
        new = new_page(context)
        new.goto(served.url("gan.html"))
        wait_ready(new)
        wait_controlled(new)
        new.wait_for_function(
            "async (n) => { const k = await caches.keys(); return k.length === 1 && k[0] === n; }",
            arg=f"glasslab-{second['hash']} {served.url()}",
            timeout=READY_TIMEOUT_MS,
        )
        assert "second build" in fetch_text(new, "css/glasslab.css")
        assert json.loads(fetch_text(new, BUILD_INFO))["hash"] == second["hash"]
        assert new.log.page_errors == []
    finally:
        context.close()
        served.close()


def test_site_installs_as_an_app(browser, site_dir, tmp_path):
    # a persistent profile: Chromium never offers to install from an incognito-like context
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=chromium_path(), args=CHROMIUM_ARGS
    )
    served = Served(site_dir)
    try:
        for path in PAGES:
            pg = new_page(context)
            pg.goto(served.url(path))
            wait_ready(pg)
            wait_controlled(pg)
            cdp = context.new_cdp_session(pg)
            manifest = cdp.send("Page.getAppManifest")
            assert manifest["url"] == served.url("manifest.webmanifest")
            assert manifest["errors"] == []
            assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
            pg.close()
    finally:
        context.close()
        served.close()


class SubpathHandler(SiteHandler):
    """GitHub Pages' layout for a project site: the site at /glasslab/, nothing anywhere else."""

    prefix = "/glasslab/"

    def send_head(self):
        self.server.paths.append(self.path)
        if urlsplit(self.path).path == self.prefix.rstrip("/"):
            self.send_response(301)
            self.send_header("Location", self.prefix)
            self.end_headers()
            return None
        if not self.path.startswith(self.prefix):
            self.send_error(404)
            return None
        self.path = self.path[len(self.prefix) - 1 :]
        return super().send_head()


def test_every_page_works_under_a_project_subpath(browser, site_dir):
    server = SiteServer(
        ("127.0.0.1", 0), functools.partial(SubpathHandler, directory=str(site_dir))
    )
    server.verbose = False
    server.paths = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    base = f"{origin}/glasslab/"
    context = browser.new_context()
    try:
        samples = json.loads((site_dir / "samples" / "index.json").read_text())
        pg = new_page(context)
        for path in PAGES:
            pg.goto(base + path)
            wait_ready(pg)
            wait_controlled(pg)
            use_page(pg, path, samples[0]["file"])
        scope = pg.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.scope)")
        assert scope == base
        assert pg.log.foreign(origin) == []
        assert pg.failed == []
        assert all(u.startswith(base) for u in pg.log.requests), [
            u for u in pg.log.requests if not u.startswith(base)
        ]
        # the server saw the service worker's downloads too: nothing outside the subpath
        assert server.paths and all(p.startswith("/glasslab/") for p in server.paths), [
            p for p in server.paths if not p.startswith("/glasslab/")
        ]
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def test_local_launcher_names_the_type_of_every_file(site_dir):
    info = json.loads((site_dir / BUILD_INFO).read_text())
    first_of = {}
    for path in [*info["files"], BUILD_INFO]:
        first_of.setdefault(Path(path).suffix, path)
    missing = sorted(set(first_of) - set(MIME_TYPES))
    assert missing == [], f"no explicit MIME type for {missing}"
    served = Served(site_dir)
    try:
        for suffix, path in sorted(first_of.items()):
            with urllib.request.urlopen(served.url(path)) as response:
                assert response.headers["Content-Type"].split(";")[0] == MIME_TYPES[suffix], path
                assert response.headers["Cache-Control"] == "no-cache", path
        with urllib.request.urlopen(served.url(sw.SW_FILE)) as response:
            assert response.headers["Content-Type"] == "text/javascript"
            assert response.headers["Cache-Control"] == "no-cache"
    finally:
        served.close()
