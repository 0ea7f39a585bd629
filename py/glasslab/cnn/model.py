"""A sequential CNN read from an ONNX file, with a pure-NumPy float32 forward pass.

:class:`SequentialCNN` builds its layer list from the ONNX graph (through
:mod:`glasslab.cnn.onnx_reader`, so no ``onnx`` package is needed) and computes every
layer's activation for one image. Supported graphs are chains of:

* ``Conv`` (2-D, any kernel size, strides, pads or auto_pad, group 1, dilation 1,
  optional bias),
* ``Relu``, ``MaxPool`` (2-D, any kernel/stride/pads, dilation 1),
* ``Flatten`` or ``Reshape`` to a ``(1, N)`` vector,
* ``Gemm`` or ``MatMul`` (+ ``Add``) with constant weights, ``Softmax`` on a vector,
* ``Transpose`` (layout changes, e.g. an NHWC input feeding NCHW convolutions),
  ``Identity`` and ``Dropout`` (inference: no-op), ``Constant``.

Layers and their names: each Conv, Relu, MaxPool, Flatten/Reshape, dense
(Gemm or MatMul[+Add]) and Softmax node makes one layer named after its output
tensor. A dense layer directly followed by a Softmax is one layer with
``activation='softmax'`` named after the Softmax output (Keras' ``Dense(...,
activation='softmax')``); its logits are recomputed by :mod:`glasslab.cnn.explain`.
Transpose/Identity/Dropout only relabel the tensor and make no layer.

Layouts: images are handled as ``(H, W, C)`` float32 arrays whatever the ONNX
layout; activations of image-shaped layers are returned as ``(H, W, C)`` and
vectors as ``(N,)``, without the batch axis. The model input may be NCHW or NHWC
(or any other order that the graph's Transposes turn into NCHW for its first
Conv/MaxPool); :attr:`SequentialCNN.input_layout` tells which. Flatten/Reshape use
the element order of the ONNX tensor they read, so the result equals the ONNX
tensor.

Hostile or unsupported files raise ``ValueError`` naming the operator, node or
tensor; sizes are checked before anything is allocated (see the ``MAX_*``
limits).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from glasslab.cnn.onnx_reader import Graph, Model, Node, OnnxFormatError, read_model

__all__ = [
    "Layer",
    "SequentialCNN",
    "load",
    "softmax",
    "MAX_ACTIVATION_ELEMENTS",
    "MAX_TOTAL_ELEMENTS",
    "MAX_MACS",
    "MAX_MODEL_BYTES",
]

MAX_MODEL_BYTES = 256 * 1024 * 1024  # an ONNX file larger than this is refused
MAX_ACTIVATION_ELEMENTS = 1 << 24  # one activation or work buffer: 64 MiB of float32
MAX_TOTAL_ELEMENTS = 1 << 26  # all activations and buffers of a forward pass: 256 MiB
MAX_MACS = 1 << 32  # multiply-accumulates of one forward pass
MAX_LAYERS = 1000

# A convolution uses one im2col buffer of all kernel taps (one matmul) up to this
# many values, else one buffer per kernel row (one matmul per row).
FULL_IM2COL_MAX = 1 << 22

_PASS_THROUGH = {"Identity", "Dropout"}
_SPATIAL = ("C", "H", "W")  # the ONNX image layout after the batch axis


@dataclass
class Layer:
    """One layer of the network.

    ``kind`` is one of ``conv``, ``relu``, ``maxpool``, ``flatten``, ``dense``,
    ``softmax``. ``shape`` is the output shape without the batch axis, ``(H, W, C)``
    for images and ``(N,)`` for vectors; ``input_shape`` likewise. ``axes`` says
    which image axis each of the ONNX tensor's axes 1..3 holds (``('C', 'H', 'W')``
    for NCHW), ``None`` for vectors. Parameters (float32): ``kernel`` in HWIO
    ``(KH, KW, C_in, C_out)`` for conv, ``(K, N)`` for dense; ``bias`` ``(C_out,)``
    or ``(N,)``. ``pads`` are (top, left, bottom, right).
    """

    name: str
    kind: str
    op_type: str
    node: str
    input: str
    input_shape: tuple[int, ...]
    shape: tuple[int, ...]
    axes: tuple[str, str, str] | None = None
    kernel: np.ndarray | None = None
    bias: np.ndarray | None = None
    kernel_size: tuple[int, int] | None = None
    strides: tuple[int, int] = (1, 1)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)
    activation: str | None = None
    flatten_order: tuple[int, int, int] | None = None
    nonneg_input: bool = False
    macs: int = 0
    _work: dict = field(default_factory=dict, repr=False)

    def describe(self) -> dict:
        """JSON-friendly metadata: name, type, shapes, hyper-parameters."""
        info: dict = {
            "name": self.name,
            "type": self.kind,
            "op": self.op_type,
            "input_shape": list(self.input_shape),
            "shape": list(self.shape),
        }
        if self.kind in ("conv", "maxpool"):
            info["kernel_size"] = list(self.kernel_size)
            info["strides"] = list(self.strides)
            info["pads"] = list(self.pads)
        if self.kernel is not None:
            info["params"] = {"kernel": list(self.kernel.shape), "bias": list(self.bias.shape)}
        if self.kind == "dense":
            info["activation"] = self.activation or "linear"
        return info


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis in float32 (max subtracted first)."""
    z = np.asarray(z, dtype=np.float32)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _err(message: str) -> ValueError:
    return ValueError(message)


def _ints_attr(node: Node, name: str, n: int, default: int) -> tuple[int, ...]:
    value = node.attr(name)
    if value is None:
        return (default,) * n
    if not isinstance(value, list) or len(value) != n:
        raise _err(f"{node.label}: attribute '{name}' must have {n} integers, got {value!r}")
    return tuple(int(v) for v in value)


def _auto_pads(
    node: Node, size: tuple[int, int], kernel: tuple[int, int], strides: tuple[int, int]
) -> tuple[int, int, int, int]:
    """pads (top, left, bottom, right) from ``pads`` or ``auto_pad``."""
    auto = node.attr("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else str(auto)
    if auto == "NOTSET":
        pads = _ints_attr(node, "pads", 4, 0)
        if any(p < 0 for p in pads):
            raise _err(f"{node.label}: negative pads {list(pads)}")
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
    raise _err(f"{node.label}: unsupported auto_pad {auto!r}")


def _check_size(what: str, shape: tuple[int, ...]) -> int:
    n = math.prod(shape)
    if n > MAX_ACTIVATION_ELEMENTS:
        raise _err(
            f"{what} would have shape {list(shape)} ({n} values); the limit is "
            f"{MAX_ACTIVATION_ELEMENTS} values per tensor"
        )
    return n


class SequentialCNN:
    """A sequential CNN from an ONNX file; :meth:`forward` returns every activation.

    Build with :meth:`from_bytes`, :meth:`from_file` or :func:`load`. Attributes:
    ``layers`` (list of :class:`Layer`), ``input_name``, ``input_layout`` (e.g.
    ``"NCHW"`` or ``"NHWC"``), ``input_shape`` ``(H, W, C)``, ``labels`` (from the
    model's ``labels`` metadata, else ``class 0``, ``class 1``, ...),
    ``output_names`` (the ONNX graph outputs). Work buffers are reused between
    calls, so one instance must not run two forward passes at the same time.
    """

    def __init__(self, model: Model):
        self.onnx = model
        self.metadata = dict(model.metadata)
        graph = model.graph
        self.output_names = [o.name for o in graph.outputs]
        opset = model.opset_import.get("", model.opset_import.get("ai.onnx", 13))
        try:
            self._build(graph, opset)
        except ValueError:
            raise
        except (TypeError, AttributeError, IndexError, KeyError, OverflowError) as exc:
            # e.g. an attribute of the wrong type in a hand-made or corrupted file
            raise ValueError(
                f"malformed or unsupported model ({type(exc).__name__}: {exc})"
            ) from exc
        self.labels = self._labels()

    # -- construction -------------------------------------------------------------

    @classmethod
    def from_bytes(cls, data: bytes) -> SequentialCNN:
        """Parse an ONNX model from bytes."""
        if len(data) > MAX_MODEL_BYTES:
            raise ValueError(
                f"the model file is {len(data)} bytes; the limit is {MAX_MODEL_BYTES} bytes"
            )
        try:
            model = read_model(data)
        except OnnxFormatError:
            raise
        except (IndexError, OverflowError, TypeError) as exc:  # pragma: no cover - defensive
            raise OnnxFormatError(f"malformed ONNX file: {exc}") from exc
        return cls(model)

    @classmethod
    def from_file(cls, path: str | Path) -> SequentialCNN:
        path = Path(path)
        size = path.stat().st_size
        if size > MAX_MODEL_BYTES:
            raise ValueError(f"{path} is {size} bytes; the limit is {MAX_MODEL_BYTES} bytes")
        return cls.from_bytes(path.read_bytes())

    def _labels(self) -> list[str]:
        n = self.layers[-1].shape[0]
        text = self.metadata.get("labels")
        if text:
            try:
                labels = json.loads(text)
            except ValueError:
                labels = None
            if isinstance(labels, list) and len(labels) == n:
                return [str(v) for v in labels]
        return [f"class {i}" for i in range(n)]

    def _build(self, graph: Graph, opset: int) -> None:
        if graph.sparse_initializer_count:
            raise _err("sparse initializers are not supported")
        consts = {name: t.array for name, t in graph.initializers.items()}
        self._consts_ref = consts
        inputs = [v for v in graph.inputs if v.name not in consts]
        if len(inputs) != 1:
            names = [v.name for v in inputs]
            raise _err(f"the model must have exactly one input, it has {len(inputs)}: {names}")
        inp = inputs[0]
        self.input_name = inp.name
        if inp.elem_type not in (None, 1):
            raise _err(f"input '{inp.name}' must be float32 (ONNX type {inp.elem_type})")
        if inp.shape is None or len(inp.shape) != 4:
            raise _err(
                f"input '{inp.name}' must be a 4-D image tensor (N, C, H, W) or (N, H, W, C), "
                f"got shape {None if inp.shape is None else list(inp.shape)}"
            )
        dims = inp.shape[1:]
        if not all(isinstance(d, int) and d > 0 for d in dims):
            raise _err(f"input '{inp.name}' needs fixed positive sizes, got {list(inp.shape)}")
        if isinstance(inp.shape[0], int) and inp.shape[0] not in (1, -1, 0):
            raise _err(f"input '{inp.name}' has batch size {inp.shape[0]}; use 1 or a symbol")
        if len(graph.nodes) > MAX_LAYERS:
            raise _err(f"the graph has {len(graph.nodes)} nodes; the limit is {MAX_LAYERS}")

        # Which ONNX input axis holds C, H and W: follow the Transposes up to the first
        # Conv/MaxPool (which need NCHW).
        positions = self._input_axes(graph.nodes, inp.name, dims)
        self.input_layout = "N" + "".join(_SPATIAL[positions.index(a)] for a in (1, 2, 3))
        h = dims[positions[1] - 1]
        w = dims[positions[2] - 1]
        c = dims[positions[0] - 1]
        self.input_shape = (h, w, c)
        _check_size(f"input '{inp.name}'", self.input_shape)
        self._input_onnx_perm = tuple("HWC".index(self.input_layout[i]) for i in (1, 2, 3))

        layers: list[Layer] = []
        current = inp.name
        shape: tuple[int, ...] = self.input_shape
        axes: tuple[str, str, str] | None = tuple(self.input_layout[1:])  # type: ignore
        nonneg = False
        total = _check_size("the input", shape)
        macs = 0
        nodes = graph.nodes
        i = 0
        while i < len(nodes):
            node = nodes[i]
            i += 1
            op = node.op_type
            if node.domain not in ("", "ai.onnx"):
                raise _err(f"unsupported ONNX operator '{node.domain}.{op}' ({node.label})")
            if op == "Constant":
                value = node.attr("value")
                if not isinstance(value, np.ndarray) or len(node.outputs) != 1:
                    raise _err(f"{node.label}: only tensor-valued Constant nodes are supported")
                consts[node.outputs[0]] = value
                continue
            if not node.inputs or not node.outputs:
                raise _err(f"{node.label} ({op}) has no input or no output")
            if node.inputs[0] != current:
                if op not in _KNOWN_OPS:
                    raise _err(f"unsupported ONNX operator '{op}' ({node.label})")
                raise _err(
                    f"not a sequential model: {node.label} ({op}) reads '{node.inputs[0]}' "
                    f"but the previous layer produced '{current}'"
                )
            out = node.outputs[0]
            label = f"{node.label} ({op})"

            def const(index: int, what: str, node=node, label=label) -> np.ndarray | None:
                if index >= len(node.inputs) or node.inputs[index] == "":
                    return None
                name = node.inputs[index]
                if name not in consts:
                    raise _err(f"{label}: {what} '{name}' must be a constant initializer")
                return consts[name]

            if op in _PASS_THROUGH:
                current = out
                continue
            if op == "Transpose":
                perm = node.attr("perm")
                rank = 4 if axes is not None else 2
                perm = list(range(rank))[::-1] if perm is None else [int(p) for p in perm]
                if sorted(perm) != list(range(rank)) or perm[0] != 0:
                    raise _err(f"{label}: unsupported perm {perm} (the batch axis must stay first)")
                if axes is not None:
                    axes = tuple(axes[p - 1] for p in perm[1:])  # type: ignore
                current = out
                continue

            layer = Layer(
                name=out,
                kind="",
                op_type=op,
                node=node.name,
                input=current,
                input_shape=shape,
                shape=shape,
                axes=axes,
                nonneg_input=nonneg,
            )
            if op == "Conv":
                self._conv(layer, node, label, axes, const)
                nonneg = False
            elif op == "Relu":
                layer.kind = "relu"
                nonneg = True
            elif op == "MaxPool":
                self._maxpool(layer, node, label, axes)
            elif op in ("Flatten", "Reshape"):
                self._flatten(layer, node, label, axes, const)
                axes = None
            elif op in ("Gemm", "MatMul"):
                if axes is not None:
                    raise _err(f"{label}: expects a vector; flatten the image first")
                consumed = self._dense(layer, node, label, const, nodes, i)
                i += consumed
                if (
                    i < len(nodes)
                    and nodes[i].op_type == "Softmax"
                    and nodes[i].inputs[:1] == [layer.name]
                ):
                    self._softmax_axis(nodes[i], opset)
                    layer.activation = "softmax"
                    layer.name = nodes[i].outputs[0]
                    layer.node = nodes[i].name or layer.node
                    i += 1
                nonneg = False
            elif op == "Softmax":
                if axes is not None:
                    raise _err(f"{label}: softmax is only supported on a vector")
                self._softmax_axis(node, opset)
                layer.kind = "softmax"
                nonneg = True
            else:
                raise _err(f"unsupported ONNX operator '{op}' ({node.label})")
            shape = layer.shape
            total += _check_size(f"the output of {label}", shape) + layer._work.get("elements", 0)
            macs += layer.macs
            if total > MAX_TOTAL_ELEMENTS:
                raise _err(
                    f"the activations up to {label} need {total} values; the limit is "
                    f"{MAX_TOTAL_ELEMENTS}"
                )
            if macs > MAX_MACS:
                raise _err(
                    f"the model needs more than {MAX_MACS} multiply-adds per image (at {label})"
                )
            layers.append(layer)
            current = layer.name
        if not layers:
            raise _err("the graph has no layers")
        if len(shape) != 1:
            raise _err(
                f"the model must end in a vector of class scores, its last layer "
                f"'{layers[-1].name}' has shape {list(shape)}"
            )
        names = [la.name for la in layers]
        if len(set(names)) != len(names):
            raise _err("two layers have the same output name")
        self.layers = layers
        self.macs = macs
        self._by_name = {la.name: la for la in layers}

    @staticmethod
    def _input_axes(nodes: list[Node], name: str, dims) -> tuple[int, int, int]:
        """ONNX input axis (1..3) of C, H and W."""
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
            elif node.op_type not in _PASS_THROUGH and node.op_type != "Relu":
                break
            current = node.outputs[0]
        # No convolution before the image is flattened: guess from the sizes.
        if dims[2] in (1, 3, 4) and dims[0] not in (1, 3, 4):
            return (3, 1, 2)  # NHWC
        return (1, 2, 3)  # NCHW

    def _conv(self, layer: Layer, node: Node, label: str, axes, const) -> None:
        if axes != _SPATIAL:
            raise _err(f"{label}: expects an NCHW image, got a tensor with axes {axes}")
        weight = const(1, "weight")
        bias = const(2, "bias")
        if weight is None or weight.ndim != 4:
            raise _err(f"{label}: weight must be a 4-D constant (O, C, KH, KW)")
        cout, cin, kh, kw = (int(d) for d in weight.shape)
        h, w, c = layer.input_shape
        if int(node.attr("group", 1)) != 1:
            raise _err(
                f"{label}: grouped convolution (group={node.attr('group')}) is not supported"
            )
        if _ints_attr(node, "dilations", 2, 1) != (1, 1):
            raise _err(f"{label}: dilated convolution is not supported")
        if cin != c:
            raise _err(f"{label}: weight expects {cin} input channels, the input has {c}")
        if min(cout, kh, kw) < 1:
            raise _err(f"{label}: empty weight {list(weight.shape)}")
        ks = node.attr("kernel_shape")
        if ks is not None and tuple(int(k) for k in ks) != (kh, kw):
            raise _err(f"{label}: kernel_shape {ks} does not match the weight {[kh, kw]}")
        strides = _ints_attr(node, "strides", 2, 1)
        if min(strides) < 1:
            raise _err(f"{label}: strides must be positive, got {list(strides)}")
        pads = _auto_pads(node, (h, w), (kh, kw), strides)
        hp, wp = h + pads[0] + pads[2], w + pads[1] + pads[3]
        if hp < kh or wp < kw:
            raise _err(f"{label}: kernel {kh}x{kw} is larger than its padded input {hp}x{wp}")
        ho, wo = (hp - kh) // strides[0] + 1, (wp - kw) // strides[1] + 1
        if bias is not None and bias.shape != (cout,):
            raise _err(f"{label}: bias has shape {list(bias.shape)}, expected [{cout}]")
        layer.kind = "conv"
        layer.shape = (ho, wo, cout)
        _check_size(f"the output of {label}", layer.shape)
        layer.kernel = np.ascontiguousarray(
            np.asarray(weight, dtype=np.float32).transpose(2, 3, 1, 0)
        )
        layer.bias = (
            np.zeros(cout, np.float32)
            if bias is None
            else np.asarray(bias, dtype=np.float32).copy()
        )
        layer.kernel_size = (kh, kw)
        layer.strides = strides
        layer.pads = pads
        layer.macs = ho * wo * cout * kh * kw * c
        full = ho * wo * kh * kw * c <= FULL_IM2COL_MAX
        cols = ho * wo * kh * kw * c if full else ho * wo * kw * c
        padded = hp * wp * c if any(pads) else 0
        elements = _check_size(f"the work buffer of {label}", (cols,)) + padded
        elements += 0 if full else ho * wo * cout
        layer._work = {"elements": elements, "full": full}

    def _maxpool(self, layer: Layer, node: Node, label: str, axes) -> None:
        if axes != _SPATIAL:
            raise _err(f"{label}: expects an NCHW image, got a tensor with axes {axes}")
        ks = node.attr("kernel_shape")
        if not isinstance(ks, list) or len(ks) != 2:
            raise _err(f"{label}: only 2-D pooling is supported (kernel_shape {ks})")
        kh, kw = (int(k) for k in ks)
        strides = _ints_attr(node, "strides", 2, 1)
        if min(kh, kw, *strides) < 1:
            raise _err(f"{label}: kernel and strides must be positive")
        if _ints_attr(node, "dilations", 2, 1) != (1, 1):
            raise _err(f"{label}: dilated pooling is not supported")
        h, w, c = layer.input_shape
        pads = _auto_pads(node, (h, w), (kh, kw), strides)
        if pads[0] >= kh or pads[2] >= kh or pads[1] >= kw or pads[3] >= kw:
            raise _err(f"{label}: pads {list(pads)} must be smaller than the kernel")
        hp, wp = h + pads[0] + pads[2], w + pads[1] + pads[3]
        if hp < kh or wp < kw:
            raise _err(f"{label}: kernel {kh}x{kw} is larger than its padded input {hp}x{wp}")
        if int(node.attr("ceil_mode", 0)) and ((hp - kh) % strides[0] or (wp - kw) % strides[1]):
            raise _err(f"{label}: ceil_mode=1 with a partial last window is not supported")
        layer.kind = "maxpool"
        layer.kernel_size = (kh, kw)
        layer.strides = strides
        layer.pads = pads
        layer.shape = ((hp - kh) // strides[0] + 1, (wp - kw) // strides[1] + 1, c)
        layer._work = {"elements": hp * wp * c if any(pads) else 0}

    def _flatten(self, layer: Layer, node: Node, label: str, axes, const) -> None:
        n = math.prod(layer.input_shape)
        rank = 4 if axes is not None else 2
        if node.op_type == "Flatten":
            axis = int(node.attr("axis", 1))
            if axis < 0:
                axis += rank
            if axis not in (0, 1):
                raise _err(f"{label}: only axis=1 (keep the batch axis) is supported, got {axis}")
        else:
            target = const(1, "shape")
            if target is None:
                raise _err(f"{label}: the target shape must be a constant")
            target = [int(v) for v in np.asarray(target).reshape(-1)]
            allowed = ([1, n], [1, -1], [-1, n], [0, -1], [0, n])
            if target not in allowed or (int(node.attr("allowzero", 0)) and 0 in target):
                raise _err(
                    f"{label}: only reshapes to a (1, {n}) vector are supported, got {target}"
                )
        layer.kind = "flatten"
        layer.shape = (n,)
        if axes is not None:  # ONNX element order, from the (C, H, W) arrays
            layer.flatten_order = tuple("CHW".index(a) for a in axes)  # type: ignore
        layer.axes = axes

    def _dense(self, layer: Layer, node: Node, label: str, const, nodes, i) -> int:
        (k,) = layer.input_shape
        consumed = 0
        if node.op_type == "Gemm":
            if int(node.attr("transA", 0)):
                raise _err(f"{label}: transA=1 is not supported")
            weight = const(1, "B")
            bias = const(2, "C")
            if weight is None or weight.ndim != 2:
                raise _err(f"{label}: B must be a 2-D constant")
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
            weight = const(1, "B")
            if weight is None or weight.ndim != 2:
                raise _err(f"{label}: B must be a 2-D constant")
            weight = np.asarray(weight, dtype=np.float32)
            bias = None
            if i < len(nodes) and nodes[i].op_type == "Add" and layer.name in nodes[i].inputs:
                add = nodes[i]
                other = [x for x in add.inputs if x != layer.name]
                if len(add.inputs) != 2 or len(other) != 1 or other[0] not in self._consts_ref:
                    raise _err(f"{add.label} (Add): the bias must be a constant initializer")
                bias = self._consts_ref[other[0]]
                layer.name = add.outputs[0]
                layer.op_type = "MatMul+Add"
                consumed = 1
        if weight.shape[0] != k:
            raise _err(
                f"{label}: weight has shape {list(weight.shape)} but the input has {k} values"
            )
        n = int(weight.shape[1])
        if n < 1:
            raise _err(f"{label}: the layer has no outputs")
        if bias is None:
            bias = np.zeros(n, np.float32)
        bias = np.asarray(bias, dtype=np.float32)
        if bias.size == 1:
            bias = np.full(n, bias.reshape(-1)[0], np.float32)
        elif bias.shape not in ((n,), (1, n)):
            raise _err(f"{label}: bias has shape {list(bias.shape)}, expected [{n}]")
        layer.kind = "dense"
        layer.kernel = np.ascontiguousarray(weight)
        layer.bias = bias.reshape(n).copy()
        layer.shape = (n,)
        layer.macs = k * n
        return consumed

    @staticmethod
    def _softmax_axis(node: Node, opset: int) -> None:
        axis = int(node.attr("axis", -1 if opset >= 13 else 1))
        if axis not in (1, -1):
            raise _err(f"{node.label} (Softmax): only the class axis (1 or -1) is supported")

    # -- running --------------------------------------------------------------------

    @property
    def layer_names(self) -> list[str]:
        return [la.name for la in self.layers]

    def layer(self, name: str) -> Layer:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no layer named {name!r}; layers: {self.layer_names}") from None

    def layer_index(self, name: str) -> int:
        return self.layer_names.index(self.layer(name).name)

    def describe(self) -> dict:
        """JSON-friendly description: input, labels and layers."""
        h, w, c = self.input_shape
        return {
            "input": {"name": self.input_name, "layout": self.input_layout, "shape": [h, w, c]},
            "labels": list(self.labels),
            "layers": [la.describe() for la in self.layers],
        }

    def to_onnx_input(self, image: np.ndarray) -> np.ndarray:
        """An ``(H, W, C)`` image as the ONNX input tensor (batch of one, model layout)."""
        x = self._check_image(image)
        return np.ascontiguousarray(x.transpose(self._input_onnx_perm))[None]

    def to_hwc(self, name: str, value: np.ndarray) -> np.ndarray:
        """An ONNX tensor of layer ``name`` (with batch axis) in this module's layout."""
        layer = self.layer(name)
        value = np.asarray(value)[0]
        if layer.axes is None or len(layer.shape) == 1:
            return value.reshape(-1)
        return value.transpose([layer.axes.index(a) for a in "HWC"])

    def _check_image(self, image: np.ndarray) -> np.ndarray:
        x = np.asarray(image)
        if x.shape != self.input_shape:
            raise ValueError(
                f"the model expects an image of shape {self.input_shape} (H, W, C), got {x.shape}"
            )
        return np.ascontiguousarray(x, dtype=np.float32)

    def forward(self, image: np.ndarray) -> dict[str, np.ndarray]:
        """Every layer's activation for one ``(H, W, C)`` float32 image, in layer order.

        Image-shaped activations are ``(H, W, C)`` (views of channel-major arrays, so
        ``act[:, :, ch]`` is contiguous), vectors are ``(N,)``.
        """
        x = np.ascontiguousarray(self._check_image(image).transpose(2, 0, 1))
        acts: dict[str, np.ndarray] = {}
        for layer in self.layers:
            x = _RUN[layer.kind](layer, x)
            acts[layer.name] = x.transpose(1, 2, 0) if x.ndim == 3 else x
        return acts

    def predict(self, image: np.ndarray) -> np.ndarray:
        """Class probabilities for one image (a softmax is applied if the model has none)."""
        acts = self.forward(image)
        return self.probabilities(acts)

    def probabilities(self, acts: dict[str, np.ndarray]) -> np.ndarray:
        last = self.layers[-1]
        out = acts[last.name]
        if last.kind == "softmax" or last.activation == "softmax":
            return out
        return softmax(out)


# -- layer implementations ----------------------------------------------------------
#
# Images are held channel-major, (C, H, W) contiguous float32, whatever the ONNX
# layout: a convolution is then one matmul  W (C_out, K) @ cols (K, H_out*W_out)
# whose result is already the next (C, H, W) array, im2col copies whole contiguous
# rows, and the bias is added along the fast axis. forward() hands out (H, W, C)
# views of these arrays.


def _buffer(layer: Layer, key: str, shape: tuple[int, ...], fill: float | None = None):
    buf = layer._work.get(key)
    if buf is None or buf.shape != shape:
        buf = np.empty(shape, np.float32) if fill is None else np.full(shape, fill, np.float32)
        layer._work[key] = buf
    return buf


def _pad(layer: Layer, x: np.ndarray, fill: float) -> np.ndarray:
    pt, pl, pb, pr = layer.pads
    if not (pt or pl or pb or pr):
        return x
    c, h, w = x.shape
    buf = _buffer(layer, "padded", (c, h + pt + pb, w + pl + pr), fill)
    buf[:, pt : pt + h, pl : pl + w] = x
    return buf


def _run_conv(layer: Layer, x: np.ndarray) -> np.ndarray:
    """Convolution as matmuls over an im2col buffer.

    Full im2col, (KH, KW, C, H_out, W_out), and one matmul when the buffer is small
    (always for TinyVGG); otherwise one kernel row at a time, (KW, C, H_out, W_out),
    with one matmul per kernel row accumulated into the output.
    """
    xp = _pad(layer, x, 0.0)
    kh, kw = layer.kernel_size
    sh, sw = layer.strides
    ho, wo, cout = layer.shape
    c = x.shape[0]
    n = ho * wo
    hspan, wspan = sh * (ho - 1) + 1, sw * (wo - 1) + 1
    work = layer._work
    if work["full"]:
        weights = work.get("w_full")
        if weights is None:  # (C_out, KH*KW*C), columns in (kh, kw, c) order
            weights = work["w_full"] = np.ascontiguousarray(
                layer.kernel.reshape(kh * kw * c, cout).T
            )
        cols = _buffer(layer, "cols", (kh, kw, c, ho, wo))
        for i in range(kh):
            rows = xp[:, i : i + hspan : sh]
            for j in range(kw):
                cols[i, j] = rows[:, :, j : j + wspan : sw]
        out = np.matmul(weights, cols.reshape(kh * kw * c, n))
    else:
        weights = work.get("w_rows")
        if weights is None:  # (KH, C_out, KW*C)
            weights = work["w_rows"] = np.ascontiguousarray(
                layer.kernel.reshape(kh, kw * c, cout).transpose(0, 2, 1)
            )
        cols = _buffer(layer, "cols", (kw, c, ho, wo))
        tmp = _buffer(layer, "tmp", (cout, n))
        out = None
        for i in range(kh):
            rows = xp[:, i : i + hspan : sh]
            for j in range(kw):
                cols[j] = rows[:, :, j : j + wspan : sw]
            if out is None:
                out = np.matmul(weights[i], cols.reshape(kw * c, n))
            else:
                np.matmul(weights[i], cols.reshape(kw * c, n), out=tmp)
                out += tmp
    out += layer.bias[:, None]
    return out.reshape(cout, ho, wo)


def _run_relu(layer: Layer, x: np.ndarray) -> np.ndarray:
    # max(x, 0) on the int32 view of the float32 bits: every negative float (sign bit
    # set) is a negative int32 and becomes +0.0, every other value is kept. It gives
    # exactly max(x, 0) for all non-NaN values and is several times faster than
    # np.maximum on floats in WebAssembly builds of NumPy.
    x = np.ascontiguousarray(x, dtype=np.float32)
    return np.maximum(x.view(np.int32), np.int32(0)).view(np.float32)


def _run_maxpool(layer: Layer, x: np.ndarray) -> np.ndarray:
    xp = _pad(layer, x, -np.inf)
    kh, kw = layer.kernel_size
    sh, sw = layer.strides
    ho, wo, _ = layer.shape
    if layer.nonneg_input:
        # Non-negative floats (and the -inf padding) compare like their int32 bits,
        # and integer maximum is much faster than float maximum in WebAssembly.
        xp = xp.view(np.int32)
    hspan, wspan = sh * (ho - 1) + 1, sw * (wo - 1) + 1
    out = None
    for i in range(kh):
        rows = xp[:, i : i + hspan : sh]
        for j in range(kw):
            win = rows[:, :, j : j + wspan : sw]
            out = win.copy() if out is None else np.maximum(out, win, out=out)
    return out.view(np.float32) if layer.nonneg_input else out


def _run_flatten(layer: Layer, x: np.ndarray) -> np.ndarray:
    order = layer.flatten_order
    if x.ndim == 1 or order == (0, 1, 2):
        return x.reshape(-1).copy()
    return np.ascontiguousarray(x.transpose(order)).reshape(-1)


def _run_dense(layer: Layer, x: np.ndarray) -> np.ndarray:
    z = np.matmul(x, layer.kernel)
    z += layer.bias
    return softmax(z) if layer.activation == "softmax" else z


def _run_softmax(layer: Layer, x: np.ndarray) -> np.ndarray:
    return softmax(x)


_RUN = {
    "conv": _run_conv,
    "relu": _run_relu,
    "maxpool": _run_maxpool,
    "flatten": _run_flatten,
    "dense": _run_dense,
    "softmax": _run_softmax,
}

_KNOWN_OPS = {
    "Conv",
    "Relu",
    "MaxPool",
    "Flatten",
    "Reshape",
    "Gemm",
    "MatMul",
    "Add",
    "Softmax",
    "Transpose",
    "Constant",
} | _PASS_THROUGH


def load(source: str | Path | bytes) -> SequentialCNN:
    """A :class:`SequentialCNN` from a path or from the bytes of an ONNX file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return SequentialCNN.from_bytes(bytes(source))
    return SequentialCNN.from_file(source)
