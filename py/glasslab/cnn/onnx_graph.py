"""A decoded ONNX model as plain dataclasses (what :mod:`glasslab.cnn.onnx_reader` returns).

``Model`` holds the opset imports, metadata and one ``Graph``; a graph holds its
``Node`` list in file order, the initializers by name (``Tensor``: name, data type,
dims and the data as a NumPy array) and the ``ValueInfo`` of its inputs and
outputs; a node's ``Attribute`` values are plain Python numbers, strings, lists or
arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "SHAPE_OPS",
    "Attribute",
    "Graph",
    "Model",
    "Node",
    "Tensor",
    "ValueInfo",
    "fold_shape_node",
    "ints_attr",
    "pads_attr",
]


@dataclass
class Tensor:
    """A TensorProto: ``array`` holds the data, shaped by ``dims``."""

    name: str
    data_type: int
    dims: tuple[int, ...]
    array: np.ndarray


@dataclass
class Attribute:
    name: str
    type: int
    value: object


@dataclass
class Node:
    op_type: str
    name: str = ""
    domain: str = ""
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    attributes: dict[str, Attribute] = field(default_factory=dict)

    def attr(self, name: str, default=None):
        """The attribute's value, or ``default`` when the node does not set it."""
        a = self.attributes.get(name)
        return default if a is None else a.value

    @property
    def label(self) -> str:
        """How error messages name this node."""
        if self.name:
            return f"node '{self.name}'"
        if self.outputs:
            return f"node producing '{self.outputs[0]}'"
        return "unnamed node"


@dataclass
class ValueInfo:
    name: str
    elem_type: int | None = None
    shape: tuple[int | str | None, ...] | None = None


@dataclass
class Graph:
    name: str = ""
    nodes: list[Node] = field(default_factory=list)
    initializers: dict[str, Tensor] = field(default_factory=dict)
    inputs: list[ValueInfo] = field(default_factory=list)
    outputs: list[ValueInfo] = field(default_factory=list)
    value_info: list[ValueInfo] = field(default_factory=list)
    doc_string: str = ""
    sparse_initializer_count: int = 0


@dataclass
class Model:
    ir_version: int = 0
    opset_import: dict[str, int] = field(default_factory=dict)
    producer_name: str = ""
    producer_version: str = ""
    domain: str = ""
    model_version: int = 0
    doc_string: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    graph: Graph = field(default_factory=Graph)


# -- attribute helpers -------------------------------------------------------------


def ints_attr(node: Node, name: str, n: int, default: int) -> tuple[int, ...]:
    value = node.attr(name)
    if value is None:
        return (default,) * n
    if not isinstance(value, list) or len(value) != n:
        raise ValueError(f"{node.label}: attribute '{name}' must have {n} integers, got {value!r}")
    return tuple(int(v) for v in value)


def pads_attr(
    node: Node, size: tuple[int, int], kernel: tuple[int, int], strides: tuple[int, int]
) -> tuple[int, int, int, int]:
    """A Conv or pooling node's pads (top, left, bottom, right) from ``pads`` or
    ``auto_pad`` (SAME_UPPER/SAME_LOWER: ``ceil(size / stride)`` outputs)."""
    auto = node.attr("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else str(auto)
    if auto == "NOTSET":
        pads = ints_attr(node, "pads", 4, 0)
        if any(p < 0 for p in pads):
            raise ValueError(f"{node.label}: negative pads {list(pads)}")
        return pads
    if auto == "VALID":
        return (0, 0, 0, 0)
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        begin, end = [], []
        for s, k, st in zip(size, kernel, strides, strict=True):
            out = -(-s // st)
            total = max((out - 1) * st + k - s, 0)
            small, big = total // 2, total - total // 2
            if auto == "SAME_UPPER":
                begin.append(small)
                end.append(big)
            else:
                begin.append(big)
                end.append(small)
        return (begin[0], begin[1], end[0], end[1])
    raise ValueError(f"{node.label}: unsupported auto_pad {auto!r}")


# -- shape arithmetic ----------------------------------------------------------------

# shape arithmetic, and Identity of a constant (torch aliases weights this way)
SHAPE_OPS = {"Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast", "Identity"}


def _axes(node: Node, consts: dict) -> list[int] | None:
    """``axes`` of Unsqueeze/Squeeze: the attribute (opset < 13) or the second input."""
    axes = node.attr("axes")
    if axes is None and len(node.inputs) > 1 and node.inputs[1] in consts:
        axes = np.asarray(consts[node.inputs[1]]).reshape(-1)
    return None if axes is None else [int(a) for a in axes]


def fold_shape_node(node: Node, consts: dict, current: str, dims: list[int]) -> bool:
    """Evaluate one node of integer shape arithmetic into ``consts`` (what torch writes
    for ``x.view(x.size(0), -1)``): ``Shape`` of the current tensor (whose ONNX shape is
    ``dims``, batch 1), and ``Gather``, ``Unsqueeze``, ``Squeeze``, ``Concat``, ``Cast``
    and ``Identity`` of constants. Returns ``False`` (and changes nothing) for anything else."""
    op, ins = node.op_type, node.inputs
    if not ins or len(node.outputs) != 1:
        return False
    if op == "Shape":
        if ins[0] != current:
            return False
        value = np.asarray(dims, np.int64)[node.attr("start", 0) : node.attr("end", len(dims))]
    elif not all(name in consts for name in ins if name):
        return False
    elif op == "Gather":
        data, index = np.asarray(consts[ins[0]]), np.asarray(consts[ins[1]])
        value = np.take(data, index.astype(np.int64), axis=int(node.attr("axis", 0)))
    elif op == "Unsqueeze":
        value, axes = np.asarray(consts[ins[0]]), _axes(node, consts)
        if axes is None:
            return False
        rank = value.ndim + len(axes)
        for a in sorted(a % rank for a in axes):
            value = np.expand_dims(value, a)
    elif op == "Squeeze":
        data, axes = np.asarray(consts[ins[0]]), _axes(node, consts)
        rank = max(data.ndim, 1)
        value = np.squeeze(data, axis=None if axes is None else tuple(a % rank for a in axes))
    elif op == "Identity":
        value = consts[ins[0]]
    elif op == "Concat":
        parts = [np.asarray(consts[name]).reshape(-1) for name in ins]
        value = np.concatenate(parts, axis=0)
    else:  # Cast
        to = int(node.attr("to", 7))
        value = np.asarray(consts[ins[0]]).astype(np.float32 if to == 1 else np.int64)
    consts[node.outputs[0]] = np.asarray(value)
    return True
