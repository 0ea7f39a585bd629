"""Start a page's Python side and turn any failure into a readable message."""

from __future__ import annotations

import asyncio
import importlib
import inspect

import js

from glasslab.web import bridge


def start(page: str) -> None:
    """Import ``glasslab.web.<page>_page`` and run its ``main()`` (sync or async); the
    marks ``glasslab:imported`` and ``glasslab:main`` time both for bench/run.py."""
    try:
        module = importlib.import_module(f"glasslab.web.{page}_page")
        js.performance.mark("glasslab:imported")
        result = module.main()
        js.performance.mark("glasslab:main")
    except Exception as exc:
        _report(exc)
        return
    if inspect.isawaitable(result):
        done = asyncio.ensure_future(result).add_done_callback
        done(lambda t: t.cancelled() or t.exception() is None or _report(t.exception()))


def _report(exc: BaseException) -> None:
    bridge.log_exception(exc)
    detail = f"{type(exc).__name__}: {exc}"
    try:
        from glasslab.web.i18n import t

        message = t("boot.error.start", detail=detail)
    except Exception:  # the message must get out even if translation fails
        message = "boot.error.start"
    if message == "boot.error.start":  # no catalogue loaded: English
        message = f"The page could not start: {detail}"
    js.window.glasslab._fail(message)
