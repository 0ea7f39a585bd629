"""Talking to the page: the ``window.glasslab`` handle, plain data and typed arrays to JS,
URL parameters, user errors and the message line. Elements belong to the JS views:
Python gets the ones it paints from them, never by id."""

from __future__ import annotations

import json
from collections.abc import Callable

import js
import numpy as np
from pyodide.ffi import create_proxy

_KEEP: list = []  # proxies handed to JS live as long as the page


def proxy(fn: Callable):
    """A JS-callable proxy of ``fn`` that stays alive for the page's lifetime."""
    p = create_proxy(fn)
    _KEEP.append(p)
    return p


def expose(name: str, fn: Callable) -> None:
    """Make ``window.glasslab[name]`` call ``fn``. ``state`` must return a JSON-able object."""
    if name == "state":
        js.window.glasslab._register("state", proxy(lambda: to_js(fn())))
    else:
        js.window.glasslab._register(name, proxy(fn))


def mark_ready() -> None:
    expose("memory", lambda: to_js(memory()))
    js.window.glasslab._markReady()


def memory() -> dict:
    """Debug numbers for leak checks: ``window.glasslab.memory()`` on every page.

    ``js_heap``: the page's used JS heap (Chromium's performance.memory, exact only with
    --enable-precise-memory-info); ``wasm_bytes``: Pyodide's WebAssembly memory;
    ``py_objects``: objects tracked by Python's GC; ``kept_proxies``: proxies handed to JS.
    """
    import gc

    import pyodide_js

    heap = getattr(js.performance, "memory", None)
    return {
        "js_heap": int(heap.usedJSHeapSize) if heap else None,
        "wasm_bytes": int(pyodide_js._module.HEAP8.length),
        "py_objects": len(gc.get_objects()),
        "kept_proxies": len(_KEEP),
    }


def fail(message: str) -> None:
    js.window.glasslab._fail(message)


class CanvasImage:
    """A canvas painted from a NumPy RGBA array in one bulk copy.

    The pixel buffer and ImageData are allocated once; ``paint`` copies the
    array into the buffer with ``assign`` (no per-pixel calls, no lists).
    """

    def __init__(self, canvas, width: int | None = None, height: int | None = None):
        self.canvas = canvas
        self.width = int(width or canvas.width)
        self.height = int(height or canvas.height)
        self.ctx = canvas.getContext("2d")
        self.buffer = js.Uint8ClampedArray.new(self.width * self.height * 4)
        self.image = js.ImageData.new(self.buffer, self.width, self.height)

    def paint(self, rgba: np.ndarray, x: int = 0, y: int = 0) -> None:
        if rgba.shape != (self.height, self.width, 4):
            raise ValueError(f"expected shape {(self.height, self.width, 4)}, got {rgba.shape}")
        self.buffer.assign(np.ascontiguousarray(rgba, dtype=np.uint8).reshape(-1))
        self.ctx.putImageData(self.image, x, y)


class UserError(ValueError):
    """Bad input from a person (a control, the URL, a file, a handle call): its text is
    shown on the page as it is, and the page keeps its state."""


def to_js(data):
    """The one way plain data (dicts, lists, numbers, strings) goes to JavaScript:
    through JSON, so JS gets ordinary objects and arrays (no proxies to free).
    Arrays of numbers for canvases go through typed arrays instead (``CanvasImage``,
    ``assign``)."""
    return js.JSON.parse(json.dumps(data))


def url_params() -> dict[str, str]:
    """The page URL's query parameters (the last value of a repeated key wins)."""
    from urllib.parse import parse_qsl

    return dict(parse_qsl(str(js.location.search).lstrip("?")))


def write_url(params: dict[str, str]) -> None:
    """Replace the query of the page URL (no new history entry)."""
    from urllib.parse import urlencode

    js.history.replaceState(None, "", "?" + urlencode(params))


class MessageBox:
    """The page's message line (``window.glasslab._message``, see ``site/js/boot.js``):
    shows a string or an ``i18n.Text`` (shown again in the new language after a
    switch) with a kind, ``"error"`` or ``"info"``."""

    def __init__(self) -> None:
        self.source = None
        self.kind: str | None = None

    @property
    def text(self) -> str | None:
        return None if self.source is None else str(self.source)

    def show(self, text, kind: str = "error") -> None:
        self.source, self.kind = text, kind
        js.window.glasslab._message(str(text), kind)

    def clear(self) -> None:
        self.source = self.kind = None
        js.window.glasslab._message(None, "info")

    def relabel(self) -> None:
        """Show the kept message again (after a language switch)."""
        if self.source is not None:
            self.show(self.source, self.kind or "error")
