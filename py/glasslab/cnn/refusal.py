"""A refused argument of a CNN engine call (a class, a method, a kernel, a setting).

:class:`Refusal` is a ``ValueError`` whose text is plain English (what was wrong and
what is allowed); as a :class:`glasslab.checks.Refused` it also carries the catalogue
frame ``cnn.error.refused`` in which a page shows that text in its language.
"""

from __future__ import annotations

from glasslab.checks import Refused

__all__ = ["Refusal"]


class Refusal(Refused):
    def __init__(self, text: str) -> None:
        super().__init__("cnn.error.refused", detail=text)
        self.args = (text,)
