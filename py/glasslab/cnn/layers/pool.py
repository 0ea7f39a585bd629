"""Pooling, forward and backward: max, average and global average.

With input ``x`` ``(C, H, W)``, output ``y`` and ``g = dL/dy``; windows slide as in a
convolution (``s_h i + u``, ``s_w j + v`` on the padded input):

* ``maxpool``: ``y[c, i, j] = max_{u, v} xp[c, s_h i + u, s_w j + v]`` on the
  ``-inf``-padded input. Backward: ``g[c, i, j]`` goes to the window's maximum (the
  first in row order if several are equal), every other input gets nothing.
* ``avgpool``: ``y[c, i, j] = (1 / n_ij) sum_{u, v} xp[c, s_h i + u, s_w j + v]`` on the
  zero-padded input, ``n_ij = KH KW`` with ``count_include_pad``, else the number of
  window cells inside the image. Backward: every cell of the window gets
  ``g[c, i, j] / n_ij``.
* ``global_avgpool``: ``y[c, 0, 0] = (1 / HW) sum_{i, j} x[c, i, j]``; backward
  ``dL/dx[c, i, j] = g[c, 0, 0] / HW``.
"""

from __future__ import annotations

import numpy as np

from glasslab.cnn.layers.base import Layer, buffer, pad, padded_zeros, spans, unpad

__all__ = [
    "avgpool_backward",
    "avgpool_forward",
    "global_avgpool_backward",
    "global_avgpool_forward",
    "maxpool_backward",
    "maxpool_forward",
]


def _windows(layer: Layer):
    """For every kernel offset ``(u, v)`` the index of the strided part of the padded
    input it covers, ``xp[c, s_h i + u, s_w j + v]`` for all output cells ``(i, j)``."""
    kh, kw = layer.kernel_size
    sh, sw = layer.strides
    hspan, wspan = spans(layer)
    for u in range(kh):
        for v in range(kw):
            yield (slice(None), slice(u, u + hspan, sh), slice(v, v + wspan, sw))


def maxpool_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    xp = pad(layer, x, -np.inf)
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


def maxpool_backward(layer: Layer, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    c, h, w = x.shape
    pt, pl, pb, pr = layer.pads
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr)), constant_values=-np.inf)
    dxp = padded_zeros(layer, c, h, w)
    routed = np.zeros(y.shape, bool)  # windows whose maximum got its gradient already
    for where in _windows(layer):
        hit = (xp[where] == y) & ~routed
        dxp[where] += np.where(hit, dy, np.float32(0))
        routed |= hit
    return unpad(layer, dxp)


def _counts(layer: Layer, c: int, h: int, w: int) -> np.ndarray | float:
    """``n_ij`` of every output cell (``(H_out, W_out)``), or ``KH KW`` when constant."""
    kh, kw = layer.kernel_size
    if layer.count_include_pad or not any(layer.pads):
        return float(kh * kw)
    counts = layer._work.get("counts")
    if counts is None:
        inside = padded_zeros(layer, 1, h, w)
        pt, pl = layer.pads[0], layer.pads[1]
        inside[:, pt : pt + h, pl : pl + w] = 1
        counts = np.zeros(layer.shape[:2], np.float32)
        for where in _windows(layer):
            counts += inside[where][0]
        layer._work["counts"] = counts
    return counts


def avgpool_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    c, h, w = x.shape
    xp = pad(layer, x, 0.0)
    out = buffer(layer, "sum", (c, *layer.shape[:2]))
    out.fill(0)
    for where in _windows(layer):
        out += xp[where]
    return out / _counts(layer, c, h, w)


def avgpool_backward(layer: Layer, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    c, h, w = x.shape
    share = (dy / _counts(layer, c, h, w)).astype(np.float32)
    dxp = padded_zeros(layer, c, h, w)
    for where in _windows(layer):
        dxp[where] += share
    return unpad(layer, dxp)


def global_avgpool_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    c = x.shape[0]
    return x.reshape(c, -1).mean(axis=1, dtype=np.float32).reshape(c, 1, 1)


def global_avgpool_backward(
    layer: Layer, x: np.ndarray, y: np.ndarray, dy: np.ndarray
) -> np.ndarray:
    c, h, w = x.shape
    return np.broadcast_to(dy.reshape(c, 1, 1) / np.float32(h * w), (c, h, w)).astype(np.float32)
