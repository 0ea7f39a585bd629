"""Convolution: forward as matmuls over an im2col buffer, and its backward pass.

``y[o, i, j] = b[o] + sum_{c, u, v} W[u, v, c, o] xp[c, s_h i + u, s_w j + v]`` on the
zero-padded input ``xp``; ``W`` is HWIO ``(KH, KW, C_in, C_out)``.

Backward, with ``g = dL/dy``:

* ``dL/dW[u, v, c, o] = sum_{i, j} g[o, i, j] xp[c, s_h i + u, s_w j + v]``
* ``dL/db[o] = sum_{i, j} g[o, i, j]``
* ``dL/dxp[c, s_h i + u, s_w j + v] += sum_o W[u, v, c, o] g[o, i, j]``, then the
  padding is cut off.

In matrix form, with ``cols`` the ``(KH KW C, H_out W_out)`` im2col matrix: ``y = W2 cols
+ b``, ``dW2 = g cols^T``, ``dcols = W2^T g`` (``W2`` is ``(C_out, KH KW C)``), and
``dcols`` is added back into the input positions it was copied from (col2im).
"""

from __future__ import annotations

import numpy as np

from glasslab.cnn.layers.base import Layer, buffer, pad, padded_zeros, spans, unpad

__all__ = ["conv_backward", "conv_forward"]


def conv_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    """Convolution as matmuls over an im2col buffer.

    Full im2col, (KH, KW, C, H_out, W_out), and one matmul when the buffer is small
    (always for TinyVGG); otherwise one kernel row at a time, (KW, C, H_out, W_out),
    with one matmul per kernel row accumulated into the output.
    """
    xp = pad(layer, x, 0.0)
    kh, kw = layer.kernel_size
    sh, sw = layer.strides
    ho, wo, cout = layer.shape
    c = x.shape[0]
    n = ho * wo
    hspan, wspan = spans(layer)
    work = layer._work
    if work["full"]:
        weights = work.get("w_full")
        if weights is None:  # (C_out, KH*KW*C), columns in (kh, kw, c) order
            weights = work["w_full"] = np.ascontiguousarray(
                layer.kernel.reshape(kh * kw * c, cout).T
            )
        cols = buffer(layer, "cols", (kh, kw, c, ho, wo))
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
        cols = buffer(layer, "cols", (kw, c, ho, wo))
        tmp = buffer(layer, "tmp", (cout, n))
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


def conv_backward(layer: Layer, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """``dL/dx`` from ``dL/dy`` (both channel-major); ``layer.grads`` gets ``kernel``
    (HWIO) and ``bias``. One kernel offset ``(u, v)`` at a time, so no buffer is larger
    than the output."""
    kh, kw = layer.kernel_size
    sh, sw = layer.strides
    ho, wo, cout = layer.shape
    c, h, w = x.shape
    hspan, wspan = spans(layer)
    g = np.asarray(dy, np.float32).reshape(cout, ho * wo)
    xp = np.pad(x, ((0, 0), (layer.pads[0], layer.pads[2]), (layer.pads[1], layer.pads[3])))
    dxp = padded_zeros(layer, c, h, w)
    dkernel = np.empty(layer.kernel.shape, np.float32)
    for u in range(kh):
        for v in range(kw):
            patch = xp[:, u : u + hspan : sh, v : v + wspan : sw].reshape(c, ho * wo)
            dkernel[u, v] = patch @ g.T  # (C, C_out)
            w_uv = layer.kernel[u, v]  # (C, C_out)
            dxp[:, u : u + hspan : sh, v : v + wspan : sw] += (w_uv @ g).reshape(c, ho, wo)
    layer.grads = {"kernel": dkernel, "bias": g.sum(axis=1)}
    return unpad(layer, dxp)
