"""The layers of a sequential CNN: for each kind its shape rule and its forward pass.

Images are held channel-major, ``(C, H, W)`` contiguous float32, whatever the ONNX
layout; vectors are ``(N,)``. With input ``x`` and output ``y``:

* ``conv``: ``y[o, i, j] = b[o] + sum_{c, u, v} W[u, v, c, o] x[c, s_h i + u, s_w j + v]``
  on the zero-padded input; ``H_out = (H + p_top + p_bottom - K_H) // s_h + 1`` (the
  same for W). Computed as one matmul ``W (C_out, K) @ cols (K, H_out W_out)`` over an
  im2col buffer, whose result is already the next ``(C, H, W)`` array.
* ``relu``: ``y = max(x, 0)``, same shape.
* ``maxpool``: ``y[c, i, j] = max_{u, v} x[c, s_h i + u, s_w j + v]`` on the
  ``-inf``-padded input; the output size as for ``conv``, channels unchanged.
* ``flatten``: ``y = vec(x)`` in the element order of the ONNX tensor, ``N = C H W``.
* ``dense``: ``z = x W + b`` with ``W`` ``(K, N)``; ``y = softmax(z)`` when the layer
  has ``activation='softmax'``, else ``y = z``.
* ``softmax``: ``y_k = exp(x_k - max x) / sum_j exp(x_j - max x)``.

:data:`FORWARD` maps each kind to its forward function ``(layer, x) -> y``; work
buffers live in ``layer._work`` and are reused between calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "FORWARD",
    "Layer",
    "MAX_ACTIVATION_ELEMENTS",
    "check_size",
    "conv_work",
    "pooled_size",
    "softmax",
]

MAX_ACTIVATION_ELEMENTS = 1 << 24  # one activation or work buffer: 64 MiB of float32

# A convolution uses one im2col buffer of all kernel taps (one matmul) up to this
# many values, else one buffer per kernel row (one matmul per row).
FULL_IM2COL_MAX = 1 << 22


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


def conv_work(layer: Layer, label: str) -> dict:
    """The work buffers a convolution's forward pass needs (``elements``, counted in the
    model's memory limit) and whether it uses the full im2col buffer (``full``)."""
    h, w, c = layer.input_shape
    ho, wo, cout = layer.shape
    kh, kw = layer.kernel_size
    pads = layer.pads
    hp, wp = h + pads[0] + pads[2], w + pads[1] + pads[3]
    full = ho * wo * kh * kw * c <= FULL_IM2COL_MAX
    cols = ho * wo * kh * kw * c if full else ho * wo * kw * c
    padded = hp * wp * c if any(pads) else 0
    elements = check_size(f"the work buffer of {label}", (cols,)) + padded
    elements += 0 if full else ho * wo * cout
    return {"elements": elements, "full": full}


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis in float32 (max subtracted first)."""
    z = np.asarray(z, dtype=np.float32)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# -- forward passes -------------------------------------------------------------------


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


def run_conv(layer: Layer, x: np.ndarray) -> np.ndarray:
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


def run_relu(layer: Layer, x: np.ndarray) -> np.ndarray:
    # max(x, 0) on the int32 view of the float32 bits: every negative float (sign bit
    # set) is a negative int32 and becomes +0.0, every other value is kept. It gives
    # exactly max(x, 0) for all non-NaN values and is several times faster than
    # np.maximum on floats in WebAssembly builds of NumPy.
    x = np.ascontiguousarray(x, dtype=np.float32)
    return np.maximum(x.view(np.int32), np.int32(0)).view(np.float32)


def run_maxpool(layer: Layer, x: np.ndarray) -> np.ndarray:
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


def run_flatten(layer: Layer, x: np.ndarray) -> np.ndarray:
    order = layer.flatten_order
    if x.ndim == 1 or order == (0, 1, 2):
        return x.reshape(-1).copy()
    return np.ascontiguousarray(x.transpose(order)).reshape(-1)


def run_dense(layer: Layer, x: np.ndarray) -> np.ndarray:
    z = np.matmul(x, layer.kernel)
    z += layer.bias
    return softmax(z) if layer.activation == "softmax" else z


def run_softmax(layer: Layer, x: np.ndarray) -> np.ndarray:
    return softmax(x)


FORWARD = {
    "conv": run_conv,
    "relu": run_relu,
    "maxpool": run_maxpool,
    "flatten": run_flatten,
    "dense": run_dense,
    "softmax": run_softmax,
}
