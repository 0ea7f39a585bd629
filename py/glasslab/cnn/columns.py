"""The overview's columns: every layer of the network drawn, dense hidden layers included.

* :func:`overview_blocks` - the layers drawn as columns: every image-shaped layer (any
  kind: convolutions, activations, batch norm, pooling) and every vector layer between
  the flatten and the logits (hidden dense layers and their activations); the flatten
  itself is shown by the output view, the logits by the class list. And the block of
  each (a block ends after each pooling layer; the vector layers form the last block).
* :func:`column_layout` - their sizes: image columns are a stack of square tiles, one
  per channel; a vector column is a strip (``vector: true``) ``width`` x ``height``
  pixels in which unit ``u`` of ``N`` fills rows ``floor(u H / N)`` to
  ``floor((u + 1) H / N)``.
* :func:`column_limits`, :func:`column_images` - colour ranges and RGBA pictures of
  all columns (a vector column is coloured as one unit: on ``[-max|v|, max|v|]``).
* :func:`focus_info` - the legend and focus line, for a unit of a vector column too.
"""

from __future__ import annotations

import numpy as np

from glasslab.cnn import page_data
from glasslab.cnn.view import Lut, column_image, fmt, limits, tile_size

__all__ = [
    "column_images",
    "column_layout",
    "column_limits",
    "drawn_layers",
    "focus_info",
    "overview_blocks",
    "vector_image",
]

POOLS = ("maxpool", "avgpool", "global_avgpool")
VECTOR_WIDTH = 14  # pixels of a vector column's strip


def drawn_layers(model) -> list[int]:
    """Indices of the layers drawn as columns (see the module docstring)."""
    end = model.logits_index()
    return [
        i
        for i, la in enumerate(model.layers[:end])
        if len(la.shape) == 3 or (la.kind != "flatten" and len(la.shape) == 1)
    ]


def overview_blocks(model) -> tuple[list[int], list[int]]:
    """The drawn layers' indices and the block of each."""
    columns = drawn_layers(model)
    blocks, block, out = {}, 0, []
    for i, la in enumerate(model.layers):
        blocks[i] = block if len(la.shape) == 3 else -1
        if la.kind in POOLS:
            block += 1
    for i in columns:
        out.append(blocks[i] if blocks[i] >= 0 else block)
    return columns, out


def column_layout(model, columns: list[int], labels: list[str]) -> dict:
    """:func:`glasslab.cnn.page_data.column_layout` with vector columns: ``vector``,
    ``width`` (the strip's) and ``height`` (that of the tallest image column)."""
    images = [i for i in columns if len(model.layers[i].shape) == 3]
    layout = page_data.column_layout(model, images, labels)
    by_name = {c["name"]: c for c in layout["columns"]}
    tallest = max(c["height"] for c in layout["columns"])
    cols = [layout["columns"][0]]
    for i in columns:
        la = model.layers[i]
        if len(la.shape) == 3:
            cols.append(by_name[la.name])
            continue
        n = int(la.shape[0])
        first = layout["columns"][0]
        cols.append(
            {
                "name": la.name,
                "kind": la.kind,
                "shape": [n],
                "channels": n,
                "tile": first["tile"],
                "gap": first["gap"],
                "height": max(tallest, min(n, tile_size(1))),
                "width": VECTOR_WIDTH,
                "vector": True,
            }
        )
    layout["columns"] = cols
    return layout


def _as_map(act: np.ndarray) -> np.ndarray:
    return act if act.ndim == 3 else act.reshape(-1, 1, 1)


def column_limits(acts: list[np.ndarray], blocks: list[int], mode: str) -> list[np.ndarray]:
    """:func:`glasslab.cnn.view.limits` of the columns; a vector is one unit."""
    return limits([_as_map(a) for a in acts], blocks, mode)


def vector_image(values: np.ndarray, limit: float, lut: Lut, width: int, height: int):
    """A vector of ``N`` values as a ``(height, width)`` RGBA strip, unit ``u`` in rows
    ``floor(u height / N)`` onwards, coloured on ``[-limit, limit]``."""
    v = np.asarray(values, np.float32).reshape(-1)
    rows = (np.arange(height) * v.size) // height
    colours = lut.colours(v[rows], -limit, limit)  # (height, 4)
    return np.ascontiguousarray(np.broadcast_to(colours[:, None, :], (height, width, 4)))


def column_images(acts, lims, lut: Lut, columns: list[dict]) -> list[np.ndarray]:
    """The RGBA picture of every map column (``columns`` without the input's)."""
    out = []
    for act, lim, col in zip(acts, lims, columns, strict=True):
        if col.get("vector"):
            out.append(vector_image(act, float(lim.max()), lut, col["width"], col["height"]))
        else:
            out.append(column_image(act, lim, lut, col["tile"], col["gap"]))
    return out


def focus_info(col: int, ch: int, page) -> dict:
    """:func:`glasslab.cnn.page_data.focus_info`, and for a unit of a vector column the
    same ``neuron`` fields (a ``1 x 1`` map whose min and max are its value)."""
    inner = 0 < col <= len(page.col_layers)
    layer = page.model.layers[page.col_layers[col - 1]] if inner else None
    if layer is None or len(layer.shape) == 3:
        return page_data.focus_info(col, ch, page)
    lim = float(np.max(page.limits[col - 1]))
    v = page.acts[layer.name]
    value = fmt(v[ch], 3) if 0 <= ch < v.size else ""
    return {
        "kind": "neuron",
        "ch": ch,
        "layer": layer.name,
        "layer_kind": layer.kind,
        "h": 1,
        "w": 1,
        "min": value,
        "max": value,
        "scale": page.scale_mode,
        "block": page.col_blocks[col - 1],
        "ticks": page.lut_act.ticks(-lim, lim, 5),
        "lut": "activation",
        "vector": True,
    }
