"""An ONNX graph to the layer list of a sequential CNN (:func:`compile_graph`).

The walk keeps one current tensor that each node must read. ``Constant`` adds to
the constants; ``Identity``, ``Dropout`` and ``Transpose`` only relabel the tensor
(a Transpose permutes which image axis each ONNX axis holds); every other operator
becomes one :class:`~glasslab.cnn.layers.Layer` through its builder in
:data:`BUILDERS`, which checks the attributes, sets kind, parameters (conv weights
HWIO, dense ``(K, N)``) and output shape, and may consume following nodes (a
MatMul's ``Add``, a dense layer's ``Softmax``). Sizes are checked before anything is
allocated (``MAX_*`` here and in :mod:`glasslab.cnn.layers`); errors are
``ValueError`` naming the operator and node.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from glasslab.cnn import layers as kernels
from glasslab.cnn.layers import Layer, check_size, pooled_size
from glasslab.cnn.onnx_graph import Graph, Node, ints_attr, pads_attr

__all__ = ["BUILDERS", "CompiledGraph", "compile_graph", "MAX_TOTAL_ELEMENTS", "MAX_MACS"]

MAX_TOTAL_ELEMENTS = 1 << 26  # all activations and buffers of a forward pass: 256 MiB
MAX_MACS = 1 << 32  # multiply-accumulates of one forward pass
MAX_LAYERS = 1000

PASS_THROUGH = {"Identity", "Dropout"}
SPATIAL = ("C", "H", "W")  # the ONNX image layout after the batch axis


@dataclass
class CompiledGraph:
    """What :func:`compile_graph` finds: the input and the layers."""

    input_name: str
    input_layout: str  # e.g. "NCHW" or "NHWC"
    input_shape: tuple[int, int, int]  # (H, W, C)
    input_onnx_perm: tuple[int, int, int]  # (H, W, C) axes in the ONNX input's order
    layers: list[Layer]
    macs: int


@dataclass
class _Chain:
    """The walk's state that builders read and change."""

    nodes: list[Node]
    next: int  # index of the node after the one being built
    consts: dict[str, np.ndarray]
    opset: int
    axes: tuple[str, str, str] | None
    nonneg: bool  # the current tensor is >= 0 (after a ReLU or softmax)


def _const(chain: _Chain, node: Node, label: str, index: int, what: str) -> np.ndarray | None:
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


def build_conv(layer: Layer, node: Node, label: str, chain: _Chain) -> None:
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


def build_relu(layer: Layer, node: Node, label: str, chain: _Chain) -> None:
    layer.kind = "relu"
    chain.nonneg = True


def build_maxpool(layer: Layer, node: Node, label: str, chain: _Chain) -> None:
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
    layer.kind = "maxpool"
    layer.kernel_size = (kh, kw)
    layer.strides = strides
    layer.pads = pads
    layer.shape = (*pooled_size((h, w), (kh, kw), strides, pads), c)
    layer._work = {"elements": hp * wp * c if any(pads) else 0}


def build_flatten(layer: Layer, node: Node, label: str, chain: _Chain) -> None:
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


def _softmax_axis(node: Node, opset: int) -> None:
    axis = int(node.attr("axis", -1 if opset >= 13 else 1))
    if axis not in (1, -1):
        raise ValueError(f"{node.label} (Softmax): only the class axis (1 or -1) is supported")


def build_dense(layer: Layer, node: Node, label: str, chain: _Chain) -> None:
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
    if i < len(nodes) and nodes[i].op_type == "Softmax" and nodes[i].inputs[:1] == [layer.name]:
        _softmax_axis(nodes[i], chain.opset)
        layer.activation = "softmax"
        layer.name = nodes[i].outputs[0]
        layer.node = nodes[i].name or layer.node
        chain.next += 1
    chain.nonneg = False


def build_softmax(layer: Layer, node: Node, label: str, chain: _Chain) -> None:
    if chain.axes is not None:
        raise ValueError(f"{label}: softmax is only supported on a vector")
    _softmax_axis(node, chain.opset)
    layer.kind = "softmax"
    chain.nonneg = True


BUILDERS = {
    "Conv": build_conv,
    "Relu": build_relu,
    "MaxPool": build_maxpool,
    "Flatten": build_flatten,
    "Reshape": build_flatten,
    "Gemm": build_dense,
    "MatMul": build_dense,
    "Softmax": build_softmax,
}

KNOWN_OPS = set(BUILDERS) | {"Add", "Transpose", "Constant"} | PASS_THROUGH


def _input_axes(nodes: list[Node], name: str, dims) -> tuple[int, int, int]:
    """ONNX input axis (1..3) of C, H and W: follow the Transposes up to the first
    Conv/MaxPool (which need NCHW); without one, guess from the sizes."""
    labels = (1, 2, 3)  # ONNX axis of the input held by each axis of the current tensor
    current = name
    for node in nodes:
        if not node.inputs or node.inputs[0] != current or not node.outputs:
            continue
        if node.op_type == "Transpose":
            perm = node.attr("perm")
            if perm is None or len(perm) != 4 or sorted(perm) != [0, 1, 2, 3] or perm[0]:
                break
            labels = tuple(labels[p - 1] for p in perm[1:])
        elif node.op_type in ("Conv", "MaxPool"):
            return labels  # the current tensor is NCHW: labels = axes of C, H, W
        elif node.op_type not in PASS_THROUGH and node.op_type != "Relu":
            break
        current = node.outputs[0]
    if dims[2] in (1, 3, 4) and dims[0] not in (1, 3, 4):
        return (3, 1, 2)  # NHWC
    return (1, 2, 3)  # NCHW


def _check_input(graph: Graph, consts: dict):
    inputs = [v for v in graph.inputs if v.name not in consts]
    if len(inputs) != 1:
        names = [v.name for v in inputs]
        raise ValueError(f"the model must have exactly one input, it has {len(inputs)}: {names}")
    inp = inputs[0]
    if inp.elem_type not in (None, 1):
        raise ValueError(f"input '{inp.name}' must be float32 (ONNX type {inp.elem_type})")
    if inp.shape is None or len(inp.shape) != 4:
        raise ValueError(
            f"input '{inp.name}' must be a 4-D image tensor (N, C, H, W) or (N, H, W, C), "
            f"got shape {None if inp.shape is None else list(inp.shape)}"
        )
    dims = inp.shape[1:]
    if not all(isinstance(d, int) and d > 0 for d in dims):
        raise ValueError(f"input '{inp.name}' needs fixed positive sizes, got {list(inp.shape)}")
    if isinstance(inp.shape[0], int) and inp.shape[0] not in (1, -1, 0):
        raise ValueError(f"input '{inp.name}' has batch size {inp.shape[0]}; use 1 or a symbol")
    if len(graph.nodes) > MAX_LAYERS:
        raise ValueError(f"the graph has {len(graph.nodes)} nodes; the limit is {MAX_LAYERS}")
    return inp, dims


def compile_graph(graph: Graph, opset: int) -> CompiledGraph:
    """The layers of a sequential ONNX graph (see the module docstring)."""
    if graph.sparse_initializer_count:
        raise ValueError("sparse initializers are not supported")
    consts = {name: t.array for name, t in graph.initializers.items()}
    inp, dims = _check_input(graph, consts)
    positions = _input_axes(graph.nodes, inp.name, dims)
    layout = "N" + "".join(SPATIAL[positions.index(a)] for a in (1, 2, 3))
    input_shape = (dims[positions[1] - 1], dims[positions[2] - 1], dims[positions[0] - 1])
    check_size(f"input '{inp.name}'", input_shape)
    onnx_perm = tuple("HWC".index(layout[i]) for i in (1, 2, 3))

    layers: list[Layer] = []
    current = inp.name
    shape: tuple[int, ...] = input_shape
    nodes = graph.nodes
    chain = _Chain(nodes, 0, consts, opset, tuple(layout[1:]), False)  # type: ignore[arg-type]
    total = check_size("the input", shape)
    macs = 0
    while chain.next < len(nodes):
        node = nodes[chain.next]
        chain.next += 1
        op = node.op_type
        if node.domain not in ("", "ai.onnx"):
            raise ValueError(f"unsupported ONNX operator '{node.domain}.{op}' ({node.label})")
        if op == "Constant":
            value = node.attr("value")
            if not isinstance(value, np.ndarray) or len(node.outputs) != 1:
                raise ValueError(f"{node.label}: only tensor-valued Constant nodes are supported")
            consts[node.outputs[0]] = value
            continue
        if not node.inputs or not node.outputs:
            raise ValueError(f"{node.label} ({op}) has no input or no output")
        if node.inputs[0] != current:
            if op not in KNOWN_OPS:
                raise ValueError(f"unsupported ONNX operator '{op}' ({node.label})")
            raise ValueError(
                f"not a sequential model: {node.label} ({op}) reads '{node.inputs[0]}' "
                f"but the previous layer produced '{current}'"
            )
        out = node.outputs[0]
        label = f"{node.label} ({op})"
        if op in PASS_THROUGH:
            current = out
            continue
        if op == "Transpose":
            perm = node.attr("perm")
            rank = 4 if chain.axes is not None else 2
            perm = list(range(rank))[::-1] if perm is None else [int(p) for p in perm]
            if sorted(perm) != list(range(rank)) or perm[0] != 0:
                raise ValueError(
                    f"{label}: unsupported perm {perm} (the batch axis must stay first)"
                )
            if chain.axes is not None:
                chain.axes = tuple(chain.axes[p - 1] for p in perm[1:])  # type: ignore
            current = out
            continue
        builder = BUILDERS.get(op)
        if builder is None:
            raise ValueError(f"unsupported ONNX operator '{op}' ({node.label})")
        layer = Layer(
            name=out,
            kind="",
            op_type=op,
            node=node.name,
            input=current,
            input_shape=shape,
            shape=shape,
            axes=chain.axes,
            nonneg_input=chain.nonneg,
        )
        builder(layer, node, label, chain)
        shape = layer.shape
        total += check_size(f"the output of {label}", shape) + layer._work.get("elements", 0)
        macs += layer.macs
        if total > MAX_TOTAL_ELEMENTS:
            raise ValueError(
                f"the activations up to {label} need {total} values; the limit is "
                f"{MAX_TOTAL_ELEMENTS}"
            )
        if macs > MAX_MACS:
            raise ValueError(
                f"the model needs more than {MAX_MACS} multiply-adds per image (at {label})"
            )
        layers.append(layer)
        current = layer.name
    if not layers:
        raise ValueError("the graph has no layers")
    if len(shape) != 1:
        raise ValueError(
            f"the model must end in a vector of class scores, its last layer "
            f"'{layers[-1].name}' has shape {list(shape)}"
        )
    names = [la.name for la in layers]
    if len(set(names)) != len(names):
        raise ValueError("two layers have the same output name")
    return CompiledGraph(inp.name, layout, input_shape, onnx_perm, layers, macs)  # type: ignore
