"""A sequential CNN read from an ONNX file, with a pure-NumPy float32 forward pass.

:class:`SequentialCNN` reads an ONNX file (:mod:`glasslab.cnn.onnx_reader`, so no
``onnx`` package is needed), compiles its graph to layers (:mod:`glasslab.cnn.from_onnx`)
and computes every layer's activation for one image (the kernels of
:mod:`glasslab.cnn.layers`) and, from the logits back, every gradient
(:meth:`SequentialCNN.gradients`). Supported graphs are chains of (what
``torch.onnx.export`` writes for a typical course CNN, opsets 11 to 17, with or without
a dynamic batch axis):

* ``Conv`` (2-D, any kernel size, strides, pads or auto_pad, group 1, dilation 1,
  optional bias), ``BatchNormalization`` (inference, on images or vectors),
* ``Relu``, ``LeakyRelu``, ``Sigmoid``, ``Tanh``,
* ``MaxPool``, ``AveragePool`` (2-D, any kernel/stride/pads, dilation 1),
  ``GlobalAveragePool``,
* ``Flatten`` or ``Reshape`` to a ``(1, N)`` vector (the shape a constant or torch's
  ``Shape``/``Gather``/``Unsqueeze``/``Concat`` arithmetic),
* ``Gemm`` or ``MatMul`` (+ ``Add``) with constant weights, ``Softmax`` or
  ``LogSoftmax`` on a vector, or neither (the output are then the logits),
* ``Transpose`` (layout changes, e.g. an NHWC input feeding NCHW convolutions),
  ``Identity`` and ``Dropout`` (inference: no-op), ``Constant``.

Layers and their names: each node but the relabelling ones makes one layer named
after its output tensor. A dense layer directly followed by a Softmax (LogSoftmax) is
one layer with ``activation='softmax'`` (``'log_softmax'``) named after that node's
output (Keras' ``Dense(..., activation='softmax')``); :meth:`SequentialCNN.logits`
recomputes its logits. Transpose/Identity/Dropout only relabel the tensor and make no
layer.

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
from dataclasses import replace
from pathlib import Path

import numpy as np

from glasslab.cnn import layers as kernels
from glasslab.cnn.from_onnx import MAX_MACS, MAX_TOTAL_ELEMENTS, compile_graph
from glasslab.cnn.layers import MAX_ACTIVATION_ELEMENTS, Layer, softmax
from glasslab.cnn.onnx_graph import Model
from glasslab.cnn.onnx_reader import OnnxFormatError, read_model

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

    def _build(self, graph, opset: int) -> None:
        compiled = compile_graph(graph, opset)
        self.input_name = compiled.input_name
        self.input_layout = compiled.input_layout
        self.input_shape = compiled.input_shape
        self._input_onnx_perm = compiled.input_onnx_perm
        self.layers = compiled.layers
        self.macs = compiled.macs
        self._by_name = {la.name: la for la in self.layers}

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
            x = kernels.forward(layer, x)
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
        if last.kind == "log_softmax" or last.activation == "log_softmax":
            return np.exp(out)
        return softmax(out)

    @property
    def output_kind(self) -> str:
        """What the model's last layer gives: ``softmax``, ``log_softmax`` or ``logits``
        (then the page applies softmax itself)."""
        last = self.layers[-1]
        kind = last.activation if last.kind == "dense" else last.kind
        return kind if kind in ("softmax", "log_softmax") else "logits"

    def logits_index(self) -> int:
        """Index of the layer whose output (before its own softmax) are the logits: the
        last layer, or the one before a final Softmax/LogSoftmax layer."""
        n = len(self.layers)
        if self.layers[-1].kind in ("softmax", "log_softmax") and n > 1:
            return n - 2
        return n - 1

    def logits(self, image: np.ndarray, acts: dict[str, np.ndarray]) -> np.ndarray:
        """The raw class scores ``z`` (float64): the input of the final softmax (for a
        dense layer with a softmax, ``x W + b`` recomputed), else the last output."""
        i = self.logits_index()
        layer = self.layers[i]
        if layer.kind == "dense" and layer.activation:
            x = self._input_of(i, image, acts)
            return x.astype(np.float64) @ layer.kernel.astype(np.float64) + layer.bias
        return np.asarray(acts[layer.name], np.float64).reshape(-1)

    def _input_of(self, i: int, image: np.ndarray, acts: dict[str, np.ndarray]) -> np.ndarray:
        """Layer ``i``'s input, channel-major (the image for the first layer)."""
        x = image if i == 0 else acts[self.layers[i - 1].name]
        return np.ascontiguousarray(np.asarray(x).transpose(2, 0, 1)) if x.ndim == 3 else x

    def gradients(self, image: np.ndarray, acts: dict[str, np.ndarray], d_logits) -> dict:
        """Backpropagation from the logits: the gradient of ``sum_k d_logits[k] z_k`` with
        respect to the output of every layer before the logits' one (keyed by layer name)
        and to the image (``"input"``), each in the layout of :meth:`forward` (``(H, W,
        C)`` or ``(N,)``). The logits' own softmax is skipped: the gradient starts at
        ``z``. One backward pass per layer, in reverse order (``layers.backward``)."""
        i = self.logits_index()
        head = self.layers[i]
        if head.kind == "dense" and head.activation:
            head = replace(head, activation=None, grads={})
        g = np.asarray(d_logits, np.float32).reshape(-1)
        out: dict[str, np.ndarray] = {}
        for j in range(i, -1, -1):
            layer = head if j == i else self.layers[j]
            x, y = self._input_of(j, image, acts), self._input_of(j + 1, image, acts)
            g = np.asarray(kernels.backward(layer, x, y, g), np.float32)
            name = "input" if j == 0 else self.layers[j - 1].name
            out[name] = g.transpose(1, 2, 0) if g.ndim == 3 else g
        return out


def load(source: str | Path | bytes) -> SequentialCNN:
    """A :class:`SequentialCNN` from a path or from the bytes of an ONNX file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return SequentialCNN.from_bytes(bytes(source))
    return SequentialCNN.from_file(source)
