"""glasslab.cnn.layers: every backward pass against central finite differences of its
forward pass, for the input and the parameters; the model's backpropagation from the
logits; kernels replaced on their module are the ones that run."""

from __future__ import annotations

import numpy as np
import pytest
from glasslab.cnn import layers
from glasslab.cnn.layers import Layer, pooled_size
from glasslab.cnn.layers import activations as activation_module
from glasslab.cnn.model import SequentialCNN
from onnx import TensorProto, helper, numpy_helper

from tests.gradcheck import numeric_grad

EPS = 1e-3  # the forward passes are float32: a larger step than for float64
RTOL, ATOL = 2e-3, 2e-3


def window_layer(kind, input_shape, k=(3, 3), strides=(1, 1), pads=(0, 0, 0, 0), cout=None):
    """A conv or pooling layer on an ``(H, W, C)`` input, parameters random."""
    h, w, c = input_shape
    ho, wo = pooled_size((h, w), k, strides, pads)
    rng = np.random.default_rng(3)
    layer = Layer(
        "l", kind, "", "", "x", input_shape, (ho, wo, cout or c), None,
        kernel_size=k, strides=strides, pads=pads,
    )  # fmt: skip
    if kind == "conv":
        layer.kernel = rng.normal(0, 0.5, (*k, c, cout)).astype(np.float32)
        layer.bias = rng.normal(0, 0.5, cout).astype(np.float32)
        layer._work = layers.conv_work(layer, "test")
    return layer


def check(layer, x, *params, away_from=None):
    """Gradients of ``L = sum(R * y)`` for random ``R``: the backward pass against finite
    differences, for ``x`` and every named parameter."""
    rng = np.random.default_rng(11)
    x = np.asarray(x, np.float64)
    y0 = layers.forward(layer, x.astype(np.float32))
    r = rng.normal(size=np.shape(y0))

    def loss():
        return float(np.sum(r * layers.forward(layer, x.astype(np.float32)), dtype=np.float64))

    dx = layers.backward(layer, x.astype(np.float32), y0, r.astype(np.float32))
    assert dx.shape == x.shape and dx.dtype == np.float32
    np.testing.assert_allclose(dx, numeric_grad(loss, x, EPS), rtol=RTOL, atol=ATOL)
    for name in params:
        value = getattr(layer, name).astype(np.float64)
        saved = getattr(layer, name)

        def loss_p(value=value, name=name):
            setattr(layer, name, value.astype(np.float32))
            layer._work.pop("w_full", None)
            layer._work.pop("w_rows", None)
            return loss()

        expected = numeric_grad(loss_p, value, EPS)
        setattr(layer, name, saved)
        layer._work.pop("w_full", None)
        layers.backward(layer, x.astype(np.float32), y0, r.astype(np.float32))
        np.testing.assert_allclose(layer.grads[name], expected, rtol=RTOL, atol=ATOL)


def away(rng, shape, margin=0.05):
    """Random values at least ``margin`` from 0 (no kink of ReLU inside the step)."""
    v = rng.normal(size=shape)
    return np.where(np.abs(v) < margin, margin * np.sign(v + 1e-9) * 2, v)


@pytest.mark.parametrize(
    "k, strides, pads",
    [((3, 3), (1, 1), (0, 0, 0, 0)), ((3, 2), (2, 1), (1, 0, 2, 1)), ((1, 1), (1, 1), (0,) * 4)],
)
def test_conv_backward(k, strides, pads):
    layer = window_layer("conv", (6, 7, 2), k, strides, pads, cout=3)
    x = np.random.default_rng(0).normal(size=(2, 6, 7))
    check(layer, x, "kernel", "bias")


def test_conv_backward_row_by_row_path(monkeypatch):
    monkeypatch.setattr(layers, "FULL_IM2COL_MAX", 10)
    layer = window_layer("conv", (5, 5, 2), (3, 3), (1, 1), (1, 1, 1, 1), cout=2)
    assert layer._work["full"] is False
    check(layer, np.random.default_rng(1).normal(size=(2, 5, 5)), "kernel", "bias")


@pytest.mark.parametrize("kind", ["relu", "leaky_relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("shape", [(3, 4, 5), (7,)])
def test_activation_backward(kind, shape):
    layer = Layer("a", kind, "", "", "x", shape, shape, alpha=0.2)
    check(layer, away(np.random.default_rng(2), shape))


@pytest.mark.parametrize("kind", ["softmax", "log_softmax"])
def test_class_score_backward(kind):
    layer = Layer("s", kind, "", "", "x", (6,), (6,))
    check(layer, np.random.default_rng(4).normal(size=6) * 3)


@pytest.mark.parametrize(
    "kind, k, strides, pads",
    [
        ("maxpool", (2, 2), (2, 2), (0, 0, 0, 0)),
        ("maxpool", (3, 3), (2, 2), (1, 1, 1, 1)),
        ("avgpool", (2, 2), (2, 2), (0, 0, 0, 0)),
        ("avgpool", (3, 3), (2, 1), (1, 1, 1, 1)),
    ],
)
@pytest.mark.parametrize("include_pad", [False, True])
def test_pool_backward(kind, k, strides, pads, include_pad):
    layer = window_layer(kind, (7, 6, 2), k, strides, pads)
    layer.count_include_pad = include_pad
    # distinct values, far apart: the maximum of a window does not change within a step
    x = np.random.default_rng(5).permutation(2 * 7 * 6).reshape(2, 7, 6) * 0.1
    check(layer, x)


def test_global_average_pool_backward():
    layer = Layer("g", "global_avgpool", "", "", "x", (4, 5, 3), (1, 1, 3))
    check(layer, np.random.default_rng(6).normal(size=(3, 4, 5)))


@pytest.mark.parametrize("order", [(0, 1, 2), (1, 2, 0)])
def test_flatten_backward(order):
    layer = Layer("f", "flatten", "", "", "x", (3, 4, 2), (24,), flatten_order=order)
    check(layer, np.random.default_rng(7).normal(size=(2, 3, 4)))


@pytest.mark.parametrize("activation", [None, "softmax", "log_softmax"])
def test_dense_backward(activation):
    rng = np.random.default_rng(8)
    layer = Layer("d", "dense", "", "", "x", (9,), (4,), activation=activation)
    layer.kernel = rng.normal(size=(9, 4)).astype(np.float32)
    layer.bias = rng.normal(size=4).astype(np.float32)
    check(layer, rng.normal(size=9), "kernel", "bias")


@pytest.mark.parametrize("shape", [(3, 4, 2), (5,)])
def test_batchnorm_backward(shape):
    rng = np.random.default_rng(9)
    c = shape[2] if len(shape) == 3 else shape[0]
    layer = Layer("b", "batchnorm", "", "", "x", shape, shape)
    layer.kernel = rng.normal(size=c).astype(np.float32)
    layer.bias = rng.normal(size=c).astype(np.float32)
    x = rng.normal(size=(c, *shape[:2]) if len(shape) == 3 else shape)
    check(layer, x, "kernel", "bias")


def test_every_kind_has_a_forward_and_a_backward_pass():
    for kind in layers.KINDS:
        assert callable(layers.kernel(kind, "forward")), kind
        assert callable(layers.kernel(kind, "backward")), kind
        assert getattr(layers, f"{kind}_backward") is layers.kernel(kind, "backward")


def test_a_kernel_put_in_place_on_its_module_or_the_package_runs(monkeypatch):
    layer = Layer("a", "relu", "", "", "x", (3,), (3,))
    x = np.array([-1.0, 0.5, 2.0], np.float32)
    monkeypatch.setattr(activation_module, "relu_forward", lambda la, v: v * 10)
    np.testing.assert_array_equal(layers.forward(layer, x), x * 10)
    monkeypatch.setattr(layers, "relu_forward", lambda la, v: v * 0 + 7, raising=False)
    np.testing.assert_array_equal(layers.forward(layer, x), [7, 7, 7])


# -- the model: backpropagation from the logits ---------------------------------------


def course_model(final: str | None = "Softmax") -> SequentialCNN:
    """conv -> batchnorm -> leaky relu -> avg pool -> conv -> tanh -> max pool -> flatten
    -> dense -> sigmoid -> dense [-> softmax]: every kind with a backward pass."""
    rng = np.random.default_rng(12)

    def w(*shape, scale=0.4):
        return rng.normal(0, scale, shape).astype(np.float32)

    inits = {
        "w1": w(4, 3, 3, 3), "b1": w(4), "s": w(4) + 1, "bb": w(4), "m": w(4),
        "v": np.abs(w(4)) + 0.5, "w2": w(5, 4, 3, 3), "fc1": w(20, 5 * 2 * 2),
        "fb1": w(20), "fc2": w(6, 20), "fb2": w(6),
    }  # fmt: skip
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "s", "bb", "m", "v"], ["bn"]),
        helper.make_node("LeakyRelu", ["bn"], ["lr"], alpha=0.1),
        helper.make_node("AveragePool", ["lr"], ["ap"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["ap", "w2"], ["c2"]),
        helper.make_node("Tanh", ["c2"], ["t2"]),
        helper.make_node("MaxPool", ["t2"], ["mp"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["mp"], ["flat"]),
        helper.make_node("Gemm", ["flat", "fc1", "fb1"], ["h"], transB=1),
        helper.make_node("Sigmoid", ["h"], ["hs"]),
        helper.make_node("Gemm", ["hs", "fc2", "fb2"], ["logits"], transB=1),
    ]
    out = "logits"
    if final:
        nodes.append(helper.make_node(final, ["logits"], ["probs"], axis=1))
        out = "probs"
    graph = helper.make_graph(
        nodes,
        "course",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 12, 12])],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)],
        initializer=[numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return SequentialCNN.from_bytes(model.SerializeToString())


@pytest.mark.parametrize("final", ["Softmax", "LogSoftmax", None])
def test_model_gradients_from_the_logits_match_finite_differences(final):
    model = course_model(final)
    image = np.random.default_rng(13).random(model.input_shape)
    acts = model.forward(image.astype(np.float32))
    logits = model.logits(image, acts)
    probs = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(model.probabilities(acts), probs, atol=1e-6)
    k = 2
    grads = model.gradients(image.astype(np.float32), acts, np.eye(6)[k])
    assert set(grads) == {"input", "c1", "bn", "lr", "ap", "c2", "t2", "mp", "flat", "h", "hs"}
    assert grads["input"].shape == model.input_shape and grads["mp"].shape == (2, 2, 5)

    def logit():
        x = image.astype(np.float32)
        return float(model.logits(x, model.forward(x))[k])

    expected = numeric_grad(logit, image, EPS)
    np.testing.assert_allclose(grads["input"], expected, rtol=1e-2, atol=2e-3)
    assert np.abs(grads["input"]).max() > 1e-2  # not trivially zero
