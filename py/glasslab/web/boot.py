"""Start a page's Python side and turn any failure into a readable message."""

from __future__ import annotations

import asyncio
import importlib
import inspect

import js

from glasslab.web import bridge


def start(page: str) -> None:
    """Import ``glasslab.web.<page>_page`` and run its ``main()`` (sync or async)."""
    try:
        module = importlib.import_module(f"glasslab.web.{page}_page")
        result = module.main()
    except Exception as exc:
        _report(exc)
        return
    if inspect.isawaitable(result):
        task = asyncio.ensure_future(result)
        task.add_done_callback(_check)


def _check(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        _report(task.exception())


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
