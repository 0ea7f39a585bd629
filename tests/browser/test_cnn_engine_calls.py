"""The CNN engine's handle calls in real Chromium: saliency maps, your own kernel, the
softmax temperature, a course model with a hidden dense layer and no softmax, and an
unsupported operator refused while the previous model keeps running. Every number is
checked against the same computation on CPython."""

# ruff: noqa: F811
# (the page fixtures of test_cnn_page are used here by name)

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from glasslab.cnn import kernels, saliency, scores
from glasslab.cnn.model import SequentialCNN
from onnx import TensorProto, helper, numpy_helper

from tests.browser.test_cnn_page import (  # noqa: F401 (fixtures)
    cnn,
    ort_done,
    pattern,
    reference,
    state,
    upload,
)

pytestmark = pytest.mark.browser

CALL_ERROR = """async ([name, args]) => {
  try { await window.glasslab[name](...args); return null; }
  catch (e) { return String(e && e.message ? e.message : e); }
}"""


def refused(pg, name: str, *args) -> str:
    """The error message of a handle call that must fail."""
    message = pg.evaluate(CALL_ERROR, [name, list(args)])
    assert message, f"{name}{args} was accepted"
    return message


@pytest.fixture(scope="module")
def on_pattern(cnn, tinyvgg, pattern):
    upload(cnn, "#file-image", pattern, "window.glasslab.state().image === 'pattern.png'")
    x, acts, probs = reference(tinyvgg, pattern.read_bytes())
    return x, acts, probs


def test_saliency_maps_are_the_cpython_maps(cnn, tinyvgg, on_pattern):
    x, acts, probs = on_pattern
    top = int(np.argmax(probs))
    got = cnn.evaluate("(k) => window.glasslab.saliency(k, 'gradient')", top)
    assert (got["width"], got["height"]) == (64, 64)
    expected = saliency.gradient(tinyvgg, x, acts, top)
    np.testing.assert_allclose(np.reshape(got["values"], (64, 64)), expected, rtol=1e-3, atol=1e-6)
    cam = cnn.evaluate("window.glasslab.saliency(3, 'gradcam')")
    assert (cam["width"], cam["height"]) == (26, 26)  # relu_2_2
    expected = saliency.gradcam(tinyvgg, x, acts, 3)
    np.testing.assert_allclose(np.reshape(cam["values"], (26, 26)), expected, rtol=1e-3, atol=1e-6)
    for k in (10, -1, 1.5, "2"):
        assert "class must be" in refused(cnn, "saliency", k, "gradient")
    assert "gradient, gradcam" in refused(cnn, "saliency", 0, "smoothgrad")
    s = state(cnn)
    assert "gradient, gradcam" in s["message"] and s["image"] == "pattern.png"


def test_your_own_kernel_is_applied_to_the_channel_mean(cnn, on_pattern):
    x, _, _ = on_pattern
    sobel = kernels.PRESETS["sobel_x"]
    got = cnn.evaluate("(k) => window.glasslab.convolve(k)", sobel)
    assert (got["width"], got["height"]) == (62, 62)
    expected = kernels.convolve(sobel, x)["values"]
    np.testing.assert_allclose(got["values"], expected, atol=1e-5)
    seven = np.arange(49, dtype=float).reshape(7, 7).tolist()
    got = cnn.evaluate("(k) => window.glasslab.convolve(k)", seven)
    assert (got["width"], got["height"]) == (58, 58)
    assert "square" in refused(cnn, "convolve", [[1, 2], [3]])
    assert "1x1 to 7x7" in refused(cnn, "convolve", [[1] * 8] * 8)
    assert "finite" in refused(cnn, "convolve", [[1, "a"], [0, 0]])


def test_temperature_sets_the_probabilities(cnn, tinyvgg, on_pattern):
    x, acts, probs = on_pattern
    s = state(cnn)
    assert s["temperature"] == 1
    logits = tinyvgg.logits(x, acts)
    np.testing.assert_allclose(s["logits"], logits, atol=1e-4)
    np.testing.assert_allclose(s["probabilities"], probs, atol=1e-5)
    s = cnn.evaluate("window.glasslab.set({temperature: 2.5})")
    assert s["temperature"] == 2.5
    np.testing.assert_allclose(
        s["probabilities"], scores.probabilities(s["logits"], 2.5), atol=1e-9
    )
    np.testing.assert_allclose(s["probabilities"], scores.probabilities(logits, 2.5), atol=1e-5)
    top = s["top"]
    pct = cnn.text_content(f"#class-list li:nth-child({top + 1}) .pct")
    assert pct == f"{100 * s['probabilities'][top]:.1f}%"
    for bad in (0, 0.05, 10.5, "2", None):
        assert "temperature must be a number from 0.1 to 10" in refused(
            cnn, "set", {"temperature": bad}
        )
    assert "unknown setting" in refused(cnn, "set", {"temp": 1})
    assert state(cnn)["temperature"] == 2.5
    s = cnn.evaluate("window.glasslab.set({temperature: 0.1})")
    assert s["probabilities"][s["top"]] > 0.99
    s = cnn.evaluate("window.glasslab.set({temperature: 1})")
    np.testing.assert_allclose(s["probabilities"], probs, atol=1e-5)


def course_model(path, op="Relu"):
    """3x32x32 -> conv -> op -> max pool -> flatten -> Linear(512, 16) -> ReLU ->
    Linear(16, 5): logits, no softmax; a dynamic batch axis, as torch.onnx.export writes."""
    rng = np.random.default_rng(4)

    def w(*shape, scale=0.2):
        return numpy_helper.from_array(rng.normal(0, scale, shape).astype(np.float32))

    inits = {"w1": w(2, 3, 3, 3), "b1": w(2), "fc1": w(16, 512, scale=0.1), "fb1": w(16)}
    inits |= {"fc2": w(5, 16), "fb2": w(5)}
    for name, tensor in inits.items():
        tensor.name = name
    nodes = [
        helper.make_node("Conv", ["input", "w1", "b1"], ["c"], name="/conv/Conv", pads=[1] * 4),
        helper.make_node(op, ["c"], ["a"], name=f"/act/{op}"),
        helper.make_node("MaxPool", ["a"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "fc1", "fb1"], ["h"], transB=1),
        helper.make_node("Relu", ["h"], ["hr"]),
        helper.make_node("Gemm", ["hr", "fc2", "fb2"], ["logits"], transB=1),
    ]
    graph = helper.make_graph(
        nodes,
        "main_graph",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch_size", 3, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", 5])],
        list(inits.values()),
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path.write_bytes(model.SerializeToString())
    return path


def test_an_unsupported_operator_is_refused_and_the_previous_model_keeps_running(
    cnn,
    tmp_path,
    pattern,
    tinyvgg,
):
    upload(cnn, "#file-image", pattern, "window.glasslab.state().image === 'pattern.png'")
    bad = course_model(tmp_path / "elu.onnx", op="Elu")
    cnn.set_input_files("#file-model", str(bad))
    cnn.wait_for_function("(window.glasslab.state().message || '').includes('Elu')")
    s = state(cnn)
    assert "supported operators" in s["message"] and "BatchNormalization" in s["message"]
    assert s["model"] == "TinyVGG" and len(s["classes"]) == 10
    s = cnn.evaluate("window.glasslab.classify('samples/koala_1.jpeg')")
    assert s["image"] == "koala_1.jpeg" and s["model"] == "TinyVGG" and s["message"] is None
    assert abs(sum(s["probabilities"]) - 1) < 1e-5 and s["label"] == s["classes"][s["top"]]


def test_a_course_model_with_a_hidden_dense_layer_and_logits(cnn, tmp_path, pattern):
    upload(cnn, "#file-image", pattern, "window.glasslab.state().image === 'pattern.png'")
    path = course_model(tmp_path / "course.onnx")
    s = upload(cnn, "#file-model", path, "window.glasslab.state().model === 'course.onnx'")
    assert s["columns"] == ["input", "c", "a", "p", "h", "hr"]  # dense hidden layers drawn
    assert s["message_kind"] == "info" and "softmax" in s["message"]
    model = SequentialCNN.from_file(path)
    x, acts, probs = reference(model, pattern.read_bytes())
    np.testing.assert_allclose(s["logits"], model.logits(x, acts), atol=1e-4)
    np.testing.assert_allclose(s["probabilities"], probs, atol=1e-5)
    session = ort.InferenceSession(path.read_bytes(), providers=["CPUExecutionProvider"])
    (z,) = session.run(None, {"input": model.to_onnx_input(x)})
    np.testing.assert_allclose(s["probabilities"], scores.probabilities(z[0]), atol=1e-4)
    assert ort_done(cnn)["ort_max_diff"] <= 1e-4  # ONNX Runtime Web on the same file
    assert cnn.evaluate("document.querySelectorAll('[data-layer=\"h\"]').length") == 16
    canvas = "document.getElementById('col-4')"
    strip = cnn.evaluate(f"[{canvas}.width, {canvas}.height]")
    assert strip[0] < strip[1]
    got = cnn.evaluate("window.glasslab.saliency(4, 'gradcam')")  # on the conv's ReLU
    assert (got["width"], got["height"]) == (32, 32)
    cnn.click("#btn-tinyvgg")
    cnn.wait_for_function("window.glasslab.state().model === 'TinyVGG'", timeout=30_000)
