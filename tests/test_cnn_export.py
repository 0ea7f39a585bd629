"""export/tinyvgg.py: the files it writes, determinism, and the ONNX graph in ONNX Runtime."""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from test_cnn_reference import (
    LABELS,
    LAYERS,
    build_tinyvgg,
    keras_forward,
    mirror_dir,
    sample_images,
    tfjs_weights,
)

from export.tinyvgg import SAMPLES, export_tinyvgg


@pytest.fixture(scope="session")
def tinyvgg_dir(tmp_path_factory):
    """TinyVGG exported once per session into a temporary folder."""
    return build_tinyvgg(tmp_path_factory.getbasetemp())


def test_export_writes_model_metadata_and_samples(tinyvgg_dir):
    assert (tinyvgg_dir / "tinyvgg.onnx").is_file()
    meta = json.loads((tinyvgg_dir / "tinyvgg.json").read_text())
    assert meta["labels"] == LABELS
    assert meta["input"]["shape"] == [64, 64, 3]
    assert meta["input"]["layout"] == "NHWC"
    assert [layer["name"] for layer in meta["layers"]] == LAYERS
    types = [layer["type"] for layer in meta["layers"]]
    assert types == ["conv", "relu"] * 2 + ["maxpool"] + ["conv", "relu"] * 2 + [
        "maxpool",
        "flatten",
        "dense",
    ]
    shapes = {layer["name"]: layer["shape"] for layer in meta["layers"]}
    assert shapes["conv_1_1"] == [62, 62, 10]
    assert shapes["max_pool_1"] == [30, 30, 10]
    assert shapes["max_pool_2"] == [13, 13, 10]
    assert shapes["flatten"] == [1690]
    assert shapes["output"] == [10]
    assert meta["layers"][-1]["activation"] == "softmax"

    index = json.loads((tinyvgg_dir / "samples" / "index.json").read_text())
    assert [e["file"] for e in index] == sorted(SAMPLES)
    for entry in index:
        assert (tinyvgg_dir / "samples" / entry["file"]).is_file()
        assert entry["class"] in LABELS
        assert LABELS[entry["index"]] == entry["class"]
    assert {e["class"] for e in index} == set(LABELS)


def test_export_is_byte_identical_across_runs(tmp_path, tinyvgg_dir):
    written = export_tinyvgg(tmp_path / "again", mirror_dir(), None)
    assert len(written) == len(SAMPLES) + 3  # onnx, json, the JPEGs, samples/index.json
    for path in written:
        rel = path.relative_to(tmp_path / "again")
        assert path.read_bytes() == (tinyvgg_dir / rel).read_bytes(), rel


def test_onnx_graph_names_and_exposes_every_layer(tinyvgg_dir):
    model = onnx.load(tinyvgg_dir / "tinyvgg.onnx")
    onnx.checker.check_model(model)
    assert [o.name for o in model.graph.output] == LAYERS
    assert [i.name for i in model.graph.input] == ["input"]
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims[1:]] == [64, 64, 3]
    props = {p.key: p.value for p in model.metadata_props}
    assert json.loads(props["labels"]) == LABELS
    produced = {out for node in model.graph.node for out in node.output}
    assert set(LAYERS) <= produced


def test_onnxruntime_matches_keras_reference(tinyvgg_dir):
    session = ort.InferenceSession(
        str(tinyvgg_dir / "tinyvgg.onnx"), providers=["CPUExecutionProvider"]
    )
    names = [o.name for o in session.get_outputs()]
    weights = tfjs_weights()
    for name, _, pixels in sample_images(tinyvgg_dir)[:6]:
        image = pixels.astype(np.float32) / 255
        outputs = dict(zip(names, session.run(None, {"input": image[None]}), strict=True))
        ref = keras_forward(weights, image)
        for layer in LAYERS:
            got = outputs[layer][0]
            if got.ndim == 3:  # conv/relu/pool tensors are NCHW in the graph
                got = got.transpose(1, 2, 0)
            assert got.shape == ref[layer].shape, (name, layer)
            assert np.abs(got - ref[layer]).max() <= 1e-5, (name, layer)


def test_convert_handles_fused_activations_and_same_padding():
    from glasslab.cnn.model import SequentialCNN
    from test_cnn_reference import ref_conv, ref_flatten, ref_maxpool

    from export.tinyvgg import convert

    layers = [
        {
            "class_name": "Conv2D",
            "config": {
                "name": "conv",
                "batch_input_shape": [None, 6, 5, 2],
                "filters": 3,
                "kernel_size": [3, 3],
                "strides": [1, 1],
                "padding": "same",
                "activation": "relu",
            },
        },
        {"class_name": "MaxPooling2D", "config": {"name": "pool", "pool_size": [2, 2]}},
        {"class_name": "Flatten", "config": {"name": "flat"}},
        {"class_name": "Dense", "config": {"name": "out", "units": 4, "activation": "softmax"}},
    ]
    topology = {"class_name": "Sequential", "config": {"layers": layers}}
    config = {"modelTopology": {"model_config": topology}}
    rng = np.random.default_rng(0)
    weights = {
        "conv/kernel": rng.standard_normal((3, 3, 2, 3)).astype(np.float32),
        "conv/bias": rng.standard_normal(3).astype(np.float32),
        "out/kernel": rng.standard_normal((3 * 2 * 3, 4)).astype(np.float32),
        "out/bias": rng.standard_normal(4).astype(np.float32),
    }
    model, meta = convert(config, weights, ["a", "b", "c", "d"])
    assert [layer["name"] for layer in meta["layers"]] == ["conv", "pool", "flat", "out"]
    assert meta["layers"][0]["pads"] == [1, 1, 1, 1]
    data = model.SerializeToString()
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    x = rng.random((6, 5, 2)).astype(np.float32)
    got = dict(zip(names, session.run(None, {"input": x[None]}), strict=True))

    padded = np.pad(x.astype(np.float64), ((1, 1), (1, 1), (0, 0)))
    conv = np.maximum(ref_conv(padded, weights["conv/kernel"], weights["conv/bias"]), 0)
    flat = ref_flatten(ref_maxpool(conv))
    logits = flat @ weights["out/kernel"] + weights["out/bias"]
    probs = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(got["conv"][0].transpose(1, 2, 0), conv, atol=1e-5)
    np.testing.assert_allclose(got["flat"][0], flat, atol=1e-5)
    np.testing.assert_allclose(got["out"][0], probs, atol=1e-6)

    mine = SequentialCNN.from_bytes(data)
    assert mine.layer_names == ["conv/linear", "conv", "pool", "flat", "out"]
    assert mine.labels == ["a", "b", "c", "d"]
    np.testing.assert_allclose(mine.predict(x), probs, atol=1e-6)


def test_export_refuses_files_that_do_not_match_their_pins(tmp_path):
    from export.fetch import ArtifactError

    fake = tmp_path / "mirror" / "cnn-explainer"
    fake.mkdir(parents=True)
    (fake / "model.json").write_text('{"modelTopology": {}, "weightsManifest": []}')
    with pytest.raises(ArtifactError, match="sha256 mismatch"):
        export_tinyvgg(tmp_path / "out", tmp_path / "mirror", None)
    assert not (tmp_path / "out" / "tinyvgg.onnx").exists()
