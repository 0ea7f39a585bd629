"""The max-pooling detail: ``y[r, c] = max`` of the ``KH x KW`` window at
``(r s_h - p_top, c s_w - p_left)`` of the same channel (padding is ``-inf``)."""

from __future__ import annotations

import numpy as np

from glasslab.cnn import explain
from glasslab.cnn.detail.parts import limit, window_geometry


def pool_detail(model, image, acts: dict, layer, channel: int) -> dict:
    """``input`` ``(H, W)`` and ``output`` ``(H_out, W_out)`` of ``channel``, the
    input's colour ``limit``, the window ``geometry``; ``cell`` starts at the largest
    output."""
    x = explain.layer_input(model, image, acts, layer.name)[:, :, channel]
    y = acts[layer.name][:, :, channel]
    r0, c0 = np.unravel_index(int(np.argmax(y)), y.shape)
    kh, kw = layer.kernel_size
    return {
        "kind": "maxpool",
        "layer": layer.name,
        "channel": int(channel),
        "input_name": layer.input,
        "input": np.ascontiguousarray(x, np.float32),
        "output": np.ascontiguousarray(y, np.float32),
        "limit": limit(x),
        "kernel_size": [int(kh), int(kw)],
        "geometry": window_geometry(layer),
        "out_shape": [int(y.shape[0]), int(y.shape[1])],
        "cell": [int(r0), int(c0)],
    }
