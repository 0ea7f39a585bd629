"""Helpers of the detail modules: colour limits, the window of one output cell, layouts."""

from __future__ import annotations

import numpy as np

from glasslab import colour


def limit(*arrays) -> float:
    """The symmetric colour limit of the arrays: their largest absolute finite value,
    1.0 for all-zero arrays (so a blank map is drawn in the middle colour)."""
    return float(colour.abs_max(*arrays)) or 1.0


def window_geometry(layer=None) -> dict:
    """The window behind one output cell: kernel ``kh``, ``kw``, strides ``sh``, ``sw``
    and top/left padding ``pt``, ``pl``; a 1x1 window without a layer (elementwise)."""
    if layer is None:
        return {"kh": 1, "kw": 1, "sh": 1, "sw": 1, "pt": 0, "pl": 0}
    kh, kw = layer.kernel_size
    sh, sw = layer.strides
    return {"kh": kh, "kw": kw, "sh": sh, "sw": sw, "pt": layer.pads[0], "pl": layer.pads[1]}


def channel_major(x: np.ndarray) -> np.ndarray:
    """``(H, W, C)`` as contiguous float32 ``(C, H, W)``."""
    return np.ascontiguousarray(np.asarray(x, np.float32).transpose(2, 0, 1))
