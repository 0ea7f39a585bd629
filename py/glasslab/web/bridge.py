"""Talking to the page: the ``window.glasslab`` handle, plain data to JS, URL parameters,
user errors and the message line. Every call from JS goes through :func:`door`: its
exception is shown on the message line and becomes the call's ``Error``."""

from __future__ import annotations

import gc
import inspect
import json
import traceback
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

import js
import numpy as np
import pyodide_js
from pyodide.ffi import JsProxy, create_proxy

from glasslab.checks import Refused

_KEEP: list = []  # proxies handed to JS live as long as the page
ERROR_MARK = "__glasslab_error__"  # a failed call's answer to JS (boot.js throws it)


def door(fn: Callable, convert: bool = False) -> Callable:
    """``fn`` as JS calls it (arguments converted with ``to_py`` when ``convert``)."""

    def call(*args):
        try:
            result = fn(*(a.to_py() if convert and isinstance(a, JsProxy) else a for a in args))
            return _settle(result) if inspect.isawaitable(result) else _answer(result)
        except Exception as exc:
            return _failure(exc)

    return call


async def _settle(awaitable):
    try:
        return _answer(await awaitable)
    except Exception as exc:
        return _failure(exc)


def _answer(result):
    return result if result is None or isinstance(result, JsProxy) else to_js(result)


def _failure(exc: Exception):
    if isinstance(exc, UserError) and exc.args:
        text = exc.args[0]
    elif isinstance(exc, Refused):
        text = _Catalogue(exc.key, exc.params, str(exc))
    else:
        log_exception(exc)
        detail = f"{type(exc).__name__}: {exc}"
        text = _Catalogue("boot.error.wrong", {"detail": detail}, f"Something went wrong: {detail}")
    if MessageBox.current is not None:
        MessageBox.current.show(text)
    return to_js({ERROR_MARK: str(text)})


def log_exception(exc: BaseException) -> None:
    """The traceback in the browser console only (PyScript turns stderr into boxes)."""
    js.console.error("".join(traceback.format_exception(exc)))


class _Catalogue:
    """A catalogue text in the page's language (``english`` without a catalogue)."""

    def __init__(self, key: str, params: dict, english: str) -> None:
        self.key, self.params, self.english = key, params, english

    def __str__(self) -> str:
        i18n = getattr(js.window, "glasslabI18n", None)
        if i18n is None:
            return self.english
        params = to_js({k: str(v) for k, v in self.params.items()})
        return str(i18n.t(self.key, params, self.english))


def proxy(fn: Callable, convert: bool = False):
    """A JS-callable proxy of ``fn`` (through the door) that lives as long as the page."""
    _KEEP.append(p := create_proxy(door(fn, convert)))
    return p


def expose(name: str, fn: Callable) -> None:
    """``window.glasslab[name]`` calls ``fn`` with Python arguments, answers plain data."""
    js.window.glasslab._register(name, proxy(fn, convert=True))


def mark_ready() -> None:
    expose("memory", memory)
    js.window.glasslab._markReady()


def memory() -> dict:
    """``window.glasslab.memory()``: JS heap, wasm memory, GC objects, proxies kept."""
    heap = getattr(js.performance, "memory", None)
    return {
        "js_heap": int(heap.usedJSHeapSize) if heap else None,
        "wasm_bytes": int(pyodide_js._module.HEAP8.length),
        "py_objects": len(gc.get_objects()),
        "kept_proxies": len(_KEEP),
    }


class CanvasImage:
    """A canvas painted from a NumPy RGBA array in one bulk copy."""

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
    """Bad input from a person: its text is shown as it is, the page keeps its state."""


def to_js(data):
    """Plain data to JavaScript through JSON (no proxies to free; NaN is a ValueError)."""
    return js.JSON.parse(json.dumps(data, allow_nan=False))


def url_params() -> dict[str, str]:
    """The page URL's query parameters (the last value of a repeated key wins)."""
    return dict(parse_qsl(str(js.location.search).lstrip("?")))


def write_url(params: dict[str, str]) -> None:
    """Replace the query of the page URL (no new history entry)."""
    js.history.replaceState(None, "", "?" + urlencode(params))


class MessageBox:
    """The page's message line: a string or ``i18n.Text``, kind ``"error"`` or ``"info"``."""

    current: MessageBox | None = None  # the page's message line (where the door reports)

    def __init__(self) -> None:
        self.source = None
        self.kind: str | None = None
        MessageBox.current = self

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
