"""Translated page texts: the catalogues of ``site/i18n/<lang>.json``, read through
``window.glasslabI18n`` (``site/js/i18n.js``).

* ``t(key, **params)`` - the text of ``key`` in the page's language, ``{name}``
  placeholders filled from ``params``;
* ``Text(key, **params)`` - the same, translated each time it is turned into a string,
  so a message kept on the page can be shown again in a newly chosen language
  (parameters may themselves be ``Text`` objects or exceptions);
* ``on_change(fn)`` - call ``fn()`` after the user switched the language (the
  ``glasslab:lang`` event), for the texts a page sets at run time.
"""

from __future__ import annotations

from collections.abc import Callable

import js

from glasslab.web import bridge


def lang() -> str:
    i18n = getattr(js.window, "glasslabI18n", None)
    return "en" if i18n is None else str(i18n.lang)


def t(key: str, **params) -> str:
    i18n = getattr(js.window, "glasslabI18n", None)
    values = {name: str(value) for name, value in params.items()}
    if i18n is None:
        return key
    return str(i18n.t(key, bridge.to_js(values)))


class Text:
    """A catalogue text translated when it is shown (``str(Text(...))``)."""

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params

    def __str__(self) -> str:
        return t(self.key, **self.params)

    def __repr__(self) -> str:
        return f"Text({self.key!r}, **{self.params!r})"


def on_change(fn: Callable[[], None]) -> None:
    def handler(_event=None):
        fn()

    js.window.addEventListener("glasslab:lang", bridge.proxy(handler))
