"""glasslab.cnn.detail: the plain data of each detail view, on TinyVGG's activations."""

from __future__ import annotations

import json

import numpy as np
import pytest
from glasslab.cnn import detail, explain
from glasslab.cnn.detail import conv, output, pool, relu
from glasslab.cnn.detail import input as image_detail
from glasslab.cnn.model import load
from glasslab.cnn.preprocess import prepare
from test_cnn_reference import build_tinyvgg, sample_images


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = build_tinyvgg(tmp_path_factory.getbasetemp())
    model = load(folder / "tinyvgg.onnx")
    image = prepare(sample_images(folder)[1][2])
    return model, image, model.forward(image)


def plain(data: dict) -> dict:
    """The JSON part of a detail (what is not an array must survive json.dumps)."""
    rest = {k: v for k, v in data.items() if not isinstance(v, np.ndarray)}
    return json.loads(json.dumps(rest))


def no_markup(data: dict) -> None:
    text = json.dumps(plain(data))
    for word in ("class", "eq-row", "det-", "sm-", "cell-", "<"):
        assert word not in text


def test_conv_detail_splits_the_output_by_input_channel(run):
    model, image, acts = run
    layer = model.layer("conv_1_2")
    d = conv.conv_detail(model, image, acts, layer, 4)
    no_markup(d)
    assert (d["kind"], d["layer"], d["channel"], d["input_name"]) == (
        "conv",
        "conv_1_2",
        4,
        "relu_1_1",
    )
    cin = layer.input_shape[2]
    assert d["input"].shape == (cin, *layer.input_shape[:2])
    assert d["kernel"].shape == (cin, *layer.kernel_size)
    np.testing.assert_allclose(
        d["maps"].sum(axis=0) + d["bias"], acts["conv_1_2"][:, :, 4], atol=1e-4
    )
    np.testing.assert_array_equal(d["output"], np.asarray(d["output"]))
    assert d["out_shape"] == list(layer.shape[:2])
    assert d["output"][tuple(d["cell"])] == d["output"].max()
    # the cell a view works out from these arrays is explain's cell
    r, c = 7, 11
    cell = explain.explain_conv_cell(model, image, acts, "conv_1_2", 4, r, c)
    g = d["geometry"]
    x = np.pad(d["input"], ((0, 0), (g["pt"], g["pt"]), (g["pl"], g["pl"])))
    window = x[:, r * g["sh"] : r * g["sh"] + g["kh"], c * g["sw"] : c * g["sw"] + g["kw"]]
    np.testing.assert_allclose(
        (window * d["kernel"]).sum(axis=(1, 2)), cell["channel_sums"], atol=1e-5
    )
    assert d["limits"]["kernel"] == pytest.approx(np.abs(layer.kernel[:, :, :, 4]).max())
    first = conv.conv_detail(model, image, acts, model.layer("conv_1_1"), 0)
    assert first["input_name"] == "input" and first["input"].shape == (3, 64, 64)


def test_relu_and_pool_details(run):
    model, image, acts = run
    d = relu.relu_detail(model, image, acts, model.layer("relu_2_1"), 3)
    no_markup(d)
    np.testing.assert_array_equal(d["output"], np.maximum(d["input"], 0))
    assert d["input"][tuple(d["cell"])] == d["input"].min()
    assert d["geometry"] == {"kh": 1, "kw": 1, "sh": 1, "sw": 1, "pt": 0, "pl": 0}
    p = pool.pool_detail(model, image, acts, model.layer("max_pool_2"), 6)
    no_markup(p)
    assert p["kernel_size"] == [2, 2] and p["geometry"]["sh"] == 2
    x = p["input"]
    np.testing.assert_array_equal(
        p["output"], x.reshape(x.shape[0] // 2, 2, -1, 2).max(axis=(1, 3))
    )


def test_output_detail_has_the_logit_and_the_softmax(run):
    model, image, acts = run
    d = output.output_detail(model, image, acts, 5)
    no_markup(d)
    assert d["dense"] and d["maps"] == {"shape": [13, 13, 10], "axes": d["maps"]["axes"]}
    assert d["features"].shape == (10, 13, 13)
    assert d["logit"] == pytest.approx(d["product_sum"] + d["bias"], abs=1e-4)
    np.testing.assert_allclose(d["probabilities"], acts[model.layers[-1].name], atol=1e-6)
    assert d["sum"] == pytest.approx(float(d["exp"].sum()), rel=1e-5)
    # the maps hold the flattened vector's values
    v = explain.explain_output(model, image, acts)["inputs"]
    assert sorted(d["features"].reshape(-1)) == pytest.approx(sorted(v))


def test_input_detail_and_dispatch(run):
    model, image, acts = run
    d = image_detail.input_detail(image, 1)
    assert d["tint"] == [42, 157, 88] and d["output"].shape == (64, 64)
    np.testing.assert_array_equal(d["output"], image[:, :, 1])
    assert detail.detail_for(model, image, acts, "input", 2)["channel"] == 2
    assert detail.detail_for(model, image, acts, "output", 0)["kind"] == "output"
    assert detail.detail_for(model, image, acts, model.layer("relu_1_1"), 0)["kind"] == "relu"
    with pytest.raises(ValueError, match="no detail view"):
        detail.detail_for(model, image, acts, model.layers[-1], 0)
    assert detail.limit(np.zeros(3)) == 1.0


def test_output_detail_has_every_class_weight_and_the_source_layer(run):
    model, image, acts = run
    d = output.output_detail(model, image, acts, 5)
    res = explain.explain_output(model, image, acts)
    n, classes = res["weight"].shape
    assert d["all_weights"].shape == (classes, n) and d["source"] == "max_pool_2"
    np.testing.assert_array_equal(d["all_weights"][5], d["weights"].reshape(-1))
    # element i of the drawn features is flattened element j: its weights are W[j, :]
    order = output.as_maps(np.arange(n), d["maps"]).reshape(-1).astype(int)
    np.testing.assert_array_equal(d["features"].reshape(-1), np.asarray(res["inputs"])[order])
    for i in (0, 17, 801, n - 1):
        np.testing.assert_array_equal(d["all_weights"][:, i], res["weight"][order[i]])


def test_column_of_names_the_layer_and_refuses_unknown_ones(run):
    model, image, acts = run
    cols = [model.layer_index(n) for n in ("conv_1_1", "relu_1_1")]
    out = model.layers[-1].name
    assert detail.column_of(model, cols, 10, "input", 2) == 0
    assert detail.column_of(model, cols, 10, "relu_1_1", 9) == 2
    assert detail.column_of(model, cols, 10, out, 9) == 3
    with pytest.raises(ValueError, match="no layer 'dense'"):
        detail.column_of(model, cols, 10, "dense", 0)
    with pytest.raises(ValueError, match="no channel 10"):
        detail.column_of(model, cols, 10, out, 10)
    with pytest.raises(ValueError, match="no channel 3"):
        detail.column_of(model, cols, 10, "input", 3)
