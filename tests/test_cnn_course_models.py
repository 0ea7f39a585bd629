"""Models from a course: graphs shaped like what ``torch.onnx.export`` writes for a
typical course CNN (built here with the ``onnx`` package, random weights, opsets 11 to
17, with and without a dynamic batch axis) run by the NumPy engine, every layer and the
probabilities against ONNX Runtime."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from glasslab.cnn import columns as columns_module
from glasslab.cnn.model import SequentialCNN
from onnx import TensorProto, helper, numpy_helper

PROB_TOL = 1e-4
ACT_TOL = 1e-4


class Graph:
    """A chain of nodes written the way torch names them (``/conv1/Conv`` ...)."""

    def __init__(self, opset: int, seed: int = 0):
        self.opset, self.nodes, self.inits, self.current = opset, [], {}, "input"
        self.rng = np.random.default_rng(seed)
        self.count = 0

    def const(self, value, dtype=np.float32) -> str:
        self.count += 1
        name = f"onnx::{self.count}"
        self.inits[name] = np.asarray(value, dtype)
        return name

    def weight(self, *shape, scale=None) -> str:
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        return self.const(self.rng.normal(0, scale or 1 / np.sqrt(fan_in), shape))

    def op(self, op: str, *extra_inputs: str, **attrs) -> str:
        self.count += 1
        out = f"/{op.lower()}_{self.count}/{op}_output_0"
        inputs = [self.current, *extra_inputs]
        self.nodes.append(helper.make_node(op, inputs, [out], name=f"/{op}_{self.count}", **attrs))
        self.current = out
        return out

    def conv(self, cin, cout, k, stride=1, pad=0, bias=True):
        inputs = [self.weight(cout, cin, k, k)] + ([self.weight(cout, scale=0.1)] if bias else [])
        return self.op("Conv", *inputs, kernel_shape=[k, k], strides=[stride] * 2, pads=[pad] * 4)

    def batchnorm(self, c):
        scale = self.const(1 + 0.2 * self.rng.normal(size=c))
        b = self.const(0.1 * self.rng.normal(size=c))
        mean = self.const(0.2 * self.rng.normal(size=c))
        var = self.const(0.5 + self.rng.random(c))
        return self.op("BatchNormalization", scale, b, mean, var, epsilon=1e-5, momentum=0.9)

    def linear(self, n_in, n_out):  # torch.nn.Linear: Gemm with transB=1
        w, b = self.weight(n_out, n_in), self.weight(n_out, scale=0.1)
        return self.op("Gemm", w, b, alpha=1.0, beta=1.0, transB=1)

    def view_flat(self):
        """``x.view(x.size(0), -1)``: Shape, Gather, Unsqueeze, Concat, Reshape."""
        x = self.current
        shape = self.op("Shape")
        self.current = shape
        index = self.const(0, np.int64)
        self.op("Gather", index, axis=0)
        if self.opset < 13:
            batch = self.op("Unsqueeze", axes=[0])
        else:
            batch = self.op("Unsqueeze", self.const([0], np.int64))
        minus_one = self.const([-1], np.int64)
        self.nodes.append(helper.make_node("Concat", [batch, minus_one], ["target"], axis=0))
        self.current = x
        return self.op("Reshape", "target")

    def model(self, shape, dynamic: bool) -> bytes:
        dims = ["batch_size" if dynamic else 1, *shape]
        graph = helper.make_graph(
            self.nodes,
            "main_graph",
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, dims)],
            [helper.make_tensor_value_info(self.current, TensorProto.FLOAT, None)],
            initializer=[numpy_helper.from_array(v, k) for k, v in self.inits.items()],
        )
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", self.opset)], producer_name="pytorch"
        )
        model.ir_version = 8
        return model.SerializeToString()


def lenet(opset, final="LogSoftmax", view=False):
    """MNIST LeNet: 1x28x28, two conv/relu/pool blocks, three Linear with ReLU between."""
    g = Graph(opset, 1)
    g.conv(1, 6, 5, pad=2), g.op("Relu"), g.op("MaxPool", kernel_shape=[2, 2], strides=[2, 2])
    g.conv(6, 16, 5), g.op("Relu"), g.op("MaxPool", kernel_shape=[2, 2], strides=[2, 2])
    g.view_flat() if view else g.op("Flatten", axis=1)
    g.linear(16 * 5 * 5, 120), g.op("Relu"), g.linear(120, 84), g.op("Relu"), g.linear(84, 10)
    if final:
        g.op(final, axis=1 if opset < 13 else -1)
    return g, (1, 28, 28)


def cifar(opset):
    """CIFAR: 3x32x32, conv/batchnorm/relu, a strided conv with LeakyReLU, average
    pooling, dropout, global average pooling, a Linear head and Softmax."""
    g = Graph(opset, 2)
    g.conv(3, 8, 3, pad=1, bias=False), g.batchnorm(8), g.op("Relu")
    g.conv(8, 12, 3, stride=2, pad=1), g.batchnorm(12), g.op("LeakyRelu", alpha=0.1)
    g.op("AveragePool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    g.op("Dropout"), g.op("GlobalAveragePool"), g.op("Flatten", axis=1)
    g.linear(12, 5), g.op("Softmax", axis=1)
    return g, (3, 32, 32)


def classic(opset):
    """8x8 grey digits: Tanh and Sigmoid activations, average pooling with
    count_include_pad, Reshape to (-1, N), MatMul + Add, no softmax (logits)."""
    g = Graph(opset, 3)
    g.conv(1, 4, 3, pad=1), g.op("Tanh")
    g.op("AveragePool", kernel_shape=[2, 2], strides=[2, 2], pads=[1, 1, 1, 1],
         count_include_pad=1)  # fmt: skip
    g.op("Reshape", g.const([-1, 4 * 5 * 5], np.int64))
    g.op("MatMul", g.weight(4 * 5 * 5, 16)), g.op("Add", g.weight(16, scale=0.1))
    g.op("Sigmoid"), g.op("MatMul", g.weight(16, 3)), g.op("Add", g.weight(3, scale=0.1))
    return g, (1, 8, 8)


def resnet_stem(opset):
    """224x224 RGB: a 7x7 stride-2 stem with batchnorm, 3x3 max pooling with padding,
    global average pooling, a hidden Linear with a batchnorm1d and the head."""
    g = Graph(opset, 4)
    g.conv(3, 8, 7, stride=2, pad=3, bias=False), g.batchnorm(8), g.op("Relu")
    g.op("MaxPool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    g.conv(8, 8, 3, stride=2, pad=1), g.op("Relu"), g.op("GlobalAveragePool")
    g.op("Flatten", axis=1), g.linear(8, 16), g.batchnorm(16), g.op("Relu"), g.linear(16, 4)
    return g, (3, 224, 224)


def run_both(data: bytes, batch: int = 1):
    model = SequentialCNN.from_bytes(data)
    h, w, c = model.input_shape
    rng = np.random.default_rng(9)
    image = rng.random((h, w, c), dtype=np.float32)
    acts = model.forward(image)
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    x = np.repeat(model.to_onnx_input(image), batch, axis=0)
    (ref,) = session.run(None, {model.input_name: x})
    return model, image, acts, ref


def reference_probabilities(model, ref):
    z = np.asarray(ref[0], np.float64)
    if model.output_kind == "softmax":
        return z
    if model.output_kind == "log_softmax":
        return np.exp(z)
    return np.exp(z - z.max()) / np.exp(z - z.max()).sum()


CASES = [
    (builder, opset, dynamic)
    for builder in (lenet, cifar, classic, resnet_stem)
    for opset in (11, 13, 17)
    for dynamic in (False, True)
]


@pytest.mark.parametrize("builder, opset, dynamic", CASES)
def test_course_models_match_onnxruntime(builder, opset, dynamic):
    g, shape = builder(opset)
    data = g.model(shape, dynamic)
    model, image, acts, ref = run_both(data, batch=2 if dynamic else 1)
    assert model.input_layout == "NCHW" and model.input_shape == (*shape[1:], shape[0])
    probs = model.probabilities(acts)
    np.testing.assert_allclose(probs, reference_probabilities(model, ref), atol=PROB_TOL)
    np.testing.assert_allclose(acts[model.layers[-1].name], ref[0], atol=ACT_TOL)
    logits = model.logits(image, acts)
    t = np.exp(logits - logits.max())
    np.testing.assert_allclose(probs, t / t.sum(), atol=1e-6)


@pytest.mark.parametrize("opset", [11, 12, 13, 14, 15, 16, 17])
def test_every_layer_of_lenet_matches_onnxruntime(opset):
    g, shape = lenet(opset, view=True)
    data = g.model(shape, dynamic=True)
    model = SequentialCNN.from_bytes(data)
    kinds = [la.kind for la in model.layers]
    assert kinds == ["conv", "relu", "maxpool"] * 2 + ["flatten"] + ["dense", "relu"] * 2 + [
        "dense"
    ]
    assert model.layers[-1].activation == "log_softmax" and model.output_kind == "log_softmax"
    # every layer's tensor as an output of the ONNX graph too
    extra = [n for n in model.layer_names if n != model.layers[-1].name]
    proto = onnx.load_from_string(data)
    proto.graph.output.extend(
        helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in extra
    )
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    image = np.random.default_rng(opset).random(model.input_shape, dtype=np.float32)
    acts = model.forward(image)
    outputs = session.run(None, {"input": model.to_onnx_input(image)})
    names = [o.name for o in session.get_outputs()]
    for name, value in zip(names, outputs, strict=True):
        np.testing.assert_allclose(acts[name], model.to_hwc(name, value), atol=ACT_TOL)


def test_model_kinds_and_the_output():
    cases = {
        lenet: ("log_softmax", ["conv", "relu", "maxpool"]),
        cifar: ("softmax", ["conv", "batchnorm", "relu", "conv", "batchnorm", "leaky_relu"]),
        classic: ("logits", ["conv", "tanh", "avgpool", "flatten", "dense", "sigmoid"]),
    }
    for builder, (output, first) in cases.items():
        g, shape = builder(13)
        model = SequentialCNN.from_bytes(g.model(shape, False))
        assert model.output_kind == output
        assert [la.kind for la in model.layers][: len(first)] == first
    g, shape = cifar(13)
    model = SequentialCNN.from_bytes(g.model(shape, False))
    assert model.layer(model.layer_names[-3]).shape == (1, 1, 12)  # global average pool


def test_every_layer_is_drawn_dense_hidden_layers_included():
    g, shape = lenet(13)
    model = SequentialCNN.from_bytes(g.model(shape, False))
    columns, blocks = columns_module.overview_blocks(model)
    drawn = [model.layers[i] for i in columns]
    assert [la.kind for la in drawn] == ["conv", "relu", "maxpool"] * 2 + ["dense", "relu"] * 2
    assert [len(la.shape) for la in drawn][-4:] == [1, 1, 1, 1]
    assert len(blocks) == len(columns)
    layout = columns_module.column_layout(model, columns, list(model.labels))
    vectors = [c for c in layout["columns"] if c.get("vector")]
    assert [c["channels"] for c in vectors] == [120, 120, 84, 84]
    g, shape = cifar(13)
    model = SequentialCNN.from_bytes(g.model(shape, False))
    columns, _ = columns_module.overview_blocks(model)
    kinds = [model.layers[i].kind for i in columns]
    assert kinds == [
        "conv", "batchnorm", "relu", "conv", "batchnorm", "leaky_relu", "avgpool",
        "global_avgpool",
    ]  # fmt: skip


@pytest.mark.parametrize("size", [8, 224])
@pytest.mark.parametrize("channels", [1, 3])
def test_input_sizes_and_channels(size, channels):
    g = Graph(13, 5)
    g.conv(channels, 2, 3, pad=1), g.op("Relu"), g.op("GlobalAveragePool")
    g.op("Flatten", axis=1), g.linear(2, 3)
    model, image, acts, ref = run_both(g.model((channels, size, size), True))
    assert model.input_shape == (size, size, channels)
    np.testing.assert_allclose(model.probabilities(acts), reference_probabilities(model, ref),
                               atol=PROB_TOL)  # fmt: skip


def test_an_unsupported_operator_names_itself_and_what_is_supported():
    g, shape = cifar(13)
    g.nodes[2] = helper.make_node("Elu", g.nodes[2].input, g.nodes[2].output, name="/act/Elu")
    with pytest.raises(ValueError) as err:
        SequentialCNN.from_bytes(g.model(shape, False))
    text = str(err.value)
    assert text.startswith("unsupported ONNX operator 'Elu' (node '/act/Elu'); supported")
    for op in ("Conv", "BatchNormalization", "LeakyRelu", "GlobalAveragePool", "LogSoftmax"):
        assert op in text


def test_vector_columns_are_painted_and_focused():
    from types import SimpleNamespace

    from glasslab.cnn.view import Lut
    from glasslab.colour import RED_BLUE

    g, shape = lenet(13)
    model = SequentialCNN.from_bytes(g.model(shape, False))
    image = np.random.default_rng(1).random(model.input_shape, dtype=np.float32)
    acts = model.forward(image)
    cols, blocks = columns_module.overview_blocks(model)
    assert blocks[-4:] == [2, 2, 2, 2] and blocks[:3] == [0, 0, 0]
    layout = columns_module.column_layout(model, cols, list(model.labels))
    maps = [acts[model.layers[i].name] for i in cols]
    lims = columns_module.column_limits(maps, blocks, "unit")
    assert lims[-1].shape == (1,) and lims[-1][0] == np.abs(maps[-1]).max()
    lut = Lut(RED_BLUE)
    pictures = columns_module.column_images(maps, lims, lut, layout["columns"][1:])
    strip = pictures[-1]
    col = layout["columns"][-1]
    assert strip.shape == (col["height"], col["width"], 4)
    n, height = col["channels"], col["height"]
    for unit in (0, 40, 83):
        row = (unit * height + height - 1) // n  # a row inside the unit's band
        assert (row * n) // height == unit
        expected = lut.colours(np.array([maps[-1][unit]]), -lims[-1][0], lims[-1][0])[0]
        np.testing.assert_array_equal(strip[row, 0], expected)
    page = SimpleNamespace(
        model=model, acts=acts, col_layers=cols, col_blocks=blocks, limits=lims,
        scale_mode="unit", lut_act=lut,
    )  # fmt: skip
    info = columns_module.focus_info(len(cols), 5, page)
    assert info["kind"] == "neuron" and info["vector"] and info["layer_kind"] == "relu"
    assert float(info["min"]) == pytest.approx(maps[-1][5], abs=1e-3)


def test_the_output_explanation_of_a_separate_log_softmax():
    from glasslab.cnn import explain

    g = Graph(13, 6)
    g.conv(1, 2, 3), g.op("Relu"), g.op("Flatten", axis=1), g.linear(2 * 6 * 6, 4)
    g.op("Dropout"), g.op("LogSoftmax", axis=1)  # not fused: Dropout in between
    model = SequentialCNN.from_bytes(g.model((1, 8, 8), False))
    assert model.layers[-1].kind == "log_softmax" and model.output_kind == "log_softmax"
    image = np.random.default_rng(2).random(model.input_shape, dtype=np.float32)
    acts = model.forward(image)
    out = explain.explain_output(model, image, acts)
    np.testing.assert_allclose(out["logits"], model.logits(image, acts), atol=1e-5)
    np.testing.assert_allclose(out["probabilities"], model.probabilities(acts), atol=1e-6)


def test_shape_arithmetic_is_folded_into_constants():
    from glasslab.cnn.onnx_graph import Attribute, Node, fold_shape_node

    consts = {"zero": np.array(0, np.int64), "axes": np.array([0], np.int64)}
    dims = [1, 16, 5, 5]

    def node(op, inputs, out, **attrs):
        attributes = {k: Attribute(k, 0, v) for k, v in attrs.items()}
        return Node(op, inputs=inputs, outputs=[out], attributes=attributes)

    assert fold_shape_node(node("Shape", ["x"], "s"), consts, "x", dims)
    assert fold_shape_node(node("Shape", ["x"], "tail", start=1), consts, "x", dims)
    assert consts["tail"].tolist() == [16, 5, 5]
    assert fold_shape_node(node("Gather", ["s", "zero"], "b"), consts, "x", dims)
    assert fold_shape_node(node("Unsqueeze", ["b", "axes"], "b1"), consts, "x", dims)
    assert fold_shape_node(node("Unsqueeze", ["b"], "b2", axes=[0]), consts, "x", dims)
    consts["m1"] = np.array([-1], np.int64)
    assert fold_shape_node(node("Concat", ["b1", "m1"], "t", axis=0), consts, "x", dims)
    assert consts["t"].tolist() == [1, -1] and consts["b2"].tolist() == [1]
    assert fold_shape_node(node("Squeeze", ["b1"], "sq"), consts, "x", dims)
    assert consts["sq"].shape == () and int(consts["sq"]) == 1
    assert fold_shape_node(node("Cast", ["t"], "tc", to=7), consts, "x", dims)
    assert consts["tc"].dtype == np.int64
    # anything that is not shape arithmetic on known values is left alone
    assert not fold_shape_node(node("Shape", ["y"], "s2"), consts, "x", dims)
    assert not fold_shape_node(node("Concat", ["x", "m1"], "t2", axis=0), consts, "x", dims)
    assert "s2" not in consts and "t2" not in consts


def test_weights_aliased_by_identity_nodes():
    g, shape = lenet(13)
    conv = g.nodes[0]
    g.nodes.insert(0, helper.make_node("Identity", [conv.input[1]], ["onnx::Conv_w"]))
    conv.input[1] = "onnx::Conv_w"
    data = g.model(shape, True)
    model, image, acts, ref = run_both(data)
    np.testing.assert_allclose(model.probabilities(acts), np.exp(ref[0]), atol=PROB_TOL)
