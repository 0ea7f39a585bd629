"""The input detail: one colour channel of the image the network sees, in 0..1."""

from __future__ import annotations

import numpy as np

from glasslab.cnn.view import INPUT_TINTS


def tint(channels: int, channel: int) -> tuple[int, int, int]:
    """The colour input ``channel`` of a ``channels``-channel image is drawn in."""
    return INPUT_TINTS.get(channels, ((255, 255, 255),))[channel % 3]


def input_detail(image: np.ndarray, channel: int) -> dict:
    """``output`` ``(H, W)``: the channel's values; ``tint``: its colour (value 1)."""
    x = np.asarray(image, np.float32)
    return {
        "kind": "input",
        "layer": "input",
        "channel": int(channel),
        "output": np.ascontiguousarray(x[:, :, channel]),
        "tint": list(tint(x.shape[2], channel)),
        "geometry": {"kh": 1, "kw": 1, "sh": 1, "sw": 1, "pt": 0, "pl": 0},
        "out_shape": [int(x.shape[0]), int(x.shape[1])],
        "cell": [0, 0],
    }
