"""Checks of the values a person or a script hands a page, with messages the page can
show in its language.

:class:`Refused` is a ``ValueError`` that carries a catalogue ``key`` and its ``params``
(``site/i18n/*.json``): the page shows it translated, the handle's call fails with it
(``glasslab.web.bridge``). :func:`whole_number` and :func:`url_text` check handle
arguments: a JS number that is a whole number in a range, a URL to fetch;
:func:`refusing` turns the errors of a block into one ``Refused``.
"""

from __future__ import annotations

import math
from contextlib import contextmanager


class Refused(ValueError):
    """A refused value: ``key`` is the catalogue message, ``params`` its placeholders."""

    def __init__(self, key: str, **params) -> None:
        super().__init__(f"{key}: " + ", ".join(f"{k}={v}" for k, v in params.items()))
        self.key = key
        self.params = params


@contextmanager
def refusing(key: str, *errors: type[BaseException], **params):
    """Inside, an exception of ``errors`` becomes ``Refused(key, detail=exc, **params)``."""
    try:
        yield
    except errors as exc:
        raise Refused(key, **params, detail=exc) from None


def whole_number(name: str, value, lo: int, hi: int) -> int:
    """``value`` as an int in ``lo..hi``: a whole JS number (not a bool, not text)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and math.isfinite(value) and value == int(value) and lo <= value <= hi:
        return int(value)
    raise Refused("error.argument_range", name=name, value=repr(value), lo=lo, hi=hi)


def url_text(name: str, value) -> str:
    """``value`` as a URL to fetch: a non-empty string of at most 2000 characters (the
    page's Content-Security-Policy keeps fetches to its own origin)."""
    if isinstance(value, str) and value.strip() and len(value) <= 2000:
        return value.strip()
    raise Refused("error.argument_url", name=name, value=repr(value)[:80])
