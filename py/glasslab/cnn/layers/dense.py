"""Flatten, dense (fully connected) and batch normalisation, forward and backward.

With input ``x``, output ``y`` and ``g = dL/dy``:

* ``flatten``: ``y = vec(x)`` in the element order of the ONNX tensor (the axes of the
  ``(C, H, W)`` array permuted by ``flatten_order`` first), ``N = C H W``; backward
  puts ``g`` back into that shape and order.
* ``dense``: ``z = x W + b`` with ``W`` ``(K, N)``; ``y = z``, or ``softmax(z)`` /
  ``log_softmax(z)`` when the layer has that ``activation``. Backward: ``dL/dz`` from
  ``g`` through the activation, then ``dL/dx = W dL/dz``, ``dL/dW = x^T dL/dz``,
  ``dL/db = dL/dz``.
* ``batchnorm`` (inference): ``y[c] = a[c] x[c] + b[c]`` per channel, with
  ``a = scale / sqrt(var + eps)`` (``kernel``) and ``b = B - mean a`` (``bias``),
  folded when the model is read; ``dL/dx[c] = a[c] g[c]``, ``dL/da[c] = sum g[c]
  x[c]``, ``dL/db[c] = sum g[c]``.
"""

from __future__ import annotations

import numpy as np

from glasslab.cnn.layers.activations import log_softmax, log_softmax_grad, softmax_grad
from glasslab.cnn.layers.base import Layer, softmax

__all__ = [
    "batchnorm_backward",
    "batchnorm_forward",
    "dense_backward",
    "dense_forward",
    "flatten_backward",
    "flatten_forward",
]


def flatten_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    order = layer.flatten_order
    if x.ndim == 1 or order == (0, 1, 2):
        return x.reshape(-1).copy()
    return np.ascontiguousarray(x.transpose(order)).reshape(-1)


def flatten_backward(layer: Layer, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    order = layer.flatten_order
    if x.ndim == 1 or order is None or order == (0, 1, 2):
        return np.asarray(dy, np.float32).reshape(x.shape).copy()
    permuted = np.asarray(dy, np.float32).reshape([x.shape[a] for a in order])
    return np.ascontiguousarray(permuted.transpose(np.argsort(order)))


def dense_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    z = np.matmul(x, layer.kernel)
    z += layer.bias
    if layer.activation == "softmax":
        return softmax(z)
    if layer.activation == "log_softmax":
        return log_softmax(z)
    return z


def dense_backward(layer: Layer, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    dy = np.asarray(dy, np.float32)
    if layer.activation == "softmax":
        dz = softmax_grad(y, dy)
    elif layer.activation == "log_softmax":
        dz = log_softmax_grad(y, dy)
    else:
        dz = dy
    layer.grads = {"kernel": np.outer(x, dz).astype(np.float32), "bias": dz.copy()}
    return layer.kernel @ dz


def _per_channel(v: np.ndarray, x: np.ndarray) -> np.ndarray:
    return v.reshape(-1, 1, 1) if x.ndim == 3 else v


def batchnorm_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    return x * _per_channel(layer.kernel, x) + _per_channel(layer.bias, x)


def batchnorm_backward(layer: Layer, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    dy = np.asarray(dy, np.float32)
    axes = (1, 2) if x.ndim == 3 else ()
    layer.grads = {
        "kernel": (dy * x).sum(axis=axes) if axes else dy * x,
        "bias": dy.sum(axis=axes) if axes else dy.copy(),
    }
    return (dy * _per_channel(layer.kernel, x)).astype(np.float32)
