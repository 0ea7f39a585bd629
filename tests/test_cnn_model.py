"""glasslab.cnn.model: the NumPy forward pass against ONNX Runtime and the Keras reference,
generic sequential models, and refusal of unsupported or hostile files."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from glasslab.cnn import layers as layers_module
from glasslab.cnn import model as model_module
from glasslab.cnn import predict_pixels
from glasslab.cnn.from_onnx import SUPPORTED_OPS
from glasslab.cnn.model import SequentialCNN, load
from glasslab.cnn.preprocess import prepare
from onnx import TensorProto, helper, numpy_helper
from test_cnn_reference import (
    LABELS,
    LAYERS,
    build_tinyvgg,
    keras_forward,
    sample_images,
    tfjs_weights,
)

TOL = 1e-5


@pytest.fixture(scope="session")
def tinyvgg_dir(tmp_path_factory):
    """TinyVGG exported once per session into a temporary folder."""
    return build_tinyvgg(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def tinyvgg(tinyvgg_dir):
    return load(tinyvgg_dir / "tinyvgg.onnx")


@pytest.fixture(scope="module")
def session(tinyvgg_dir):
    return ort.InferenceSession(
        str(tinyvgg_dir / "tinyvgg.onnx"), providers=["CPUExecutionProvider"]
    )


def _ort_layers(model: SequentialCNN, session, image: np.ndarray) -> dict[str, np.ndarray]:
    names = [o.name for o in session.get_outputs()]
    outputs = session.run(None, {model.input_name: model.to_onnx_input(image)})
    return {
        n: model.to_hwc(n, v) for n, v in zip(names, outputs, strict=True) if n in model._by_name
    }


def test_tinyvgg_structure(tinyvgg):
    assert tinyvgg.layer_names == LAYERS
    assert tinyvgg.input_shape == (64, 64, 3)
    assert tinyvgg.input_layout == "NHWC"
    assert tinyvgg.labels == LABELS
    kinds = [layer.kind for layer in tinyvgg.layers]
    assert kinds == ["conv", "relu", "conv", "relu", "maxpool"] * 2 + ["flatten", "dense"]
    assert tinyvgg.layer("output").activation == "softmax"
    assert tinyvgg.layer("conv_1_2").kernel.shape == (3, 3, 10, 10)
    assert tinyvgg.layer("output").kernel.shape == (1690, 10)


def test_forward_matches_onnxruntime_on_every_sample(tinyvgg, session, tinyvgg_dir):
    samples = sample_images(tinyvgg_dir)
    assert len(samples) == 20
    for name, _, pixels in samples:
        image = prepare(pixels)
        acts = tinyvgg.forward(image)
        assert list(acts) == LAYERS
        ref = _ort_layers(tinyvgg, session, image)
        for layer in LAYERS:
            assert acts[layer].dtype == np.float32
            assert acts[layer].shape == ref[layer].shape, (name, layer)
            assert np.abs(acts[layer] - ref[layer]).max() <= TOL, (name, layer)


def test_forward_matches_keras_reference(tinyvgg, tinyvgg_dir):
    weights = tfjs_weights()
    correct = 0
    for _, cls, pixels in sample_images(tinyvgg_dir):
        image = prepare(pixels)
        acts = tinyvgg.forward(image)
        ref = keras_forward(weights, image)
        for layer in LAYERS:
            assert acts[layer].shape == ref[layer].shape
            assert np.abs(acts[layer] - ref[layer]).max() <= TOL, layer
        correct += LABELS[int(np.argmax(acts["output"]))] == cls
    # The pretrained model gets most of its own samples right (14 of 20 here).
    assert correct >= 12


def test_shapes_and_layouts_of_activations(tinyvgg):
    image = np.random.default_rng(0).random((64, 64, 3), dtype=np.float32)
    acts = tinyvgg.forward(image)
    assert acts["conv_1_1"].shape == (62, 62, 10)
    assert acts["max_pool_2"].shape == (13, 13, 10)
    # flatten is Keras channels-last: index (r * 13 + c) * 10 + ch
    assert acts["flatten"][(4 * 13 + 9) * 10 + 7] == acts["max_pool_2"][4, 9, 7]
    assert acts["output"].sum() == pytest.approx(1.0, abs=1e-6)
    assert np.all(acts["relu_1_1"] >= 0)
    np.testing.assert_array_equal(acts["relu_1_1"], np.maximum(acts["conv_1_1"], 0))
    # a second call gives the same numbers (work buffers are reused)
    again = tinyvgg.forward(image)
    for name in LAYERS:
        np.testing.assert_array_equal(again[name], acts[name])
    with pytest.raises(ValueError, match="shape"):
        tinyvgg.forward(np.zeros((64, 64, 4), np.float32))


def test_predict_pixels_end_to_end(tinyvgg, tinyvgg_dir):
    file, cls, pixels = next(s for s in sample_images(tinyvgg_dir) if s[0] == "koala_1.jpeg")
    image, acts, probs = predict_pixels(tinyvgg, pixels)
    assert image.shape == (64, 64, 3)
    assert LABELS[int(np.argmax(probs))] == cls == "koala"
    np.testing.assert_array_equal(probs, acts["output"])


# -- generic models built here -----------------------------------------------------

RNG = np.random.default_rng(42)


def _w(*shape, scale=0.3):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def _model(nodes, inits, input_shape, outputs, opset=13):
    """A model whose intermediate tensors (``outputs``) are all graph outputs."""
    graph = helper.make_graph(
        nodes,
        "test",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs],
        initializer=[numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model.SerializeToString()


def _check_against_ort(data: bytes, expected_layers: list[str], expected_layout: str):
    model = SequentialCNN.from_bytes(data)
    assert model.layer_names == expected_layers
    assert model.input_layout == expected_layout
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    for seed in range(3):
        image = np.random.default_rng(seed).random(model.input_shape, dtype=np.float32)
        acts = model.forward(image)
        ref = _ort_layers(model, session, image)
        assert set(ref) == set(expected_layers)
        for name in expected_layers:
            assert acts[name].shape == ref[name].shape, name
            assert np.abs(acts[name] - ref[name]).max() <= TOL, name
    return model


def test_generic_nchw_model_with_gemm_transb_and_padding():
    # (1, 1, 28, 28) NCHW: conv 5x5 pad 2 -> relu -> pool 2 -> conv 3x3 stride 2 -> relu
    # -> flatten -> Gemm(transB=1, like PyTorch Linear) -> softmax over 7 classes
    inits = {"w1": _w(6, 1, 5, 5), "b1": _w(6), "w2": _w(4, 6, 3, 3), "b2": _w(4)}
    inits["fc_w"] = _w(7, 4 * 6 * 6, scale=0.1)
    inits["fc_b"] = _w(7)
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="c1", pads=[2, 2, 2, 2]),
        helper.make_node("Relu", ["c1"], ["r1"], name="r1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="p1", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], name="c2", strides=[2, 2]),
        helper.make_node("Relu", ["c2"], ["r2"], name="r2"),
        helper.make_node("Flatten", ["r2"], ["flat"], name="flat", axis=1),
        helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], name="fc", transB=1),
        helper.make_node("Softmax", ["logits"], ["prob"], name="prob", axis=1),
    ]
    outputs = ["c1", "r1", "p1", "c2", "r2", "flat", "prob"]
    data = _model(nodes, inits, [1, 1, 28, 28], outputs)
    model = _check_against_ort(data, outputs, "NCHW")
    assert model.input_shape == (28, 28, 1)
    assert model.layer("c2").shape == (6, 6, 4)
    assert model.layer("prob").activation == "softmax"
    assert model.labels == [f"class {i}" for i in range(7)]


def test_generic_nhwc_model_with_matmul_add_same_padding_and_no_softmax():
    # NHWC (1, 20, 30, 3) -> Transpose -> conv 3x3 SAME_UPPER -> maxpool 3x3 stride 2 pads
    # (directly on the conv output, so negative values) -> conv 2x4 no bias -> relu
    # -> Transpose back + Reshape -> MatMul + Add -> 5 logits
    inits = {"w1": _w(8, 3, 3, 3), "b1": _w(8), "w2": _w(5, 8, 2, 4)}
    inits["shape"] = np.array([1, -1], dtype=np.int64)
    inits["mm_w"] = _w(5 * 12 * 5, 5, scale=0.1)
    inits["mm_b"] = _w(5)
    nodes = [
        helper.make_node("Transpose", ["x"], ["x_nchw"], perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["x_nchw", "w1", "b1"], ["c1"], name="c1", auto_pad="SAME_UPPER"),
        helper.make_node(
            "MaxPool", ["c1"], ["p1"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]
        ),
        helper.make_node("Conv", ["p1", "w2"], ["c2"], name="c2", strides=[2, 1]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("Transpose", ["r2"], ["r2_nhwc"], perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["r2_nhwc", "shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "mm_w"], ["mm"]),
        helper.make_node("Add", ["mm", "mm_b"], ["logits"]),
    ]
    outputs = ["c1", "p1", "c2", "r2", "flat", "logits"]
    data = _model(nodes, inits, [1, 20, 30, 3], outputs)
    model = _check_against_ort(data, outputs, "NHWC")
    assert model.input_shape == (20, 30, 3)
    assert model.layer("logits").op_type == "MatMul+Add"
    image = np.random.default_rng(5).random((20, 30, 3), dtype=np.float32)
    probs = model.predict(image)
    logits = model.forward(image)["logits"]
    np.testing.assert_allclose(probs, np.exp(logits) / np.exp(logits).sum(), rtol=1e-5)


def test_generic_model_row_by_row_convolution_and_gemm_alpha_beta(monkeypatch):
    # A tiny FULL_IM2COL_MAX forces the one-matmul-per-kernel-row path.
    monkeypatch.setattr(layers_module, "FULL_IM2COL_MAX", 10)
    inits = {"w1": _w(4, 2, 3, 5), "b1": _w(4), "g_w": _w(4 * 7 * 4, 3, scale=0.1)}
    inits["g_c"] = _w(1, 3)
    inits["shape"] = np.array([0, -1], dtype=np.int64)
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 0, 1, 0], strides=[2, 2]),
        helper.make_node("Dropout", ["c1"], ["d1"]),
        helper.make_node("Relu", ["d1"], ["r1"]),
        helper.make_node("Reshape", ["r1", "shape"], ["flat"]),
        helper.make_node("Gemm", ["flat", "g_w", "g_c"], ["out"], alpha=0.5, beta=2.0),
    ]
    outputs = ["c1", "r1", "flat", "out"]
    data = _model(nodes, inits, ["batch", 2, 13, 12], outputs)
    model = _check_against_ort(data, outputs, "NCHW")
    assert model.layer("c1")._work["full"] is False


def test_constant_node_for_reshape_shape_and_identity():
    inits = {"w1": _w(3, 3, 3, 3), "fc": _w(3 * 4 * 4, 2)}
    shape = numpy_helper.from_array(np.array([1, 48], dtype=np.int64))
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"]),
        helper.make_node("Identity", ["c1"], ["i1"]),
        helper.make_node("Constant", [], ["shape"], value=shape),
        helper.make_node("Reshape", ["i1", "shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "fc"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["prob"]),
    ]
    outputs = ["c1", "flat", "prob"]
    data = _model(nodes, inits, [1, 3, 6, 6], outputs)
    model = _check_against_ort(data, outputs, "NCHW")
    assert model.layer("prob").op_type == "MatMul"


# -- refusal -----------------------------------------------------------------------


def _simple(nodes_after_conv, inits_extra=None, input_shape=(1, 3, 8, 8), conv_kwargs=None):
    inits = {"w": _w(4, 3, 3, 3), "b": _w(4)}
    inits.update(inits_extra or {})
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", **(conv_kwargs or {}))]
    nodes += nodes_after_conv
    return _model(nodes, inits, list(input_shape), [])


def _flat_head(n_in=4 * 6 * 6, n_out=3):
    return [
        helper.make_node("Flatten", ["c"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc", "fb"], ["y"], name="fc"),
    ], {"fc": _w(n_in, n_out), "fb": _w(n_out)}


def test_simple_builder_is_valid():
    head, extra = _flat_head()
    model = SequentialCNN.from_bytes(_simple(head, extra))
    assert model.layer_names == ["c", "f", "y"]


def test_unsupported_operator_is_named():
    lstm = helper.make_node("LSTM", ["c", "W", "R"], ["h"], name="lstm_1", hidden_size=4)
    data = _simple([lstm], {"W": _w(1, 16, 4), "R": _w(1, 16, 4)})
    with pytest.raises(ValueError) as err:
        SequentialCNN.from_bytes(data)
    assert str(err.value) == (
        "unsupported ONNX operator 'LSTM' (node 'lstm_1'); supported operators: "
        + ", ".join(SUPPORTED_OPS)
    )
    assert {"Conv", "BatchNormalization", "Gemm", "LogSoftmax"} <= set(SUPPORTED_OPS)
    head, extra = _flat_head()
    custom = helper.make_node("Gelu", ["c"], ["g"], name="act", domain="com.example")
    with pytest.raises(ValueError, match="unsupported ONNX operator 'com.example.Gelu'"):
        SequentialCNN.from_bytes(_simple([custom], extra))


@pytest.mark.parametrize(
    "conv_kwargs, message",
    [
        ({"group": 3}, "group"),
        ({"dilations": [2, 2]}, "dilated"),
        ({"strides": [0, 1]}, "strides"),
        ({"kernel_shape": [5, 5]}, "kernel_shape"),
        ({"auto_pad": "WRAP"}, "auto_pad"),
    ],
)
def test_unsupported_conv_attributes(conv_kwargs, message):
    head, extra = _flat_head()
    with pytest.raises(ValueError, match=message):
        SequentialCNN.from_bytes(_simple(head, extra, conv_kwargs=conv_kwargs))


def test_wrong_shapes_are_refused_by_name():
    head, extra = _flat_head(n_in=100)
    with pytest.raises(ValueError, match=r"node 'fc' \(Gemm\).*input has 144"):
        SequentialCNN.from_bytes(_simple(head, extra))
    bad_bias = {"w": _w(4, 3, 3, 3), "b": _w(5)}
    head, extra = _flat_head()
    with pytest.raises(ValueError, match="bias"):
        SequentialCNN.from_bytes(_simple(head, {**extra, **bad_bias}))
    with pytest.raises(ValueError, match="input channels"):
        SequentialCNN.from_bytes(_simple(head, extra, input_shape=(1, 2, 8, 8)))
    with pytest.raises(ValueError, match="larger than"):
        SequentialCNN.from_bytes(_simple(head, extra, input_shape=(1, 3, 2, 8)))


def test_model_structure_errors():
    head, extra = _flat_head()
    with pytest.raises(ValueError, match="end in a vector"):
        SequentialCNN.from_bytes(_simple([], {}))
    branch = [
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("Relu", ["c"], ["r2"], name="other"),
    ]
    with pytest.raises(ValueError, match="not a sequential model: node 'other'"):
        SequentialCNN.from_bytes(_simple(branch, {}))
    two_inputs = helper.make_model(
        helper.make_graph(
            [helper.make_node("Add", ["x", "z"], ["y"])],
            "two",
            [
                helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4]),
                helper.make_tensor_value_info("z", TensorProto.FLOAT, [1, 3, 4, 4]),
            ],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        )
    ).SerializeToString()
    with pytest.raises(ValueError, match="exactly one input"):
        SequentialCNN.from_bytes(two_inputs)
    with pytest.raises(ValueError, match="4-D image"):
        SequentialCNN.from_bytes(_model([], {}, [1, 784], []))
    with pytest.raises(ValueError, match="fixed positive sizes"):
        SequentialCNN.from_bytes(_model([], {}, [1, 3, "H", 8], []))
    with pytest.raises(ValueError, match="must be a constant"):
        nodes = [helper.make_node("Conv", ["x", "w_missing"], ["c"], name="conv")]
        SequentialCNN.from_bytes(_model(nodes, {}, [1, 3, 8, 8], []))


def test_hostile_sizes_are_refused_quickly():
    head, extra = _flat_head()
    # an input that would need 30 billion values
    with pytest.raises(ValueError, match="limit"):
        SequentialCNN.from_bytes(_simple(head, extra, input_shape=(1, 3, 100_000, 100_000)))
    # an input that fits but whose convolution output would not
    with pytest.raises(ValueError, match="limit"):
        SequentialCNN.from_bytes(_simple(head, extra, input_shape=(1, 3, 3000, 3000)))
    # dims far beyond any machine
    with pytest.raises(ValueError):
        SequentialCNN.from_bytes(_simple(head, extra, input_shape=(1, 3, 2**62, 2**62)))
    # many cheap-to-store convolutions that would take too many multiply-adds
    inits = {"w": _w(64, 64, 3, 3)}
    nodes = []
    current = "x"
    for k in range(8):
        nodes.append(helper.make_node("Conv", [current, "w"], [f"c{k}"], pads=[1, 1, 1, 1]))
        current = f"c{k}"
    with pytest.raises(ValueError, match="multiply-adds"):
        SequentialCNN.from_bytes(_model(nodes, inits, [1, 64, 128, 128], []))
    # a truncated file and random bytes
    valid = _simple(head, extra)
    with pytest.raises(ValueError, match="truncated"):
        SequentialCNN.from_bytes(valid[: len(valid) - 50])
    for seed in range(20):
        junk = np.random.default_rng(seed).integers(0, 256, 2000, dtype=np.uint8).tobytes()
        with pytest.raises(ValueError):
            SequentialCNN.from_bytes(junk)


def test_model_file_size_limit(tmp_path, monkeypatch):
    head, extra = _flat_head()
    path = tmp_path / "m.onnx"
    path.write_bytes(_simple(head, extra))
    assert load(path).layer_names == ["c", "f", "y"]
    monkeypatch.setattr(model_module, "MAX_MODEL_BYTES", 100)
    with pytest.raises(ValueError, match="limit"):
        load(path)


def test_attributes_of_the_wrong_type_are_refused():
    head, extra = _flat_head()
    nodes = [helper.make_node("Transpose", ["c"], ["t"], perm=[0, 2, 3, 1])]
    nodes[0].attribute[0].CopyFrom(helper.make_attribute("perm", 5))  # an int, not a list
    nodes.append(helper.make_node("Flatten", ["t"], ["f"]))
    with pytest.raises(ValueError, match="malformed or unsupported"):
        SequentialCNN.from_bytes(_simple(nodes, extra))
    with pytest.raises(ValueError, match="pads"):
        SequentialCNN.from_bytes(_simple(head, extra, conv_kwargs={"pads": [1, 1]}))
