"""A time guard on a student's code: a loop that never ends is stopped, with a message.

The guard traces only the frames whose code comes from the guarded file names (the
student's edited functions, ``glasslab.live.code.edited_filename``): on each line and
each bytecode they run it compares the time since the guarded call began with the limit and raises
:class:`CodeTimeout` inside the student's frame once it is over. Frames of other code
(the engine, NumPy's Python parts) are not traced, so the cost is small, and code that
is not guarded (the original functions) runs without any tracing at all.

Uses ``sys.settrace``, which Pyodide supports like CPython; a tracer that was set before
(a debugger, the line trace of slow motion) keeps seeing every frame, the guarded ones
included, and is put back afterwards.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable

DEFAULT_SECONDS = 2.0


class CodeTimeout(RuntimeError):
    """The student's code ran longer than the guard allows; ``line`` is where it was."""

    def __init__(self, seconds: float, line: int | None) -> None:
        super().__init__(f"stopped after {seconds:g} s: the code did not finish (an endless loop?)")
        self.seconds = seconds
        self.line = line


class Guard:
    """``with Guard({filename}, seconds):`` stops the named files' frames after ``seconds``."""

    def __init__(
        self,
        filenames,
        seconds: float = DEFAULT_SECONDS,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.filenames = frozenset(filenames)
        self.seconds = float(seconds)
        self.clock = clock
        self._start = 0.0
        self._previous = None

    def _local(self, frame, event, arg):
        if event in ("line", "opcode") and self.clock() - self._start > self.seconds:
            raise CodeTimeout(self.seconds, frame.f_lineno)
        return self._local

    def _chained(self, inner):
        """The guard's local tracer, also feeding the tracer set before (``inner``, the
        line trace of slow motion) every event but the opcodes."""

        def local(frame, event, arg):
            nonlocal inner
            self._local(frame, event, arg)
            if inner is not None and event != "opcode":
                inner = inner(frame, event, arg)
            return local

        return local

    def _global(self, frame, event, arg):
        inner = self._previous(frame, event, arg) if self._previous is not None else None
        if frame.f_code.co_filename in self.filenames:
            if self.clock() - self._start > self.seconds:
                raise CodeTimeout(self.seconds, frame.f_lineno)
            frame.f_trace_opcodes = True  # a one-line loop has no line events, only opcodes
            return self._local if inner is None else self._chained(inner)
        return inner

    def __enter__(self) -> Guard:
        self._start = self.clock()
        self._previous = sys.gettrace()
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc) -> None:
        sys.settrace(self._previous)


def guarded(fn: Callable, filename: str, seconds: float = DEFAULT_SECONDS) -> Callable:
    """``fn`` wrapped so that each call runs under a :class:`Guard` on ``filename``."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        with Guard({filename}, seconds):
            return fn(*args, **kwargs)

    call.__wrapped_edit__ = fn
    return call
