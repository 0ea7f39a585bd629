"""Your own kernel: any ``k x k`` kernel applied to the image the model sees.

:func:`convolve` computes, like a convolution layer with one input and one output
channel, stride 1 and no padding (a cross-correlation, as in every CNN):

``out[i, j] = sum_{u, v} K[u, v] m[i + u, j + v]``, ``0 <= i <= H - k``, ``0 <= j <= W - k``,

where ``m[i, j] = (1 / C) sum_c x[i, j, c]`` is the mean over the colour channels of the
network input ``x`` (``(H, W, C)`` in ``[0, 1]`` for TinyVGG), so the output is
``(H - k + 1) x (W - k + 1)``. :data:`PRESETS` are the classic kernels (identity, box
blur, sharpen, edges, Sobel x and y); :func:`parse_kernel` checks what a person typed.
"""

from __future__ import annotations

import math

import numpy as np

from glasslab.cnn.refusal import Refusal

__all__ = ["MAX_SIZE", "PRESETS", "apply", "convolve", "parse_kernel"]

MAX_SIZE = 7

PRESETS: dict[str, list[list[float]]] = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "edges": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
}


def parse_kernel(kernel) -> np.ndarray:
    """A nested list (or a preset's name) as a ``(k, k)`` float64 array, ``1 <= k <= 7``.

    ``ValueError`` saying what is wrong: not a list of rows, not square, too large, or a
    value that is not a finite number (booleans and strings are not numbers)."""
    if isinstance(kernel, str):
        if kernel not in PRESETS:
            raise Refusal(f"unknown kernel {kernel!r}; presets: {', '.join(PRESETS)}")
        kernel = PRESETS[kernel]
    if not isinstance(kernel, (list, tuple)) or not kernel:
        raise Refusal("the kernel must be a non-empty list of rows of numbers")
    k = len(kernel)
    if k > MAX_SIZE:
        raise Refusal(f"the kernel has {k} rows; kernels are 1x1 to {MAX_SIZE}x{MAX_SIZE}")
    for r, row in enumerate(kernel):
        if not isinstance(row, (list, tuple)) or len(row) != k:
            raise Refusal(f"the kernel must be square ({k}x{k}): row {r} has not {k} values")
        for c, v in enumerate(row):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise Refusal(f"kernel value at row {r}, column {c} is not a finite number")
    return np.asarray(kernel, np.float64)


def apply(kernel: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``out[i, j] = sum_{u, v} K[u, v] m[i + u, j + v]`` (stride 1, no padding), float32."""
    k = kernel.shape[0]
    h, w = m.shape[0] - k + 1, m.shape[1] - k + 1
    if h < 1 or w < 1:
        raise Refusal(f"a {k}x{k} kernel does not fit the {m.shape[0]}x{m.shape[1]} image")
    out = np.zeros((h, w), np.float64)
    for u in range(k):
        for v in range(k):
            out += kernel[u, v] * m[u : u + h, v : v + w]
    return out.astype(np.float32)


def convolve(kernel, image: np.ndarray) -> dict:
    """``{width, height, values}`` (row-major) of ``kernel`` applied to the channel mean
    of ``image`` ``(H, W, C)``; ``kernel`` as :func:`parse_kernel` takes it."""
    m = np.asarray(image, np.float64).mean(axis=2)
    out = apply(parse_kernel(kernel), m)
    return {"width": int(out.shape[1]), "height": int(out.shape[0]), "values": out.ravel().tolist()}
