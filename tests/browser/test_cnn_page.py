"""The CNN explainer page in real Chromium.

One page is loaded per module (each load costs seconds) and driven through
``window.glasslab`` and real file inputs; every number the page shows is checked
against the same computation on CPython (glasslab.cnn with Pillow decoding).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from glasslab.cnn import explain, preprocess
from glasslab.cnn.model import SequentialCNN
from PIL import Image

from tests.browser.conftest import PageLog, wait_ready

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def cnn(browser, server):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.log = PageLog(pg)
    pg.goto(server.url("cnn.html"))
    wait_ready(pg)
    yield pg
    foreign = pg.log.foreign()
    ctx.close()
    assert not foreign, f"requests left the site's origin: {foreign}"


def state(pg) -> dict:
    return pg.evaluate("window.glasslab.state()")


def reference(model: SequentialCNN, data: bytes):
    pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
    x = preprocess.prepare(pixels, model.input_shape[:2], model.input_shape[2])
    acts = model.forward(x)
    return x, {k: v.copy() for k, v in acts.items()}, model.probabilities(acts)


def make_pattern_png(tmp_path_factory):
    """A lossless test image (so the page and CPython see identical pixels)."""
    path = tmp_path_factory.mktemp("img") / "pattern.png"
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:80, 0:96]
    rgb = np.stack([(xx * 2.6) % 256, (yy * 3.1) % 256, rng.integers(0, 256, (80, 96))], axis=2)
    Image.fromarray(rgb.astype(np.uint8), "RGB").save(path)
    return path


@pytest.fixture(scope="module")
def pattern(tmp_path_factory):
    return make_pattern_png(tmp_path_factory)


def upload(pg, selector: str, path, wait_js: str) -> dict:
    pg.set_input_files(selector, str(path))
    pg.wait_for_function(wait_js, timeout=30_000)
    return state(pg)


def open_detail(pg, col: int, channel: int) -> dict:
    return pg.evaluate("([c, k]) => window.glasslab.openDetail(c, k)", [col, channel])


def ort_done(pg) -> dict:
    return pg.evaluate("window.glasslab.ortDone()")


def test_page_loads_with_the_first_sample(cnn):
    s = state(cnn)
    assert s["page"] == "cnn" and s["ready"] is True
    assert s["model"] == "TinyVGG"
    assert len(s["classes"]) == 10 and s["classes"][0] == "lifeboat"
    assert abs(sum(s["probabilities"]) - 1) < 1e-5
    assert s["columns"][:3] == ["input", "conv_1_1", "relu_1_1"]
    assert cnn.evaluate("document.querySelectorAll('#class-list li').length") == 10
    assert cnn.log.page_errors == []


def test_every_sample_gives_the_cpython_class(cnn, site_dir, tinyvgg):
    samples = json.loads((site_dir / "samples" / "index.json").read_text())
    assert len(samples) >= 10
    for sample in samples:
        s = cnn.evaluate("(u) => window.glasslab.classify(u)", f"samples/{sample['file']}")
        assert s["image"] == sample["file"], s["message"]
        _, _, probs = reference(tinyvgg, (site_dir / "samples" / sample["file"]).read_bytes())
        assert s["top"] == int(np.argmax(probs)), sample["file"]
        # JPEG decoders may differ by a unit in a few pixels: close, not identical
        assert np.max(np.abs(np.array(s["probabilities"]) - probs)) < 0.02
        assert s["render_ms"] is not None


def test_numpy_and_onnx_runtime_agree(cnn):
    cnn.evaluate("window.glasslab.classify('samples/koala_1.jpeg')")
    s = ort_done(cnn)
    assert s["ort_status"] == "agree"
    assert s["ort_max_diff"] is not None and s["ort_max_diff"] <= 1e-4
    assert "agree" in cnn.text_content("#ort-diff")


def test_upload_and_detail_views_show_the_cpython_numbers(cnn, tinyvgg, pattern):
    s = upload(cnn, "#file-image", pattern, "window.glasslab.state().image === 'pattern.png'")
    x, acts, probs = reference(tinyvgg, pattern.read_bytes())
    np.testing.assert_allclose(s["probabilities"], probs, atol=1e-5)
    cols = s["columns"]

    def num(sel: str) -> float:
        return float(cnn.text_content(sel))

    # convolution: conv_1_2, neuron 4, cell (7, 11)
    s = open_detail(cnn, cols.index("conv_1_2"), 4)
    assert s["detail"]["kind"] == "conv" and s["detail"]["layer"] == "conv_1_2"
    s = cnn.evaluate("window.glasslab.setCell(7, 11)")
    assert s["detail"]["cell"] == [7, 11]
    cell = explain.explain_conv_cell(tinyvgg, x, acts, "conv_1_2", 4, 7, 11)
    assert num("#cell-value") == pytest.approx(acts["conv_1_2"][7, 11, 4], abs=1e-4)
    assert num("#cell-bias") == pytest.approx(cell["bias"], abs=1e-4)
    assert num("#cell-sum") == pytest.approx(cell["sum"], abs=1e-4)
    for j, value in enumerate(cell["channel_sums"]):
        assert num(f"#cell-ch-{j}") == pytest.approx(value, abs=1e-4)
    assert num("#cell-k-2-0") == pytest.approx(cell["kernel"][0, 2, 0], abs=1e-4)
    assert num("#cell-prod-1-1") == pytest.approx(cell["products"][0, 1, 1], abs=1e-4)
    assert cnn.is_visible("#det-in-9") and cnn.is_visible("#det-out")
    cnn.keyboard.press("Escape")
    assert cnn.evaluate("document.getElementById('detail').open") is False

    # ReLU: relu_2_1, neuron 0, at its smallest input
    layer_in = acts["conv_2_1"][:, :, 0]
    r, c = np.unravel_index(int(np.argmin(layer_in)), layer_in.shape)
    open_detail(cnn, cols.index("relu_2_1"), 0)
    cnn.evaluate(f"window.glasslab.setCell({r}, {c})")
    assert num("#cell-input") == pytest.approx(layer_in[r, c], abs=1e-4)
    assert num("#cell-value") == pytest.approx(max(0.0, layer_in[r, c]), abs=1e-4)
    cnn.mouse.click(4, 4)  # outside the dialog
    assert cnn.evaluate("document.getElementById('detail').open") is False

    # max pooling: max_pool_2, neuron 6, cell (3, 5)
    open_detail(cnn, cols.index("max_pool_2"), 6)
    cnn.evaluate("window.glasslab.setCell(3, 5)")
    window = acts["relu_2_2"][6:8, 10:12, 6]
    assert num("#cell-value") == pytest.approx(acts["max_pool_2"][3, 5, 6], abs=1e-4)
    assert num("#cell-value") == pytest.approx(window.max(), abs=1e-4)
    assert num("#cell-win-1-0") == pytest.approx(window[1, 0], abs=1e-4)
    cnn.keyboard.press("Escape")

    # softmax: class 5
    open_detail(cnn, len(cols), 5)
    out = explain.explain_output(tinyvgg, x, acts)
    assert num("#sm-logit") == pytest.approx(out["logits"][5], abs=1e-4)
    for j in range(10):
        assert num(f"#sm-logit-{j}") == pytest.approx(out["logits"][j], abs=1e-4)
        assert num(f"#sm-prob-{j}") == pytest.approx(probs[j], abs=1e-6)
    assert num("#sm-exp-sum") == pytest.approx(out["sum"], abs=1e-5)
    cnn.keyboard.press("Escape")
    assert state(cnn)["detail"] is None


def test_keyboard_moves_the_focus_and_opens_a_neuron(cnn):
    cnn.focus("#overview")
    for key in ("Home", "ArrowRight", "ArrowRight", "ArrowDown", "ArrowDown"):
        cnn.keyboard.press(key)
    s = state(cnn)
    assert s["focus"] == [2, 2]
    cnn.keyboard.press("Enter")
    s = state(cnn)
    assert s["detail"]["layer"] == s["columns"][2] and s["detail"]["channel"] == 2
    cnn.keyboard.press("Escape")
    assert cnn.get_attribute("#overview", "aria-label")


def test_colour_scale_modes_and_legend(cnn):
    for mode in ("unit", "global", "module"):
        s = cnn.evaluate(f"window.glasslab.setScale('{mode}')")
        assert s["scale"] == mode
    cnn.evaluate("window.glasslabCnnView.setFocus(3, 1, true)")
    ticks = cnn.evaluate(
        "[...document.querySelectorAll('#legend-ticks .tick')].map(t => +t.dataset.value)"
    )
    assert len(ticks) == 5 and ticks[2] == 0 and ticks[0] == -ticks[4] and ticks[4] > 0


def bad_and_kept(cnn, tmp_path, name: str, data: bytes, words: tuple[str, ...]) -> None:
    before = state(cnn)
    path = tmp_path / name
    path.write_bytes(data)
    cnn.set_input_files("#file-image", str(path))
    cnn.wait_for_function("window.glasslab.state().message !== null", timeout=30_000)
    s = state(cnn)
    assert s["image"] == before["image"] and s["probabilities"] == before["probabilities"]
    assert any(w in s["message"] for w in words), s["message"]
    assert cnn.is_visible("#cnn-message")
    cnn.evaluate("window.glasslab.classify('samples/pizza_1.jpeg')")  # clears the message


def test_bad_images_give_a_message_and_keep_the_image(cnn, site_dir, tmp_path):
    cnn.evaluate("window.glasslab.classify('samples/pizza_1.jpeg')")
    bad_and_kept(cnn, tmp_path, "notes.png", b"hello, not an image at all", ("not an image",))
    jpeg = (site_dir / "samples" / "bus_1.jpeg").read_bytes()
    bad_and_kept(cnn, tmp_path, "cut.jpeg", jpeg[: len(jpeg) // 2], ("truncated",))
    tiny = io.BytesIO()
    Image.new("RGB", (1, 1), (255, 0, 0)).save(tiny, "PNG")
    bad_and_kept(cnn, tmp_path, "dot.png", tiny.getvalue(), ("1×1",))
    broken = bytearray((site_dir / "samples" / "bus_1.jpeg").read_bytes())
    broken[200:900] = b"\x00" * 700  # corrupt scan data and tables, ends intact
    broken[2:4] = b"\xff\x00"
    path = tmp_path / "broken.jpeg"
    path.write_bytes(bytes(broken))
    cnn.set_input_files("#file-image", str(path))
    cnn.wait_for_timeout(1000)
    assert state(cnn)["image"] in ("pizza_1.jpeg", "broken.jpeg")  # decoded or refused


def test_animated_gif_uses_its_first_frame(cnn, tmp_path, tinyvgg):
    frames = [Image.new("RGB", (64, 64), c) for c in ((250, 120, 0), (0, 0, 255))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    s = upload(cnn, "#file-image", path, "window.glasslab.state().image === 'anim.gif'")
    x = np.zeros((64, 64, 3), np.float32) + np.array([250, 120, 0], np.float32) / 255
    np.testing.assert_allclose(s["probabilities"], tinyvgg.predict(x), atol=2e-3)


def small_model(path, op: str = "Relu", classes: int = 4):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(7)
    inits = [
        numpy_helper.from_array(rng.normal(0, 0.3, (6, 3, 3, 3)).astype(np.float32), "w1"),
        numpy_helper.from_array(rng.normal(0, 0.1, (6,)).astype(np.float32), "b1"),
        numpy_helper.from_array(
            rng.normal(0, 0.05, (6 * 16 * 16, classes)).astype(np.float32), "w2"
        ),
        numpy_helper.from_array(rng.normal(0, 0.1, (classes,)).astype(np.float32), "b2"),
    ]
    nodes = [
        helper.make_node(
            "Conv", ["x", "w1", "b1"], ["conv"], name="conv", pads=[1, 1, 1, 1], kernel_shape=[3, 3]
        ),
        helper.make_node(op, ["conv"], ["act"], name="act"),
        helper.make_node(
            "MaxPool", ["act"], ["pool"], name="pool", kernel_shape=[2, 2], strides=[2, 2]
        ),
        helper.make_node("Flatten", ["pool"], ["flat"], name="flat"),
        helper.make_node("Gemm", ["flat", "w2", "b2"], ["logits"], name="dense"),
        helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "small",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, classes])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


def test_own_model_loads_and_the_page_adapts(cnn, tmp_path, pattern):
    cnn.evaluate("window.glasslab.classify('samples/koala_1.jpeg')")
    # an unsupported operator is refused by name, TinyVGG stays
    bad = small_model(tmp_path / "elu.onnx", op="Elu")
    cnn.set_input_files("#file-model", str(bad))
    cnn.wait_for_function("window.glasslab.state().message !== null", timeout=30_000)
    s = state(cnn)
    assert "Elu" in s["message"] and s["model"] == "TinyVGG" and len(s["classes"]) == 10
    # garbage bytes: a clear message, TinyVGG stays
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x0a\xff\xff\xff\xff\x0f" + b"\x01" * 50)
    cnn.set_input_files("#file-model", str(junk))
    cnn.wait_for_function("window.glasslab.state().message.includes('junk.onnx')")
    assert state(cnn)["model"] == "TinyVGG"

    good = small_model(tmp_path / "small.onnx")
    s = upload(cnn, "#file-model", good, "window.glasslab.state().model === 'small.onnx'")
    assert len(s["classes"]) == 4 and s["input_shape"] == [32, 32, 3]
    assert s["message"] is None
    assert cnn.evaluate("document.querySelectorAll('#class-list li').length") == 4
    assert s["columns"] == ["input", "conv", "act", "pool"]
    assert ort_done(cnn)["ort_max_diff"] <= 1e-4
    # the current image is re-prepared for the new input size
    s = upload(cnn, "#file-image", pattern, "window.glasslab.state().image === 'pattern.png'")
    model = SequentialCNN.from_file(good)
    _, _, probs = reference(model, pattern.read_bytes())
    np.testing.assert_allclose(s["probabilities"], probs, atol=1e-5)
    # class names from the text field
    cnn.fill("#labels-text", "north\neast\nsouth\nwest")
    cnn.click("#btn-labels")
    assert state(cnn)["classes"] == ["north", "east", "south", "west"]
    # back to TinyVGG
    cnn.click("#btn-tinyvgg")
    cnn.wait_for_function("window.glasslab.state().model === 'TinyVGG'", timeout=30_000)
    s = state(cnn)
    assert len(s["classes"]) == 10 and s["image"] == "pattern.png"


def test_playground_formula(cnn):
    cnn.fill("#pg-n", "7")
    cnn.fill("#pg-k", "3")
    cnn.fill("#pg-p", "1")
    cnn.fill("#pg-s", "2")
    assert "= 4" in cnn.text_content("#pg-formula")
    cnn.fill("#pg-n", "6")
    assert "Invalid" in cnn.text_content("#pg-reason")
