"""Translated page texts (``site/i18n/<lang>.json``) through ``window.glasslabI18n``."""

from __future__ import annotations

from collections.abc import Callable

import js

from glasslab.web import bridge


def t(key: str, **params) -> str:
    """The text of ``key`` in the page's language, ``{name}`` placeholders filled."""
    i18n = getattr(js.window, "glasslabI18n", None)
    values = {name: str(value) for name, value in params.items()}
    if i18n is None:
        return key
    return str(i18n.t(key, bridge.to_js(values)))


class Text:
    """A catalogue text translated each time it is shown (again after a language switch)."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params

    def __str__(self) -> str:
        return t(self.key, **self.params)

    def __repr__(self) -> str:
        return f"Text({self.key!r}, **{self.params!r})"


def on_change(fn: Callable[[], None]) -> None:
    """Call ``fn()`` after the user switched the language."""

    def handler(_event=None):
        fn()

    js.window.addEventListener("glasslab:lang", bridge.proxy(handler))
