"""What every layer kind shares: the :class:`Layer` record, size rules and work buffers.

Images are held channel-major, ``(C, H, W)`` contiguous float32, whatever the ONNX
layout; vectors are ``(N,)``. Work buffers live in ``layer._work`` and are reused
between forward passes; a backward pass allocates its own arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "IMAGE_KINDS",
    "Layer",
    "MAX_ACTIVATION_ELEMENTS",
    "buffer",
    "check_size",
    "pad",
    "padded_zeros",
    "pooled_size",
    "softmax",
    "spans",
    "unpad",
]

MAX_ACTIVATION_ELEMENTS = 1 << 24  # one activation or work buffer: 64 MiB of float32

# kinds with a sliding window (kernel_size, strides, pads)
IMAGE_KINDS = ("conv", "maxpool", "avgpool")


@dataclass
class Layer:
    """One layer of the network.

    ``kind`` is one of ``conv``, ``relu``, ``leaky_relu``, ``sigmoid``, ``tanh``,
    ``maxpool``, ``avgpool``, ``global_avgpool``, ``batchnorm``, ``flatten``,
    ``dense``, ``softmax``, ``log_softmax``. ``shape`` is the output shape without the
    batch axis, ``(H, W, C)`` for images and ``(N,)`` for vectors; ``input_shape``
    likewise. ``axes`` says which image axis each of the ONNX tensor's axes 1..3 holds
    (``('C', 'H', 'W')`` for NCHW), ``None`` for vectors. Parameters (float32):
    ``kernel`` in HWIO ``(KH, KW, C_in, C_out)`` for conv, ``(K, N)`` for dense, the
    per-channel multiplier ``(C,)`` for batchnorm; ``bias`` ``(C_out,)``, ``(N,)`` or
    ``(C,)``. ``pads`` are (top, left, bottom, right). ``alpha`` is LeakyRelu's slope;
    ``count_include_pad`` whether an average pool divides by padded cells too.
    ``grads`` holds the parameter gradients of the last backward pass.
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
    alpha: float = 0.01
    count_include_pad: bool = False
    macs: int = 0
    grads: dict = field(default_factory=dict, repr=False)
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
        if self.kind in IMAGE_KINDS:
            info["kernel_size"] = list(self.kernel_size)
            info["strides"] = list(self.strides)
            info["pads"] = list(self.pads)
        if self.kernel is not None:
            info["params"] = {"kernel": list(self.kernel.shape), "bias": list(self.bias.shape)}
        if self.kind == "dense":
            info["activation"] = self.activation or "linear"
        if self.kind == "leaky_relu":
            info["alpha"] = self.alpha
        return info


def check_size(what: str, shape: tuple[int, ...]) -> int:
    """The number of values of ``shape``; ``ValueError`` past :data:`MAX_ACTIVATION_ELEMENTS`."""
    n = math.prod(shape)
    if n > MAX_ACTIVATION_ELEMENTS:
        raise ValueError(
            f"{what} would have shape {list(shape)} ({n} values); the limit is "
            f"{MAX_ACTIVATION_ELEMENTS} values per tensor"
        )
    return n


def pooled_size(
    size: tuple[int, int],
    kernel: tuple[int, int],
    strides: tuple[int, int],
    pads: tuple[int, int, int, int],
) -> tuple[int, int]:
    """``(H_out, W_out)`` of a convolution or pooling window sliding over ``size``:
    ``(H + p_top + p_bottom - K_H) // s_h + 1`` and the same for W (the caller has
    checked that the kernel fits the padded input)."""
    (h, w), (kh, kw), (sh, sw) = size, kernel, strides
    hp, wp = h + pads[0] + pads[2], w + pads[1] + pads[3]
    return (hp - kh) // sh + 1, (wp - kw) // sw + 1


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis in float32 (max subtracted first)."""
    z = np.asarray(z, dtype=np.float32)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def buffer(layer: Layer, key: str, shape: tuple[int, ...], fill: float | None = None):
    """The work buffer ``key`` of ``layer`` with ``shape`` (made once, then reused)."""
    buf = layer._work.get(key)
    if buf is None or buf.shape != shape:
        buf = np.empty(shape, np.float32) if fill is None else np.full(shape, fill, np.float32)
        layer._work[key] = buf
    return buf


def pad(layer: Layer, x: np.ndarray, fill: float) -> np.ndarray:
    """``(C, H, W)`` ``x`` inside ``layer.pads`` of ``fill`` (a reused buffer), or ``x``."""
    pt, pl, pb, pr = layer.pads
    if not (pt or pl or pb or pr):
        return x
    c, h, w = x.shape
    buf = buffer(layer, "padded", (c, h + pt + pb, w + pl + pr), fill)
    buf[:, pt : pt + h, pl : pl + w] = x
    return buf


def padded_zeros(layer: Layer, c: int, h: int, w: int) -> np.ndarray:
    """A new float32 zero array of the padded input's size (for a backward pass)."""
    pt, pl, pb, pr = layer.pads
    return np.zeros((c, h + pt + pb, w + pl + pr), np.float32)


def unpad(layer: Layer, dxp: np.ndarray) -> np.ndarray:
    """The gradient of the unpadded input from that of the padded one (padding dropped)."""
    pt, pl, pb, pr = layer.pads
    h, w = dxp.shape[1] - pt - pb, dxp.shape[2] - pl - pr
    return np.ascontiguousarray(dxp[:, pt : pt + h, pl : pl + w])


def spans(layer: Layer) -> tuple[int, int]:
    """Rows and columns of the (padded) input that one kernel offset's strided slice spans."""
    ho, wo = layer.shape[0], layer.shape[1]
    sh, sw = layer.strides
    return sh * (ho - 1) + 1, sw * (wo - 1) + 1
