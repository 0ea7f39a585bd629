"""Element-wise activations and the class-score normalisations, forward and backward.

With input ``x``, output ``y`` and ``g = dL/dy`` (any shape, element by element):

* ``relu``: ``y = max(x, 0)``; ``dL/dx = g [x > 0]``.
* ``leaky_relu``: ``y = x`` for ``x >= 0``, else ``alpha x``; ``dL/dx = g`` or ``alpha g``.
* ``sigmoid``: ``y = 1 / (1 + e^-x)``; ``dL/dx = g y (1 - y)``.
* ``tanh``: ``y = tanh x``; ``dL/dx = g (1 - y^2)``.

On a vector of class scores ``z``:

* ``softmax``: ``y_k = e^(z_k - max z) / sum_j e^(z_j - max z)``;
  ``dL/dz = y (g - sum_j g_j y_j)``.
* ``log_softmax``: ``y = z - max z - log sum_j e^(z_j - max z)``;
  ``dL/dz = g - softmax(z) sum_j g_j``.
"""

from __future__ import annotations

import numpy as np

from glasslab.cnn.layers.base import Layer, softmax

__all__ = [
    "leaky_relu_backward",
    "leaky_relu_forward",
    "log_softmax",
    "log_softmax_backward",
    "log_softmax_forward",
    "log_softmax_grad",
    "relu_backward",
    "relu_forward",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax_backward",
    "softmax_forward",
    "softmax_grad",
    "tanh_backward",
    "tanh_forward",
]


def relu_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    # max(x, 0) on the int32 view of the float32 bits: every negative float (sign bit
    # set) is a negative int32 and becomes +0.0, every other value is kept. It gives
    # exactly max(x, 0) for all non-NaN values and is several times faster than
    # np.maximum on floats in WebAssembly builds of NumPy.
    x = np.ascontiguousarray(x, dtype=np.float32)
    return np.maximum(x.view(np.int32), np.int32(0)).view(np.float32)


def relu_backward(layer: Layer, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    return np.where(x > 0, dy, np.float32(0)).astype(np.float32)


def leaky_relu_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return np.where(x >= 0, x, np.float32(layer.alpha) * x)


def leaky_relu_backward(layer: Layer, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    return np.where(x >= 0, dy, np.float32(layer.alpha) * dy).astype(np.float32)


def sigmoid_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^-x) = e^(-log(1 + e^-x)): no overflow for large |x|
    x = np.asarray(x, dtype=np.float32)
    return np.exp(-np.logaddexp(np.float32(0), -x))


def sigmoid_backward(layer: Layer, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    return (dy * y * (1 - y)).astype(np.float32)


def tanh_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    return np.tanh(np.asarray(x, dtype=np.float32))


def tanh_backward(layer: Layer, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    return (dy * (1 - y * y)).astype(np.float32)


def softmax_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    return softmax(x)


def softmax_grad(y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """``dL/dz`` of ``y = softmax(z)`` from ``dL/dy``: ``y (g - g . y)``."""
    return (y * (dy - np.dot(dy, y))).astype(np.float32)


def softmax_backward(layer: Layer, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    return softmax_grad(y, dy)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """``z - max z - log sum e^(z - max z)`` in float32."""
    z = np.asarray(z, dtype=np.float32)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def log_softmax_forward(layer: Layer, x: np.ndarray) -> np.ndarray:
    return log_softmax(x)


def log_softmax_grad(y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """``dL/dz`` of ``y = log_softmax(z)`` from ``dL/dy``: ``g - e^y sum g``."""
    return (dy - np.exp(y) * np.sum(dy)).astype(np.float32)


def log_softmax_backward(layer: Layer, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    return log_softmax_grad(y, dy)
