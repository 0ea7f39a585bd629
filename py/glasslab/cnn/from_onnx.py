"""An ONNX graph to the layer list of a sequential CNN (:func:`compile_graph`).

The walk keeps one current tensor that each node must read. ``Constant`` adds to
the constants, and so does the integer shape arithmetic torch writes for
``x.view(x.size(0), -1)`` (``Shape``, ``Gather``, ``Unsqueeze``, ``Concat``, ...,
:func:`~glasslab.cnn.onnx_graph.fold_shape_node`); ``Identity``, ``Dropout`` and
``Transpose`` only relabel the tensor (a Transpose permutes which image axis each ONNX
axis holds); every other operator becomes one :class:`~glasslab.cnn.layers.Layer`
through its builder in :data:`~glasslab.cnn.onnx_ops.BUILDERS`, which checks the
attributes, sets kind, parameters and output shape, and may consume following nodes
(a MatMul's ``Add``, a dense layer's ``Softmax``). Sizes are checked before anything
is allocated (``MAX_*`` here and in :mod:`glasslab.cnn.layers`); errors are
``ValueError`` naming the operator and node; an unsupported operator's message lists
the supported ones (:data:`SUPPORTED_OPS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glasslab.cnn.layers import Layer, check_size
from glasslab.cnn.onnx_graph import SHAPE_OPS, Graph, Node, fold_shape_node
from glasslab.cnn.onnx_ops import BUILDERS, SPATIAL, Chain

__all__ = [
    "BUILDERS",
    "CompiledGraph",
    "SUPPORTED_OPS",
    "compile_graph",
    "MAX_TOTAL_ELEMENTS",
    "MAX_MACS",
]

MAX_TOTAL_ELEMENTS = 1 << 26  # all activations and buffers of a forward pass: 256 MiB
MAX_MACS = 1 << 32  # multiply-accumulates of one forward pass
MAX_LAYERS = 1000

PASS_THROUGH = {"Identity", "Dropout"}
KNOWN_OPS = set(BUILDERS) | {"Add", "Transpose", "Constant"} | PASS_THROUGH | SHAPE_OPS
SUPPORTED_OPS = tuple(sorted(KNOWN_OPS))
NEEDS_NCHW = {"Conv", "MaxPool", "AveragePool", "GlobalAveragePool"}
SAME_LAYOUT = PASS_THROUGH | {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "BatchNormalization"}


def unsupported(op: str, node: Node) -> ValueError:
    """The error for an operator this module cannot run: it and what is supported."""
    return ValueError(
        f"unsupported ONNX operator '{op}' ({node.label}); supported operators: "
        + ", ".join(SUPPORTED_OPS)
    )


@dataclass
class CompiledGraph:
    """What :func:`compile_graph` finds: the input and the layers."""

    input_name: str
    input_layout: str  # e.g. "NCHW" or "NHWC"
    input_shape: tuple[int, int, int]  # (H, W, C)
    input_onnx_perm: tuple[int, int, int]  # (H, W, C) axes in the ONNX input's order
    layers: list[Layer]
    macs: int


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
        elif node.op_type in NEEDS_NCHW:
            return labels  # the current tensor is NCHW: labels = axes of C, H, W
        elif node.op_type not in SAME_LAYOUT:
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


def _onnx_dims(shape: tuple[int, ...], chain: Chain) -> list[int]:
    """The current tensor's ONNX shape (batch of one) from its ``(H, W, C)`` or ``(N,)``."""
    if chain.axes is None:
        return [1, *shape]
    sizes = dict(zip("HWC", shape, strict=True))
    return [1, *(sizes[a] for a in chain.axes)]


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
    chain = Chain(nodes, 0, consts, opset, tuple(layout[1:]), False)  # type: ignore[arg-type]
    total = check_size("the input", shape)
    macs = 0
    while chain.next < len(nodes):
        node = nodes[chain.next]
        chain.next += 1
        op = node.op_type
        if node.domain not in ("", "ai.onnx"):
            raise unsupported(f"{node.domain}.{op}", node)
        if op == "Constant":
            value = node.attr("value")
            if not isinstance(value, np.ndarray) or len(node.outputs) != 1:
                raise ValueError(f"{node.label}: only tensor-valued Constant nodes are supported")
            consts[node.outputs[0]] = value
            continue
        if not node.inputs or not node.outputs:
            raise ValueError(f"{node.label} ({op}) has no input or no output")
        if op in SHAPE_OPS and fold_shape_node(node, consts, current, _onnx_dims(shape, chain)):
            continue
        if node.inputs[0] != current:
            if op not in KNOWN_OPS:
                raise unsupported(op, node)
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
            raise unsupported(op, node)
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
