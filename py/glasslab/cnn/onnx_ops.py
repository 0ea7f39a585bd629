"""One builder per ONNX operator: a node's attributes to a :class:`~glasslab.cnn.layers.Layer`.

Each builder ``(layer, node, label, chain)`` checks the node's attributes and inputs,
sets the layer's kind, parameters (conv weights HWIO, dense ``(K, N)``, batchnorm's
folded per-channel multiplier and offset) and output shape, and may consume following
nodes (a MatMul's ``Add``, a dense layer's ``Softmax`` or ``LogSoftmax``). ``chain``
(:class:`Chain`) is the walk's state of :func:`glasslab.cnn.from_onnx.compile_graph`.
Errors are ``ValueError`` naming the operator and node.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from glasslab.cnn import layers as kernels
from glasslab.cnn.layers import Layer, check_size, pooled_size
from glasslab.cnn.onnx_graph import Node, ints_attr, pads_attr

__all__ = ["ACTIVATIONS", "BUILDERS", "Chain", "NORMALISERS", "SPATIAL"]

SPATIAL = ("C", "H", "W")  # the ONNX image layout after the batch axis


@dataclass
class Chain:
    """The walk's state that builders read and change."""

    nodes: list[Node]
    next: int  # index of the node after the one being built
    consts: dict[str, np.ndarray]
    opset: int
    axes: tuple[str, str, str] | None
    nonneg: bool  # the current tensor is >= 0 (after a ReLU or softmax)


def _const(chain: Chain, node: Node, label: str, index: int, what: str) -> np.ndarray | None:
    if index >= len(node.inputs) or node.inputs[index] == "":
        return None
    name = node.inputs[index]
    if name not in chain.consts:
        raise ValueError(f"{label}: {what} '{name}' must be a constant initializer")
    return chain.consts[name]


def _fits(label: str, kernel: tuple[int, int], size: tuple[int, int], pads) -> None:
    hp, wp = size[0] + pads[0] + pads[2], size[1] + pads[1] + pads[3]
    if hp < kernel[0] or wp < kernel[1]:
        raise ValueError(
            f"{label}: kernel {kernel[0]}x{kernel[1]} is larger than its padded input {hp}x{wp}"
        )


# -- one builder per operator ------------------------------------------------------


def build_conv(layer: Layer, node: Node, label: str, chain: Chain) -> None:
    if chain.axes != SPATIAL:
        raise ValueError(f"{label}: expects an NCHW image, got a tensor with axes {chain.axes}")
    weight = _const(chain, node, label, 1, "weight")
    bias = _const(chain, node, label, 2, "bias")
    if weight is None or weight.ndim != 4:
        raise ValueError(f"{label}: weight must be a 4-D constant (O, C, KH, KW)")
    cout, cin, kh, kw = (int(d) for d in weight.shape)
    h, w, c = layer.input_shape
    if int(node.attr("group", 1)) != 1:
        raise ValueError(
            f"{label}: grouped convolution (group={node.attr('group')}) is not supported"
        )
    if ints_attr(node, "dilations", 2, 1) != (1, 1):
        raise ValueError(f"{label}: dilated convolution is not supported")
    if cin != c:
        raise ValueError(f"{label}: weight expects {cin} input channels, the input has {c}")
    if min(cout, kh, kw) < 1:
        raise ValueError(f"{label}: empty weight {list(weight.shape)}")
    ks = node.attr("kernel_shape")
    if ks is not None and tuple(int(k) for k in ks) != (kh, kw):
        raise ValueError(f"{label}: kernel_shape {ks} does not match the weight {[kh, kw]}")
    strides = ints_attr(node, "strides", 2, 1)
    if min(strides) < 1:
        raise ValueError(f"{label}: strides must be positive, got {list(strides)}")
    pads = pads_attr(node, (h, w), (kh, kw), strides)
    _fits(label, (kh, kw), (h, w), pads)
    ho, wo = pooled_size((h, w), (kh, kw), strides, pads)
    if bias is not None and bias.shape != (cout,):
        raise ValueError(f"{label}: bias has shape {list(bias.shape)}, expected [{cout}]")
    layer.kind = "conv"
    layer.shape = (ho, wo, cout)
    check_size(f"the output of {label}", layer.shape)
    layer.kernel = np.ascontiguousarray(np.asarray(weight, dtype=np.float32).transpose(2, 3, 1, 0))
    layer.bias = (
        np.zeros(cout, np.float32) if bias is None else np.asarray(bias, dtype=np.float32).copy()
    )
    layer.kernel_size = (kh, kw)
    layer.strides = strides
    layer.pads = pads
    layer.macs = ho * wo * cout * kh * kw * c
    layer._work = kernels.conv_work(layer, label)
    chain.nonneg = False


ACTIVATIONS = {"Relu": "relu", "LeakyRelu": "leaky_relu", "Sigmoid": "sigmoid", "Tanh": "tanh"}


def build_activation(layer: Layer, node: Node, label: str, chain: Chain) -> None:
    """Relu, LeakyRelu (``alpha``, 0.01 by default), Sigmoid, Tanh: same shape."""
    layer.kind = ACTIVATIONS[node.op_type]
    if layer.kind == "leaky_relu":
        layer.alpha = float(node.attr("alpha", 0.01))
    chain.nonneg = layer.kind in ("relu", "sigmoid")


def build_pool(layer: Layer, node: Node, label: str, chain: Chain) -> None:
    """MaxPool or AveragePool (``count_include_pad``), 2-D, any kernel, strides, pads."""
    if chain.axes != SPATIAL:
        raise ValueError(f"{label}: expects an NCHW image, got a tensor with axes {chain.axes}")
    ks = node.attr("kernel_shape")
    if not isinstance(ks, list) or len(ks) != 2:
        raise ValueError(f"{label}: only 2-D pooling is supported (kernel_shape {ks})")
    kh, kw = (int(k) for k in ks)
    strides = ints_attr(node, "strides", 2, 1)
    if min(kh, kw, *strides) < 1:
        raise ValueError(f"{label}: kernel and strides must be positive")
    if ints_attr(node, "dilations", 2, 1) != (1, 1):
        raise ValueError(f"{label}: dilated pooling is not supported")
    h, w, c = layer.input_shape
    pads = pads_attr(node, (h, w), (kh, kw), strides)
    if pads[0] >= kh or pads[2] >= kh or pads[1] >= kw or pads[3] >= kw:
        raise ValueError(f"{label}: pads {list(pads)} must be smaller than the kernel")
    _fits(label, (kh, kw), (h, w), pads)
    hp, wp = h + pads[0] + pads[2], w + pads[1] + pads[3]
    if int(node.attr("ceil_mode", 0)) and ((hp - kh) % strides[0] or (wp - kw) % strides[1]):
        raise ValueError(f"{label}: ceil_mode=1 with a partial last window is not supported")
    layer.kind = "maxpool" if node.op_type == "MaxPool" else "avgpool"
    layer.count_include_pad = bool(int(node.attr("count_include_pad", 0)))
    layer.kernel_size = (kh, kw)
    layer.strides = strides
    layer.pads = pads
    layer.shape = (*pooled_size((h, w), (kh, kw), strides, pads), c)
    layer._work = {"elements": hp * wp * c if any(pads) else 0}
    if layer.kind == "avgpool":
        layer.nonneg_input = False
        layer._work["elements"] += layer.shape[0] * layer.shape[1] * (c + 1)


def build_global_pool(layer: Layer, node: Node, label: str, chain: Chain) -> None:
    """GlobalAveragePool: one mean per channel, an ``(1, 1, C)`` image."""
    if chain.axes != SPATIAL:
        raise ValueError(f"{label}: expects an NCHW image, got a tensor with axes {chain.axes}")
    layer.kind = "global_avgpool"
    layer.shape = (1, 1, layer.input_shape[2])


def build_batchnorm(layer: Layer, node: Node, label: str, chain: Chain) -> None:
    """BatchNormalization at inference, folded to ``a x + b`` per channel:
    ``a = scale / sqrt(var + eps)``, ``b = B - mean a``."""
    if chain.axes is not None and chain.axes != SPATIAL:
        raise ValueError(f"{label}: expects an NCHW image or a vector, got axes {chain.axes}")
    if int(node.attr("training_mode", 0)):
        raise ValueError(f"{label}: training_mode=1 is not supported (export in eval mode)")
    c = layer.input_shape[2] if chain.axes is not None else layer.input_shape[0]
    parts = []
    for index, what in enumerate(("scale", "B", "mean", "var"), start=1):
        value = _const(chain, node, label, index, what)
        if value is None or np.asarray(value).reshape(-1).shape != (c,):
            raise ValueError(f"{label}: {what} must be a constant of {c} values")
        parts.append(np.asarray(value, np.float64).reshape(-1))
    scale, offset, mean, var = parts
    eps = float(node.attr("epsilon", 1e-5))
    if np.any(var + eps <= 0):
        raise ValueError(f"{label}: var + epsilon must be positive")
    a = scale / np.sqrt(var + eps)
    layer.kind = "batchnorm"
    layer.kernel = a.astype(np.float32)
    layer.bias = (offset - mean * a).astype(np.float32)
    layer.macs = math.prod(layer.input_shape)
    chain.nonneg = False


def build_flatten(layer: Layer, node: Node, label: str, chain: Chain) -> None:
    n = math.prod(layer.input_shape)
    axes = chain.axes
    rank = 4 if axes is not None else 2
    if node.op_type == "Flatten":
        axis = int(node.attr("axis", 1))
        if axis < 0:
            axis += rank
        if axis not in (0, 1):
            raise ValueError(f"{label}: only axis=1 (keep the batch axis) is supported, got {axis}")
    else:
        target = _const(chain, node, label, 1, "shape")
        if target is None:
            raise ValueError(f"{label}: the target shape must be a constant")
        target = [int(v) for v in np.asarray(target).reshape(-1)]
        allowed = ([1, n], [1, -1], [-1, n], [0, -1], [0, n])
        if target not in allowed or (int(node.attr("allowzero", 0)) and 0 in target):
            raise ValueError(
                f"{label}: only reshapes to a (1, {n}) vector are supported, got {target}"
            )
    layer.kind = "flatten"
    layer.shape = (n,)
    if axes is not None:  # ONNX element order, from the (C, H, W) arrays
        layer.flatten_order = tuple("CHW".index(a) for a in axes)  # type: ignore
    layer.axes = axes
    chain.axes = None


NORMALISERS = {"Softmax": "softmax", "LogSoftmax": "log_softmax"}


def _softmax_axis(node: Node, opset: int) -> None:
    axis = int(node.attr("axis", -1 if opset >= 13 else 1))
    if axis not in (1, -1):
        raise ValueError(
            f"{node.label} ({node.op_type}): only the class axis (1 or -1) is supported"
        )


def build_dense(layer: Layer, node: Node, label: str, chain: Chain) -> None:
    """Gemm, or MatMul with an optional following Add of a constant bias; a directly
    following Softmax becomes the layer's activation."""
    if chain.axes is not None:
        raise ValueError(f"{label}: expects a vector; flatten the image first")
    (k,) = layer.input_shape
    nodes = chain.nodes
    if node.op_type == "Gemm":
        if int(node.attr("transA", 0)):
            raise ValueError(f"{label}: transA=1 is not supported")
        weight = _const(chain, node, label, 1, "B")
        bias = _const(chain, node, label, 2, "C")
        if weight is None or weight.ndim != 2:
            raise ValueError(f"{label}: B must be a 2-D constant")
        weight = np.asarray(weight, dtype=np.float32)
        if int(node.attr("transB", 0)):
            weight = weight.T
        alpha = float(node.attr("alpha", 1.0))
        beta = float(node.attr("beta", 1.0))
        if alpha != 1.0:
            weight = weight * np.float32(alpha)
        if bias is not None and beta != 1.0:
            bias = np.asarray(bias, dtype=np.float32) * np.float32(beta)
    else:  # MatMul, maybe followed by Add of a constant
        weight = _const(chain, node, label, 1, "B")
        if weight is None or weight.ndim != 2:
            raise ValueError(f"{label}: B must be a 2-D constant")
        weight = np.asarray(weight, dtype=np.float32)
        bias = None
        i = chain.next
        if i < len(nodes) and nodes[i].op_type == "Add" and layer.name in nodes[i].inputs:
            add = nodes[i]
            other = [x for x in add.inputs if x != layer.name]
            if len(add.inputs) != 2 or len(other) != 1 or other[0] not in chain.consts:
                raise ValueError(f"{add.label} (Add): the bias must be a constant initializer")
            bias = chain.consts[other[0]]
            layer.name = add.outputs[0]
            layer.op_type = "MatMul+Add"
            chain.next += 1
    if weight.shape[0] != k:
        raise ValueError(
            f"{label}: weight has shape {list(weight.shape)} but the input has {k} values"
        )
    n = int(weight.shape[1])
    if n < 1:
        raise ValueError(f"{label}: the layer has no outputs")
    if bias is None:
        bias = np.zeros(n, np.float32)
    bias = np.asarray(bias, dtype=np.float32)
    if bias.size == 1:
        bias = np.full(n, bias.reshape(-1)[0], np.float32)
    elif bias.shape not in ((n,), (1, n)):
        raise ValueError(f"{label}: bias has shape {list(bias.shape)}, expected [{n}]")
    layer.kind = "dense"
    layer.kernel = np.ascontiguousarray(weight)
    layer.bias = bias.reshape(n).copy()
    layer.shape = (n,)
    layer.macs = k * n
    i = chain.next
    if i < len(nodes) and nodes[i].op_type in NORMALISERS and nodes[i].inputs[:1] == [layer.name]:
        _softmax_axis(nodes[i], chain.opset)
        layer.activation = NORMALISERS[nodes[i].op_type]
        layer.name = nodes[i].outputs[0]
        layer.node = nodes[i].name or layer.node
        chain.next += 1
    chain.nonneg = False


def build_softmax(layer: Layer, node: Node, label: str, chain: Chain) -> None:
    if chain.axes is not None:
        raise ValueError(f"{label}: softmax is only supported on a vector")
    _softmax_axis(node, chain.opset)
    layer.kind = NORMALISERS[node.op_type]
    chain.nonneg = layer.kind == "softmax"


BUILDERS = {
    "Conv": build_conv,
    "Relu": build_activation,
    "LeakyRelu": build_activation,
    "Sigmoid": build_activation,
    "Tanh": build_activation,
    "MaxPool": build_pool,
    "AveragePool": build_pool,
    "GlobalAveragePool": build_global_pool,
    "BatchNormalization": build_batchnorm,
    "Flatten": build_flatten,
    "Reshape": build_flatten,
    "Gemm": build_dense,
    "MatMul": build_dense,
    "Softmax": build_softmax,
    "LogSoftmax": build_softmax,
}
