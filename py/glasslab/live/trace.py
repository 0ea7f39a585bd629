"""A line trace of one call: what slow motion walks through, line by line.

:func:`trace_call` runs a function once, for real, with ``sys.settrace`` on its own frame
only, and records a :class:`TraceStep` each time a line is about to run: the line
(1-based, counted from the function's ``def``), and a summary of every local variable
at that moment (:func:`summarise`: shape and a few values of arrays, numbers as they
are). Arrays are also kept as copies (``TraceStep.arrays``), so a view can show the
batch, the scores or the gradients as the lines that compute them run. A last step with
``event == "return"`` holds the locals at the end.

The call's result and any exception are those of the untraced call; the trace stops
recording after ``max_steps`` lines (the rest of the call still runs).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

MAX_STEPS = 500
MAX_VALUES = 4  # values of an array shown in a summary
MAX_COPY_ELEMENTS = 100_000  # larger arrays are summarised, not copied


@dataclass
class TraceStep:
    """The function is about to run ``line`` (or returns, for ``event == "return"``)."""

    line: int
    event: str
    locals: dict[str, dict] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"line": self.line, "event": self.event, "locals": self.locals}


def summarise(value) -> dict:
    """A small JSON-able description of a local variable.

    Arrays: ``{"type": "array", "shape", "dtype", "values"}`` with the first few values
    (flattened, rounded); numbers: ``{"type": "number", "value"}``; anything else:
    ``{"type": <type name>}``. Non-finite numbers are given as strings."""
    if isinstance(value, np.ndarray):
        flat = value.reshape(-1)[:MAX_VALUES]
        values = [_number(v) for v in flat] if value.dtype.kind in "biuf" else []
        return {
            "type": "array",
            "shape": list(value.shape),
            "dtype": str(value.dtype),
            "values": values,
        }
    if isinstance(value, bool | np.bool_):
        return {"type": "bool", "value": bool(value)}
    if isinstance(value, int | float | np.integer | np.floating):
        return {"type": "number", "value": _number(value)}
    if isinstance(value, str):
        return {"type": "str", "value": value[:40]}
    return {"type": type(value).__name__}


def _number(v):
    v = float(v)
    if not np.isfinite(v):
        return str(v)
    return float(f"{v:.4g}")


def trace_call(
    fn: Callable, *args, max_steps: int = MAX_STEPS, code=None, **kwargs
) -> tuple[object, list[TraceStep]]:
    """Run ``fn(*args, **kwargs)`` recording its lines; returns ``(result, steps)``.

    Only ``fn``'s own frame is traced (not the functions it calls), or the frame of the
    code object ``code`` when given (the function a wrapper ``fn`` calls). If ``fn``
    raises, the exception propagates with the steps recorded so far in
    ``exc.trace_steps``."""
    code = code if code is not None else getattr(fn, "__code__", None)
    if code is None:
        raise TypeError("trace_call needs a Python function")
    first = code.co_firstlineno
    steps: list[TraceStep] = []

    def record(frame, event: str) -> None:
        if len(steps) >= max_steps:
            return
        summary, arrays = {}, {}
        for name, value in frame.f_locals.items():
            if name == "self" or name.startswith("__"):
                continue
            summary[name] = summarise(value)
            if isinstance(value, np.ndarray) and value.size <= MAX_COPY_ELEMENTS:
                arrays[name] = value.copy()
        steps.append(TraceStep(frame.f_lineno - first + 1, event, summary, arrays))

    def local(frame, event, arg):
        if event in ("line", "return"):
            record(frame, event)
        return local

    def global_(frame, event, arg):
        if frame.f_code is code:
            return local
        return None

    previous = sys.gettrace()
    sys.settrace(global_)
    try:
        result = fn(*args, **kwargs)
    except BaseException as exc:
        exc.trace_steps = steps
        raise
    finally:
        sys.settrace(previous)
    return result, steps
