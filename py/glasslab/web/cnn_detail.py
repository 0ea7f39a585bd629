"""CNN page: the detail dialog's glue and the typed arrays the CNN views get.

The numbers of a detail come from :mod:`glasslab.cnn.detail`; this hands them to the
view (``site/js/cnn/detail.js``) once, arrays as ``Float32Array``, and reads back which
cell it shows.
"""

from __future__ import annotations

import js
import numpy as np

from glasslab.cnn import detail as details
from glasslab.web import bridge


def u8(data: bytes):
    arr = js.Uint8Array.new(len(data))
    arr.assign(data)
    return arr


def float32(array: np.ndarray):
    flat = np.ascontiguousarray(array, dtype=np.float32).reshape(-1)
    out = js.Float32Array.new(flat.size)
    out.assign(flat)
    return out


def onnx_input(model, x):
    """The model's ONNX input for image ``x``: (Float32Array, dims)."""
    inp = model.to_onnx_input(x)
    return float32(inp), bridge.to_js([int(d) for d in inp.shape])


def with_arrays(data: dict):
    """A JS object of ``data``: arrays become Float32Arrays (their shapes in ``shapes``),
    everything else goes through JSON."""
    arrays = {k: v for k, v in data.items() if isinstance(v, np.ndarray)}
    plain = {k: v for k, v in data.items() if k not in arrays}
    plain["shapes"] = {k: [int(d) for d in v.shape] for k, v in arrays.items()}
    obj = bridge.to_js(plain)
    for key, array in arrays.items():
        setattr(obj, key, float32(array))
    return obj


class DetailGlue:
    """Which detail is open (``pick`` = (column, channel), ``kind``, ``layer``) and the
    view that shows it."""

    def __init__(self, view) -> None:
        self.view = view
        self.pick = None
        self.shown: dict | None = None

    def open(self, page, col: int, ch: int) -> None:
        if col > len(page.col_layers):
            layer = "output"
        elif col == 0:
            layer = "input"
        else:
            layer = page.model.layers[page.col_layers[col - 1]]
        data = details.detail_for(page.model, page.x, page.acts, layer, ch)
        if data["kind"] == "output":
            data["labels"] = list(page.labels)
        self.pick, self.shown = (col, ch), data
        self.view.show(with_arrays(data))

    def forget(self) -> None:
        self.pick = self.shown = None

    def is_open(self) -> bool:
        return self.shown is not None and bool(self.view.isOpen())

    def reopen(self, page) -> None:
        """Show the open detail again on new activations."""
        if self.is_open():
            self.open(page, *self.pick)

    def set_cell(self, r: int, c: int) -> None:
        self.view.setCell(int(r), int(c))

    def state(self) -> dict | None:
        if not self.is_open():
            return None
        cell = self.view.cell()
        d = self.shown
        return {
            "kind": d["kind"],
            "layer": d["layer"],
            "channel": d["channel"],
            "cell": None if cell is None else [int(v) for v in cell.to_py()],
        }
