"""What each detail view of the CNN explainer shows, as plain data (no markup, no styling).

One module per layer kind, each with one function ``(model, image, acts, ..., channel)
-> dict``: :mod:`.conv`, :mod:`.relu`, :mod:`.pool`, :mod:`.output`, :mod:`.input`.
A detail is a flat dict of numbers, strings (layer names) and float32 NumPy arrays
(the maps and weights a view draws, channel-major); the page hands the arrays over as
typed arrays and the view (``site/js/cnn/detail-*.js``) lays out, colours and
animates them itself. Every dict has ``kind``, ``layer`` and ``channel``; the views
with a moving cell also have ``cell`` (where it starts), ``out_shape`` and
``geometry`` (the window of one output cell, :func:`window_geometry`).

:func:`detail_for` picks the module for an overview column.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KINDS", "detail_for", "limit", "window_geometry"]

KINDS = ("input", "conv", "relu", "maxpool", "output")


def limit(*arrays) -> float:
    """The symmetric colour limit of the arrays: their largest absolute finite value,
    1.0 for all-zero arrays (so a blank map is drawn in the middle colour)."""
    from glasslab import colour

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


def detail_for(model, image, acts: dict, layer, channel: int) -> dict:
    """The detail of ``channel`` of an overview column: ``layer`` is a conv, relu or
    maxpool layer of ``model``, ``"input"`` for the image or ``"output"`` for the
    class scores (``channel`` is then the class)."""
    from glasslab.cnn.detail import conv, output, pool, relu
    from glasslab.cnn.detail import input as image_view

    if layer == "input":
        return image_view.input_detail(image, channel)
    if layer == "output":
        return output.output_detail(model, image, acts, channel)
    build = {"conv": conv.conv_detail, "relu": relu.relu_detail, "maxpool": pool.pool_detail}
    if layer.kind not in build:
        raise ValueError(f"layer {layer.name!r} ({layer.kind}) has no detail view")
    return build[layer.kind](model, image, acts, layer, channel)
