"""The convolution detail: one output channel, split by input channel.

``y = b + sum_i (x_i * k_i)`` where ``x_i`` is input channel ``i``, ``k_i`` its
``(KH, KW)`` kernel slice and ``*`` the correlation (stride and padding of the
layer). Output cell ``(r, c)`` reads the window of each ``x_i`` whose top-left
corner is ``(r s_h - p_top, c s_w - p_left)``.
"""

from __future__ import annotations

import numpy as np

from glasslab.cnn import explain
from glasslab.cnn.detail.parts import channel_major, limit, window_geometry


def conv_detail(model, image, acts: dict, layer, channel: int) -> dict:
    """``input`` ``(C_in, H, W)``, ``kernel`` ``(C_in, KH, KW)``, ``maps``
    ``(C_in, H_out, W_out)`` (each channel's correlation, no bias), ``output``
    ``(H_out, W_out)`` and ``bias``; colour ``limits`` of the input, the maps and
    output, and the kernel; ``cell`` starts at the largest output."""
    res = explain.explain_conv(model, image, acts, layer.name, channel)
    x, out = res["input"], res["output"]
    first = model.layer_index(layer.name) == 0
    r0, c0 = np.unravel_index(int(np.argmax(out)), out.shape)
    return {
        "kind": "conv",
        "layer": layer.name,
        "channel": int(channel),
        "input_name": "input" if first else layer.input,
        "input": channel_major(x),
        "kernel": channel_major(res["kernel"]),
        "maps": np.ascontiguousarray(res["maps"], np.float32),
        "output": np.ascontiguousarray(out, np.float32),
        "bias": float(res["bias"]),
        "limits": {
            "input": limit(x),
            "maps": limit(res["maps"], out),
            "kernel": limit(res["kernel"]),
        },
        "geometry": window_geometry(layer),
        "out_shape": [int(out.shape[0]), int(out.shape[1])],
        "cell": [int(r0), int(c0)],
    }
