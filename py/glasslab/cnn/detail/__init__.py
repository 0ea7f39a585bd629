"""What each detail view of the CNN explainer shows, as plain data (no markup, no styling).

One module per layer kind, each with one function ``(model, image, acts, ..., channel)
-> dict``: :mod:`.conv`, :mod:`.relu`, :mod:`.pool`, :mod:`.output`, :mod:`.input`.
A detail is a flat dict of numbers, strings (layer names) and float32 NumPy arrays
(the maps and weights a view draws, channel-major); the page hands the arrays over as
typed arrays and the view (``site/js/cnn/detail-*.js``) lays out, colours and
animates them itself. Every dict has ``kind``, ``layer`` and ``channel``; the views
with a moving cell also have ``cell`` (where it starts), ``out_shape`` and
``geometry`` (the window of one output cell, :func:`window_geometry`).

:func:`detail_for` picks the module for an overview column; :func:`column_of` finds the
column of a layer named in ``window.glasslab.open(layer, channel)``.
"""

from __future__ import annotations

from glasslab.cnn.detail import conv, output, pool, relu
from glasslab.cnn.detail import input as image_view
from glasslab.cnn.detail.parts import channel_major, limit, window_geometry

__all__ = [
    "KINDS",
    "channel_major",
    "column_detail",
    "column_of",
    "detail_for",
    "limit",
    "neuron_map",
    "window_geometry",
]

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


def column_of(model, col_layers: list[int], classes: int, layer: str, channel: int) -> int:
    """The overview column of the layer named ``layer``: 0 for ``"input"``, then the
    layers ``col_layers`` (indices into ``model.layers``) with map columns, and past them
    the last layer (the classes). Raises ``ValueError`` for a layer without a column
    or a ``channel`` it does not have (``classes`` is the number of classes)."""
    names = ["input"] + [model.layers[i].name for i in col_layers] + [model.layers[-1].name]
    counts = [model.input_shape[2]] + [model.layers[i].shape[-1] for i in col_layers] + [classes]
    if layer not in names:
        raise ValueError(f"no layer {layer!r} in the overview: {', '.join(names)}")
    col = names.index(layer)
    if not 0 <= channel < counts[col]:
        raise ValueError(f"{layer!r} has no channel {channel} (0..{counts[col] - 1})")
    return col


def column_detail(page, col: int, channel: int) -> dict:
    """The detail of ``channel`` of overview column ``col`` of ``page`` (see
    :func:`neuron_map`); past the map columns the classes, named ``page.labels``."""
    if 0 < col <= len(page.col_layers):
        layer = page.model.layers[page.col_layers[col - 1]]
    else:
        layer = "input" if col == 0 else "output"
    data = detail_for(page.model, page.x, page.acts, layer, channel)
    if data["kind"] == "output":
        data["labels"] = list(page.labels)
    return data


def neuron_map(page, col: int, channel: int):
    """The ``(H, W)`` map of neuron ``channel`` of overview column ``col`` (0 is the input
    ``page.x``, then the layers ``page.col_layers`` of ``page.model`` in ``page.acts``);
    the one value ``(1,)`` of a unit of a vector (dense) column."""
    act = page.x if col == 0 else page.acts[page.model.layers[page.col_layers[col - 1]].name]
    return act[channel : channel + 1] if act.ndim == 1 else act[:, :, channel]
