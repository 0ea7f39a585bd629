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

from glasslab.cnn.detail import conv, output, pool, relu
from glasslab.cnn.detail import input as image_view
from glasslab.cnn.detail.parts import channel_major, limit, window_geometry

__all__ = ["KINDS", "channel_major", "detail_for", "limit", "window_geometry"]

KINDS = ("input", "conv", "relu", "maxpool", "output")


def detail_for(model, image, acts: dict, layer, channel: int) -> dict:
    """The detail of ``channel`` of an overview column: ``layer`` is a conv, relu or
    maxpool layer of ``model``, ``"input"`` for the image or ``"output"`` for the
    class scores (``channel`` is then the class)."""
    if layer == "input":
        return image_view.input_detail(image, channel)
    if layer == "output":
        return output.output_detail(model, image, acts, channel)
    build = {"conv": conv.conv_detail, "relu": relu.relu_detail, "maxpool": pool.pool_detail}
    if layer.kind not in build:
        raise ValueError(f"layer {layer.name!r} ({layer.kind}) has no detail view")
    return build[layer.kind](model, image, acts, layer, channel)
