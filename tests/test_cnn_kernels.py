"""glasslab.cnn.kernels: a typed kernel on the image the model sees, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from glasslab.cnn import kernels


def image(h=9, w=11, c=3, seed=0):
    return np.random.default_rng(seed).random((h, w, c)).astype(np.float32)


def test_convolve_is_a_valid_cross_correlation_of_the_channel_mean():
    x = image()
    m = x.astype(np.float64).mean(axis=2)
    kernel = [[1, 2, 0], [0, -1, 0], [0.5, 0, 3]]
    out = kernels.convolve(kernel, x)
    assert (out["width"], out["height"]) == (9, 7)
    values = np.reshape(out["values"], (7, 9))
    for i, j in [(0, 0), (3, 4), (6, 8)]:
        expected = sum(kernel[u][v] * m[i + u, j + v] for u in range(3) for v in range(3))
        assert values[i, j] == pytest.approx(expected, abs=1e-5)


def test_sizes_one_to_seven_and_the_presets():
    x = image(12, 10)
    m = x.astype(np.float64).mean(axis=2)
    for k in range(1, 8):
        out = kernels.convolve(np.ones((k, k)).tolist(), x)
        assert (out["height"], out["width"]) == (13 - k, 11 - k)
    identity = np.reshape(kernels.convolve("identity", x)["values"], (10, 8))
    np.testing.assert_allclose(identity, m[1:-1, 1:-1], atol=1e-6)
    blur = np.reshape(kernels.convolve("blur", x)["values"], (10, 8))
    assert blur[2, 3] == pytest.approx(m[2:5, 3:6].mean(), abs=1e-6)
    ramp = np.tile(np.arange(10.0), (12, 1))[:, :, None] * np.ones(3)
    sobel_x = np.reshape(kernels.convolve("sobel_x", ramp)["values"], (10, 8))
    np.testing.assert_allclose(sobel_x, 8.0)  # d/dx of a unit ramp: 2 * (1 + 2 + 1)
    sobel_y = np.reshape(kernels.convolve("sobel_y", ramp)["values"], (10, 8))
    np.testing.assert_allclose(sobel_y, 0.0, atol=1e-9)
    flat = np.full((5, 5, 1), 0.25)
    for name in ("edges", "sharpen"):
        expected = 0.0 if name == "edges" else 0.25
        got = kernels.convolve(kernels.PRESETS[name], flat)["values"]
        np.testing.assert_allclose(got, expected, atol=1e-7)
    assert set(kernels.PRESETS) == {"identity", "blur", "sharpen", "edges", "sobel_x", "sobel_y"}


@pytest.mark.parametrize(
    "kernel, message",
    [
        ([], "non-empty"),
        (3, "non-empty"),
        ([[1, 2], [3]], "square"),
        ([[1, 2, 3]], "square"),
        ([[1] * 8] * 8, "1x1 to 7x7"),
        ([[1, float("nan")], [0, 0]], "finite"),
        ([[1, float("inf")], [0, 0]], "finite"),
        ([[True]], "finite"),
        ([["1"]], "finite"),
        ("gaussian", "presets"),
    ],
)
def test_bad_kernels_are_refused(kernel, message):
    with pytest.raises(ValueError, match=message):
        kernels.convolve(kernel, image())


def test_a_kernel_larger_than_the_image_is_refused():
    with pytest.raises(ValueError, match="does not fit"):
        kernels.convolve(np.ones((7, 7)).tolist(), image(5, 9))


def test_a_refusal_is_plain_english_with_the_page_frame():
    with pytest.raises(ValueError) as err:
        kernels.convolve([[1, 2], [3]], image())
    assert str(err.value).startswith("the kernel must be square")
    assert err.value.key == "cnn.error.refused" and err.value.params["detail"] == str(err.value)
