"""CNN page: typed arrays for the CNN views, and the detail dialog's glue."""

from __future__ import annotations

import js
import numpy as np

from glasslab.checks import refusing
from glasslab.cnn import detail as details
from glasslab.web import bridge


def u8(data: bytes):
    out = js.Uint8Array.new(len(data))
    out.assign(data)
    return out


def float32(array: np.ndarray):
    flat = np.ascontiguousarray(array, dtype=np.float32).reshape(-1)
    out = js.Float32Array.new(flat.size)
    out.assign(flat)
    return out


def onnx_input(model, x) -> tuple:
    """The model's ONNX input tensor for image ``x``: ``(Float32Array, dims)``."""
    inp = model.to_onnx_input(x)
    return float32(inp), bridge.to_js([int(d) for d in inp.shape])


def with_arrays(data: dict):
    """``data`` as a JS object: arrays as Float32Arrays (``shapes``), the rest as JSON."""
    arrays = {k: v for k, v in data.items() if isinstance(v, np.ndarray)}
    plain = {k: v for k, v in data.items() if k not in arrays}
    plain["shapes"] = {k: [int(d) for d in v.shape] for k, v in arrays.items()}
    obj = bridge.to_js(plain)
    for key, array in arrays.items():
        setattr(obj, key, float32(array))
    return obj


class DetailGlue:
    """The open detail (``pick`` = (column, channel) and its data) and its view."""

    def __init__(self, view) -> None:
        self.view, self.pick, self.shown = view, None, None

    def open(self, page, col: int, ch: int) -> None:
        self.pick, self.shown = (col, ch), (data := details.column_detail(page, col, ch))
        self.view.show(with_arrays(data))

    async def open_layer(self, page, layer, channel) -> None:  # window.glasslab.open
        args = page.model, page.col_layers, len(page.labels), str(layer), int(channel)
        with refusing("cnn.error.open", ValueError):
            self.open(page, details.column_of(*args), int(channel))

    def forget(self) -> None:
        self.pick = self.shown = None

    def is_open(self) -> bool:
        return self.shown is not None and bool(self.view.isOpen())

    def reopen(self, page) -> None:  # the open detail on new activations
        if self.is_open():
            self.open(page, *self.pick)

    def set_cell(self, r, c) -> None:
        self.view.setCell(int(r), int(c))

    def state(self) -> dict | None:
        if not self.is_open():
            return None
        cell, d = self.view.cell(), self.shown
        cell = None if cell is None else [int(v) for v in cell.to_py()]
        return {"kind": d["kind"], "layer": d["layer"], "channel": d["channel"], "cell": cell}
