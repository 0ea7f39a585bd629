"""glasslab.cnn.saliency: the gradient map against finite differences, Grad-CAM against
an independent computation by hand, on TinyVGG and on a course-style model."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from glasslab.cnn import saliency
from glasslab.cnn.model import load
from glasslab.cnn.preprocess import prepare
from test_cnn_backward import course_model
from test_cnn_reference import build_tinyvgg, sample_images


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = build_tinyvgg(tmp_path_factory.getbasetemp())
    model = load(folder / "tinyvgg.onnx")
    image = prepare(sample_images(folder)[4][2])
    return model, image, model.forward(image)


def logit_of(model, k):
    def f(x):
        x = np.asarray(x, np.float32)
        return float(model.logits(x, model.forward(x))[k])

    return f


def check_pixels(model, image, s, k, pixels, eps, rtol):
    """``S[i, j] = max_c |dz_k/dx[i, j, c]|`` by central differences at ``pixels``."""
    f = logit_of(model, k)
    x = np.asarray(image, np.float64).copy()
    for i, j in pixels:
        diffs = []
        for c in range(x.shape[2]):
            old = x[i, j, c]
            x[i, j, c] = old + eps
            up = f(x)
            x[i, j, c] = old - eps
            down = f(x)
            x[i, j, c] = old
            diffs.append(abs(up - down) / (2 * eps))
        assert s[i, j] == pytest.approx(max(diffs), rel=rtol, abs=1e-3), (i, j)


def test_gradient_map_matches_finite_differences_on_tinyvgg(run):
    model, image, acts = run
    k = int(np.argmax(model.probabilities(acts)))
    s = saliency.gradient(model, image, acts, k)
    assert s.shape == (64, 64) and s.dtype == np.float32 and s.min() >= 0
    # the strongest pixels and a few others
    order = np.argsort(s.ravel())[::-1]
    pixels = [divmod(int(p), 64) for p in order[:4]] + [(10, 50), (32, 32), (60, 3)]
    check_pixels(model, image, s, k, pixels, eps=1e-3, rtol=0.05)


def test_gradcam_on_tinyvgg_matches_a_computation_by_hand(run):
    model, image, acts = run
    assert saliency.gradcam_layer(model) == "relu_2_2"
    w = model.layer("output").kernel
    a = acts["relu_2_2"].astype(np.float64)  # (26, 26, 10)
    pooled = acts["max_pool_2"]  # (13, 13, 10): 2x2 windows, stride 2
    flat = acts["flatten"]
    perms = [p for p in itertools.permutations(range(3)) if np.array_equal(
        pooled.transpose(p).ravel(), flat)]  # fmt: skip
    assert len(perms) == 1
    index = np.arange(flat.size).reshape([pooled.shape[p] for p in perms[0]])
    index = index.transpose(np.argsort(perms[0]))  # flat position of pooled[r, c, ch]
    for k in (0, 3, 9):
        d = np.zeros_like(a)
        for r, c, ch in itertools.product(range(13), range(13), range(10)):
            window = a[2 * r : 2 * r + 2, 2 * c : 2 * c + 2, ch]
            u, v = divmod(int(np.argmax(window)), 2)  # the first maximum, in row order
            d[2 * r + u, 2 * c + v, ch] = w[index[r, c, ch], k]
        weights = d.mean(axis=(0, 1))
        expected = np.maximum((a * weights).sum(axis=2), 0)
        got = saliency.gradcam(model, image, acts, k)
        assert got.shape == (26, 26)
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
        assert got.max() > 0 or expected.max() == 0


def test_saliency_for_the_page_checks_class_and_method(run):
    model, image, acts = run
    out = saliency.saliency(model, image, acts, 2, "gradient")
    assert (out["width"], out["height"]) == (64, 64) and len(out["values"]) == 64 * 64
    np.testing.assert_allclose(
        np.reshape(out["values"], (64, 64)), saliency.gradient(model, image, acts, 2)
    )
    cam = saliency.saliency(model, image, acts, 9.0, "gradcam")
    assert (cam["width"], cam["height"]) == (26, 26) and len(cam["values"]) == 26 * 26
    for k in (-1, 10, 1.5, True, "2", None):
        with pytest.raises(ValueError, match="class must be"):
            saliency.saliency(model, image, acts, k, "gradient")
    for method in ("smoothgrad", "", None, 1):
        with pytest.raises(ValueError, match="gradient, gradcam"):
            saliency.saliency(model, image, acts, 0, method)


def test_saliency_on_a_course_model():
    model = course_model("LogSoftmax")
    image = np.random.default_rng(3).random(model.input_shape).astype(np.float32)
    acts = model.forward(image)
    assert saliency.gradcam_layer(model) == "lr"  # the LeakyReLU before the last pooling
    s = saliency.gradient(model, image, acts, 1)
    check_pixels(model, image, s, 1, [(0, 0), (5, 7), (11, 11)], eps=1e-3, rtol=0.02)
    cam = saliency.gradcam(model, image, acts, 1)
    assert cam.shape == (12, 12) and cam.min() >= 0
