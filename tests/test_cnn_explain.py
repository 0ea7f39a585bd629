"""glasslab.cnn.explain: the arithmetic on hand-made arrays and on TinyVGG's activations."""

from __future__ import annotations

import numpy as np
import pytest
from glasslab.cnn import explain
from glasslab.cnn.model import load
from glasslab.cnn.preprocess import prepare
from test_cnn_reference import build_tinyvgg, sample_images


@pytest.fixture(scope="session")
def tinyvgg_dir(tmp_path_factory):
    """TinyVGG exported once per session into a temporary folder."""
    return build_tinyvgg(tmp_path_factory.getbasetemp())


def _hand_input():
    # 3x3 image, 2 channels: channel 0 = 1..9, channel 1 = all 1
    x = np.zeros((3, 3, 2), np.float32)
    x[:, :, 0] = np.arange(1, 10).reshape(3, 3)
    x[:, :, 1] = 1
    kernel = np.zeros((2, 2, 2), np.float32)
    kernel[:, :, 0] = [[1, 0], [0, 2]]  # x[r, c] + 2 x[r+1, c+1]
    kernel[:, :, 1] = [[-1, -1], [-1, -1]]  # -4 everywhere
    return x, kernel


def test_conv_maps_by_hand():
    x, kernel = _hand_input()
    out = explain.conv_maps(x, kernel, bias=0.5)
    np.testing.assert_array_equal(out["maps"][0], [[1 + 10, 2 + 12], [4 + 16, 5 + 18]])
    np.testing.assert_array_equal(out["maps"][1], np.full((2, 2), -4.0))
    np.testing.assert_array_equal(out["sum"], [[7, 10], [16, 19]])
    np.testing.assert_array_equal(out["output"], [[7.5, 10.5], [16.5, 19.5]])
    assert out["bias"] == 0.5


def test_conv_maps_with_stride_and_padding():
    x, kernel = _hand_input()
    out = explain.conv_maps(x, kernel, bias=0.0, strides=(2, 2), pads=(1, 1, 0, 0))
    # padded input 4x4 (zeros on top/left); windows at (0,0), (0,2), (2,0), (2,2)
    assert out["maps"].shape == (2, 2, 2)
    # window (0,0): padded [[0,0],[0,1]] -> 0 + 2*1 = 2; channel 1: only one 1 -> -1
    assert out["maps"][0, 0, 0] == 2 and out["maps"][1, 0, 0] == -1
    # window (2,2) reads x[1:3, 1:3]: 5 + 2*9 = 23; channel 1: -4
    assert out["maps"][0, 1, 1] == 23 and out["maps"][1, 1, 1] == -4


def test_conv_cell_by_hand():
    x, kernel = _hand_input()
    cell = explain.conv_cell(x, kernel, 0.5, 1, 0)
    np.testing.assert_array_equal(cell["window"][0], [[4, 5], [7, 8]])
    np.testing.assert_array_equal(cell["window"][1], np.ones((2, 2)))
    np.testing.assert_array_equal(cell["kernel"][0], [[1, 0], [0, 2]])
    np.testing.assert_array_equal(cell["products"][0], [[4, 0], [0, 16]])
    np.testing.assert_array_equal(cell["channel_sums"], [20, -4])
    assert cell["sum"] == 16 and cell["bias"] == 0.5 and cell["value"] == 16.5
    assert cell["origin"] == (1, 0)
    maps = explain.conv_maps(x, kernel, 0.5)
    assert cell["value"] == maps["output"][1, 0]
    with pytest.raises(IndexError):
        explain.conv_cell(x, kernel, 0.5, 2, 0)
    padded = explain.conv_cell(x, kernel, 0.0, 0, 0, pads=(1, 1, 1, 1))
    np.testing.assert_array_equal(padded["window"][0], [[0, 0], [0, 1]])
    assert padded["origin"] == (-1, -1)


def test_relu_and_maxpool_by_hand():
    x = np.array([[[-2.0], [3.0]], [[0.5], [-1.0]]], np.float32)
    assert explain.relu_cell(x, 0, 0, 0) == {"input": -2.0, "output": 0.0}
    assert explain.relu_cell(x, 0, 1, 0) == {"input": 3.0, "output": 3.0}
    pool = explain.maxpool_cell(x, 0, 0, 0)
    np.testing.assert_array_equal(pool["window"], [[-2, 3], [0.5, -1]])
    assert pool["value"] == 3.0 and pool["argmax"] == (0, 1)
    padded = explain.maxpool_cell(x, 0, 0, 0, (2, 2), (1, 1), pads=(1, 1, 0, 0))
    assert padded["window"][0, 0] == -np.inf and padded["value"] == -2.0
    assert padded["argmax"] == (1, 1)


def test_dense_and_softmax_by_hand():
    v = np.array([1.0, 2.0, -1.0], np.float32)
    w = np.array([[1, 0], [0.5, 1], [2, 3]], np.float32)
    b = np.array([0.25, -1], np.float32)
    unit = explain.dense_unit(v, w, b, 1)
    np.testing.assert_array_equal(unit["products"], [0, 2, -3])
    assert unit["sum"] == -1 and unit["bias"] == -1 and unit["value"] == -2
    out = explain.output_layer(v, w, b)
    np.testing.assert_allclose(out["logits"], [0.25, -2.0])
    assert out["max"] == 0.25
    np.testing.assert_allclose(out["exp"], [1.0, np.exp(-2.25)])
    assert out["sum"] == pytest.approx(1 + np.exp(-2.25))
    np.testing.assert_allclose(out["probabilities"], out["exp"] / out["sum"])
    big = explain.softmax_terms([1000.0, 999.0])
    assert np.isfinite(big["exp"]).all()
    np.testing.assert_allclose(big["probabilities"], [1 / (1 + np.exp(-1)), 1 / (1 + np.e)])


@pytest.fixture(scope="module")
def tinyvgg_run(tinyvgg_dir):
    model = load(tinyvgg_dir / "tinyvgg.onnx")
    _, _, pixels = sample_images(tinyvgg_dir)[2]
    image = prepare(pixels)
    return model, image, model.forward(image)


def test_explanations_agree_with_the_forward_pass(tinyvgg_run):
    model, image, acts = tinyvgg_run
    for name in ("conv_1_1", "conv_1_2", "conv_2_1", "conv_2_2"):
        for ch in (0, 4, 9):
            out = explain.explain_conv(model, image, acts, name, ch)
            assert out["maps"].shape[0] == out["kernel"].shape[2]
            np.testing.assert_allclose(out["output"], acts[name][:, :, ch], atol=1e-5)
            np.testing.assert_allclose(
                out["maps"].sum(axis=0) + out["bias"], out["output"], atol=1e-5
            )
            cell = explain.explain_conv_cell(model, image, acts, name, ch, 3, 5)
            assert cell["value"] == pytest.approx(float(acts[name][3, 5, ch]), abs=1e-5)
            assert cell["window"].shape == (out["kernel"].shape[2], 3, 3)
    relu = explain.explain_relu_cell(model, image, acts, "relu_1_2", 2, 10, 11)
    assert relu["input"] == float(acts["conv_1_2"][10, 11, 2])
    assert relu["output"] == float(acts["relu_1_2"][10, 11, 2])
    for name in ("max_pool_1", "max_pool_2"):
        pool = explain.explain_maxpool_cell(model, image, acts, name, 7, 4, 6)
        assert pool["value"] == float(acts[name][4, 6, 7])
        assert pool["origin"] == (8, 12)
    out = explain.explain_output(model, image, acts)
    np.testing.assert_allclose(out["probabilities"], acts["output"], atol=1e-6)
    np.testing.assert_array_equal(out["inputs"], acts["flatten"])
    expected = acts["flatten"].astype(np.float64) @ out["weight"] + out["bias"]
    np.testing.assert_allclose(out["logits"], expected, rtol=1e-6)
    with pytest.raises(ValueError, match="not conv"):
        explain.explain_conv(model, image, acts, "relu_1_1", 0)
