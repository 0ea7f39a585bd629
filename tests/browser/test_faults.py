"""Hostile and broken input on both pages and in the URL, and runtime files that fail to load.

Each bad input must give a readable message, leave what the page showed before intact
(``state()`` compared before and after) and never run injected markup: no dialog opens,
no injected element appears. Inputs already covered by test_gan_page.py, test_cnn_page.py
and test_foundation.py are not repeated here.
"""

from __future__ import annotations

import json
import shutil

import pytest
from PIL import Image

from tests.browser.conftest import READY_TIMEOUT_MS, PageLog, Served, wait_ready

pytestmark = pytest.mark.browser

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert(2)</script>"
XSS_SVG = "<svg onload=alert(3)>"

# Elements an injection would leave behind (the pages create none of these themselves).
INJECTED = """() => [...document.querySelectorAll(
    'img[src="x"], [onerror], [onload], svg[onload], body script:not([src]):not([type="py"])')]
    .map((el) => el.outerHTML.slice(0, 80))"""


def hostile_page(context, server, path: str):
    pg = context.new_page()
    pg.log = PageLog(pg)
    pg.dialogs = []

    def on_dialog(dialog):
        pg.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    if path is not None:
        pg.goto(server.url(path))
        wait_ready(pg)
    return pg


def assert_clean(pg, origin: str) -> None:
    assert pg.dialogs == [], f"injected script ran: {pg.dialogs}"
    assert pg.evaluate(INJECTED) == []
    assert pg.log.foreign(origin) == []
    assert pg.log.page_errors == []


@pytest.fixture(scope="module")
def module_context(browser):
    # no service worker: once one holds the build, a file deleted on the server is still
    # served from its cache (tests/browser/test_offline.py), and these tests delete files
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True, service_workers="block"
    )
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def gan(module_context, server):
    pg = hostile_page(module_context, server, "gan.html")
    yield pg
    assert_clean(pg, server.origin)


@pytest.fixture(scope="module")
def cnn(module_context, server):
    pg = hostile_page(module_context, server, "cnn.html")
    pg.evaluate("window.glasslab.ortDone()")
    yield pg
    assert_clean(pg, server.origin)


def state(pg) -> dict:
    return pg.evaluate("window.glasslab.state()")


GAN_KEPT = ("iteration", "dataset", "g_lr", "d_lr", "k_d", "k_g", "seed", "batch", "noise_dim")
GAN_KEPT += ("g_neurons", "d_neurons", "g_layers", "d_layers", "js", "kl", "pretrained")


def gan_kept(s: dict) -> dict:
    return {k: s[k] for k in GAN_KEPT}


@pytest.fixture
def gan_fresh(gan):
    gan.evaluate("window.glasslab.pause()")
    gan.evaluate("window.glasslab.set({dataset: 'ring', pretrained: true})")
    gan.evaluate("window.glasslab.step('both')")  # a state that differs from any default
    return gan


# ---------------------------------------------------------------- GAN: hyperparameters


@pytest.mark.parametrize(
    "expression, setting",
    [
        ("{g_lr: Infinity}", "g_lr"),
        ("{g_lr: -Infinity}", "g_lr"),
        ("{d_lr: NaN}", "d_lr"),
        ("{d_lr: -1}", "d_lr"),
        ("{k_d: Infinity}", "k_d"),
        ("{k_d: 'Infinity'}", "k_d"),
        ("{k_g: NaN}", "k_g"),
        ("{k_g: -1}", "k_g"),
        ("{batch: -5}", "batch"),
        ("{seed: 1e300}", "seed"),
        ("{noise_dim: '1e400'}", "noise_dim"),
        ("{g_neurons: 2.5}", "g_neurons"),
        (f"{{dataset: {json.dumps(XSS_SCRIPT)}}}", "dataset"),
        (f"{{loss: {json.dumps(XSS_IMG)}}}", "loss"),
    ],
)
def test_nonfinite_and_negative_settings_from_the_handle(gan_fresh, expression, setting):
    before = state(gan_fresh)
    error = gan_fresh.evaluate(
        f"() => {{ try {{ window.glasslab.set({expression}); return null; }}"
        " catch (e) { return String(e.message || e); } }"
    )
    assert error and setting in error
    after = state(gan_fresh)
    assert gan_kept(after) == gan_kept(before)
    assert setting in after["message"] and gan_fresh.is_visible("#gan-message")
    assert gan_fresh.evaluate(INJECTED) == []


@pytest.mark.parametrize("text", ["Infinity", "-1", "NaN", "1e400", "2.5", "-0.5"])
@pytest.mark.parametrize("control", ["hp-k_d", "hp-g_neurons", "hp-seed"])
def test_nonfinite_and_negative_values_typed_into_controls(gan_fresh, control, text):
    setting = control[3:]
    before = state(gan_fresh)
    shown = gan_fresh.input_value(f"#{control}")
    # a number input sanitises some text to "" itself; the page must refuse both
    gan_fresh.fill(f"#{control}", text) if text[0].isdigit() or text[0] == "-" else None
    gan_fresh.evaluate(
        "([id, v]) => { const el = document.getElementById(id); el.value = v;"
        " el.dispatchEvent(new Event('change')); }",
        [control, text],
    )
    after = state(gan_fresh)
    assert gan_kept(after) == gan_kept(before)
    assert after["message"] and setting in after["message"]
    assert gan_fresh.input_value(f"#{control}") == shown  # the control shows the setting again


def test_nonfinite_and_negative_values_in_the_url(gan, server):
    pg = hostile_page(gan.context, server, "gan.html?g_lr=NaN&d_lr=-1&k_d=Infinity&k_g=-2")
    try:
        s = state(pg)
        preset = json.loads(
            __import__("glasslab.gan", fromlist=["preset_json"]).preset_json("gaussians")
        )["config"]
        assert (s["g_lr"], s["d_lr"], s["k_d"], s["k_g"]) == (
            preset["g_lr"],
            preset["d_lr"],
            preset["k_d"],
            preset["k_g"],
        )
        message = pg.text_content("#gan-message")
        for name in ("g_lr", "d_lr", "k_d", "k_g"):
            assert name in message
        pg.evaluate("window.glasslab.play()")  # the page still trains
        pg.wait_for_function("() => window.glasslab.state().iteration > 20", timeout=60_000)
        assert_clean(pg, server.origin)
    finally:
        pg.close()


# ---------------------------------------------------------------- GAN: model files


def saved_model(pg, tmp_path) -> str:
    with pg.expect_download() as info:
        pg.click("#btn-save")
    path = tmp_path / "saved.json"
    info.value.save_as(path)
    return path.read_text()


def gan_file_cases(good: str) -> dict[str, bytes]:
    model = json.loads(good)
    huge_neurons = json.loads(good)
    huge_neurons["config"]["g_neurons"] = 10**9
    return {
        "truncated.json": good[: len(good) // 2].encode(),
        "empty.json": b"",
        "not-utf8.json": b"\xff\xfe\x00\x81" * 100,
        "list.json": b"[]",
        "deep.json": b"[" * 200_000 + b"]" * 200_000,
        "nan.json": good.replace(str(model["iteration"]), "NaN", 1).encode()
        if f'"iteration": {model["iteration"]}' in good
        else good.replace('"iteration":', '"iteration": NaN, "x":', 1).encode(),
        "huge-neurons.json": json.dumps(huge_neurons).encode(),
        "enormous.json": b'{"format": "glasslab-gan", "pad": "' + b"x" * 6_000_000 + b'"}',
        f"{XSS_IMG}.json": json.dumps({"format": XSS_SCRIPT}).encode(),
    }


def test_malformed_truncated_and_enormous_model_files(gan_fresh, tmp_path):
    good = saved_model(gan_fresh, tmp_path)
    for name, data in gan_file_cases(good).items():
        gan_fresh.evaluate("window.glasslab.set({})")  # clears the message
        before = state(gan_fresh)
        assert before["message"] is None
        path = tmp_path / name
        path.write_bytes(data)
        gan_fresh.set_input_files("#file-load", str(path))
        gan_fresh.wait_for_function(
            "() => window.glasslab.state().message !== null", timeout=30_000
        )
        after = state(gan_fresh)
        assert "Could not load" in after["message"], (name, after["message"])
        assert gan_kept(after) == gan_kept(before), name
        assert gan_fresh.evaluate(INJECTED) == [], name
    assert gan_fresh.log.page_errors == []


def test_two_identical_drawn_points(gan_fresh):
    """A degenerate drawing (every point the same) is used or refused, never a crash."""
    gan_fresh.select_option("#opt-dataset", "drawing")
    box = gan_fresh.locator("#gan-canvas").bounding_box()
    for _ in range(2):
        gan_fresh.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    gan_fresh.click("#btn-draw-done")
    s = state(gan_fresh)
    if s["drawing_mode"]:  # refused: says why
        assert "point" in s["message"]
        gan_fresh.keyboard.press("Escape")
    else:
        gan_fresh.evaluate("window.glasslab.play()")
        gan_fresh.wait_for_function("() => window.glasslab.state().iteration > 50")
        gan_fresh.evaluate("window.glasslab.pause()")
        s = state(gan_fresh)
        assert s["d_loss"] is not None and s["js"] == s["js"]  # finite numbers, not NaN
    assert gan_fresh.log.page_errors == []


# ---------------------------------------------------------------- CNN: images and models


CNN_KEPT = ("image", "probabilities", "model", "classes", "input_shape")


def cnn_kept(s: dict) -> dict:
    return {k: s[k] for k in CNN_KEPT}


def refused(pg, selector: str, path, words: tuple[str, ...]) -> dict:
    pg.evaluate("window.glasslab.classify('samples/pizza_1.jpeg')")  # known state, no message
    before = state(pg)
    assert before["message"] is None
    pg.set_input_files(selector, str(path))
    pg.wait_for_function("() => window.glasslab.state().message !== null", timeout=60_000)
    after = state(pg)
    assert cnn_kept(after) == cnn_kept(before), path.name
    assert path.name in after["message"], after["message"]
    assert any(w in after["message"] for w in words), after["message"]
    assert pg.is_visible("#cnn-message")
    assert pg.evaluate(INJECTED) == []
    return after


def test_huge_image_is_scaled_down_and_classified(cnn, tmp_path):
    path = tmp_path / "huge.jpeg"
    gradient = Image.linear_gradient("L").resize((8000, 8000))
    Image.merge("RGB", (gradient, gradient.rotate(90), gradient.rotate(180))).save(path, "JPEG")
    cnn.evaluate("window.glasslab.classify('samples/pizza_1.jpeg')")
    cnn.set_input_files("#file-image", str(path))
    cnn.wait_for_function(
        "() => window.glasslab.state().image === 'huge.jpeg'", timeout=READY_TIMEOUT_MS
    )
    s = state(cnn)
    assert abs(sum(s["probabilities"]) - 1) < 1e-4 and s["message"] is None
    assert all(0 <= p <= 1 for p in s["probabilities"])


def test_bad_images_on_the_cnn_page(cnn, tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    refused(cnn, "#file-image", tmp_path / "empty.png", ("not an image", "empty"))
    svg = tmp_path / "script.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(4)" width="64" height="64">'
        "<script>alert(5)</script><rect width='64' height='64'/></svg>"
    )
    refused(cnn, "#file-image", svg, ("image", "SVG", "svg"))
    # a file name with markup in it is shown as text
    named = tmp_path / f"{XSS_IMG}.png"
    named.write_bytes(b"<html><body onload=alert(6)>not an image</body></html>")
    after = refused(cnn, "#file-image", named, ("not an image",))
    assert XSS_IMG in cnn.text_content("#cnn-message") and XSS_IMG in after["message"]
    assert cnn.locator("#cnn-message *").count() == 0


def test_malformed_truncated_and_enormous_onnx_models(cnn, site_dir, tmp_path):
    tiny = (site_dir / "tinyvgg.onnx").read_bytes()
    cases = {
        "truncated.onnx": tiny[: len(tiny) // 2],
        "header-only.onnx": tiny[:64],
        "empty.onnx": b"",
        "enormous.onnx": tiny + b"\x00" * 70_000_000,
        "text.onnx": b"ir_version: 8\ngraph { node { op_type: 'Conv' } }\n" * 1000,
        f"{XSS_SVG}.onnx": b"\x08\x08\x12\x04" + XSS_SCRIPT.encode(),
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        refused(cnn, "#file-model", path, ("cannot be used", "TinyVGG", "model", "ONNX"))
        assert state(cnn)["model"] == "TinyVGG"
    assert cnn.locator("#cnn-message *").count() == 0
    cnn.evaluate("window.glasslab.classify('samples/pizza_1.jpeg')")
    assert state(cnn)["message"] is None  # the page still works


# ---------------------------------------------------------------- URLs with markup


@pytest.mark.parametrize(
    "path",
    [
        f"gan.html?dataset={XSS_SCRIPT}&g_lr={XSS_IMG}#{XSS_SVG}",
        f"gan.html?{XSS_SCRIPT}=1&seed=1#{XSS_IMG}",
        f"cnn.html?sample={XSS_IMG}#{XSS_SVG}",
        f"?x={XSS_SCRIPT}#{XSS_SVG}",
    ],
    ids=["gan-values", "gan-key", "cnn-sample", "index"],
)
def test_markup_in_the_url_is_never_run(module_context, server, path):
    pg = hostile_page(module_context, server, path)
    try:
        pg.wait_for_timeout(500)  # give any injected handler the chance to fire
        assert_clean(pg, server.origin)
        s = state(pg)
        assert s["ready"] is True
        if path.startswith("gan.html?dataset"):
            assert s["dataset"] == "gaussians" and "dataset" in s["message"]
        if path.startswith("cnn.html"):
            assert s["image"] != XSS_IMG and XSS_IMG in s["message"]
            assert pg.locator("#cnn-message *").count() == 0
    finally:
        pg.close()


# ---------------------------------------------------------------- runtime files missing


@pytest.fixture(scope="module")
def scratch(site_dir, tmp_path_factory):
    """A private copy of the built site served on its own port (files get deleted in it)."""
    root = tmp_path_factory.mktemp("scratch") / "site"
    shutil.copytree(site_dir, root)
    served = Served(root)
    served.root = root
    yield served
    served.close()


@pytest.mark.parametrize(
    "path, missing",
    [("gan.html", "vendor/pyodide/python_stdlib.zip"), ("cnn.html", "tinyvgg.onnx")],
    ids=["stdlib", "tinyvgg"],
)
def test_missing_runtime_file_gives_a_message_and_retry_works(
    module_context, scratch, path, missing
):
    target = scratch.root / missing
    kept = target.with_name(target.name + ".away")
    target.rename(kept)
    pg = module_context.new_page()
    pg.log = PageLog(pg)
    try:
        pg.goto(scratch.url(path))
        pg.wait_for_function(
            "() => document.documentElement.dataset.error", timeout=READY_TIMEOUT_MS
        )
        message = pg.evaluate("document.documentElement.dataset.error")
        assert target.name in message and "404" in message, message
        assert pg.is_visible("#load-error") and pg.is_visible("#load-retry")
        assert target.name in pg.text_content("#load-error")
        assert pg.evaluate("document.documentElement.dataset.ready") is None
        # the file is back: Retry loads the page
        kept.rename(target)
        pg.click("#load-retry")
        wait_ready(pg)
        assert state(pg)["ready"] is True
    finally:
        if kept.exists():
            kept.rename(target)
        pg.close()
