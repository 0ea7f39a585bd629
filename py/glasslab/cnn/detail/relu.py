"""The ReLU detail: ``y = max(0, x)``, cell by cell, in one channel."""

from __future__ import annotations

import numpy as np

from glasslab.cnn import explain
from glasslab.cnn.detail.parts import limit, window_geometry


def relu_detail(model, image, acts: dict, layer, channel: int) -> dict:
    """``input`` and ``output`` ``(H, W)`` of ``channel``, one colour ``limit`` for both
    (the input's), ``cell`` starting at the most negative input."""
    x = explain.layer_input(model, image, acts, layer.name)[:, :, channel]
    y = acts[layer.name][:, :, channel]
    r0, c0 = np.unravel_index(int(np.argmin(x)), x.shape)
    return {
        "kind": "relu",
        "layer": layer.name,
        "channel": int(channel),
        "input_name": layer.input,
        "input": np.ascontiguousarray(x, np.float32),
        "output": np.ascontiguousarray(y, np.float32),
        "limit": limit(x),
        "geometry": window_geometry(),
        "out_shape": [int(y.shape[0]), int(y.shape[1])],
        "cell": [int(r0), int(c0)],
    }
