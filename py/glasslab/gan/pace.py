"""Training inside a time budget per animation frame, the budget a frame leaves, and the
speed training reaches.

``Pace.train(lab, budget)`` runs chunks of iterations until ``budget`` seconds are
spent, sizing chunks to about ``CHUNK_SECONDS`` and the last one to the time left, so
the budget is kept closely; ``Pace.rate`` is iterations per second of wall-clock time
(drawing and idle time included), measured over windows of at least ``WINDOW_SECONDS``.

:class:`FrameBudget` says how long the next frame may train: a frame of period T
(the display's refresh interval) holds training t and everything else c (writing and
drawing the views, the browser's style, layout, paint and commit), so

    budget = k T - c - m,    at most MAX_BUDGET_S

with c a high quantile (``COST_QUANTILE``) of the costs of the last ``COST_FRAMES``
frames of the same kind (a frame's cost is the time its main thread was busy, measured
by the page, minus the training in it; frames that also update the charts, say, are
another kind) and a margin m = ``MARGIN_S`` for the compositor and the
unexpected. T is a low quantile of the recent frame intervals, so frames that came
late do not lengthen it, and at most ``MAX_PERIOD_S``: when every frame is long (a busy
machine), the intervals are the page's own frames, not the display's, and a period
measured from them would let each frame train longer, and so come later, than the last.
k = 1 while that leaves training at least ``MIN_SHARE`` of the period, so a frame
keeps to one refresh unless drawing alone nearly fills it; where it does (a slow
device, or a machine busy with other work) a frame takes k > 1 periods whatever the page
does, so k is the least whole number that leaves training that share, and training gets
the rest of those k periods instead of idling until the next one. Until the page has
measured a frame, the budget is ``DEFAULT_BUDGET_S``.

:func:`field_due` spreads the dearest view over frames: while training plays, D's
heatmap (its forward pass on the whole grid) is redrawn every ``FIELD_EVERY``-th frame,
the points and arrows every frame.

:class:`Every` is a clock for things shown at a bounded rate (the counters' text).
All times are in seconds.
"""

from __future__ import annotations

import math
import time
from collections import deque

CHUNK_SECONDS = 0.002
WINDOW_SECONDS = 0.5
MAX_CHUNK = 200

DEFAULT_BUDGET_S = 0.010  # until the first frame is measured
MIN_SHARE = 0.15  # training's least share of a period, however slow the drawing
MAX_BUDGET_S = 0.040  # a slow display (or a stalled frame) does not freeze the page
MARGIN_S = 0.002  # left free in each frame besides the measured cost
COST_FRAMES = 30  # the frames whose costs the next budget allows for
COST_QUANTILE = 0.9  # ... this quantile of them (the fourth largest of 30)
PERIOD_FRAMES = 60  # the frame intervals the period is estimated from
FIELD_EVERY = 2  # while playing, D's heatmap is redrawn every this many frames
PERIOD_QUANTILE = 0.2  # the period: this quantile of those intervals
MAX_PERIOD_S = 1 / 50  # ... and at most this (displays refresh at 50 Hz or more)


class Pace:
    def __init__(self, clock=time.perf_counter) -> None:
        self.clock = clock
        self.chunk = 4
        self.rate = 0.0
        self._per_it = 0.0  # seconds per iteration in the last chunk
        self.restart()

    def restart(self) -> None:
        """Start a new measuring window (after a pause)."""
        self._window = [0, 0.0]  # iterations, start time

    def stop(self) -> None:
        self.rate = 0.0

    def train(self, lab, budget: float) -> int:
        """Train ``lab`` for about ``budget`` seconds; the iterations done.
        GanDiverged propagates (the iterations before it still count)."""
        start = self.clock()
        done = 0
        try:
            while True:
                t0 = self.clock()
                n = self.chunk
                if self._per_it > 0:  # the last chunk fills the time left
                    n = max(1, min(n, int((budget - (t0 - start)) / self._per_it)))
                lab.train(n)
                done += n
                self._per_it = (self.clock() - t0) / n
                self.chunk = max(1, min(MAX_CHUNK, int(CHUNK_SECONDS / max(self._per_it, 1e-6))))
                if self.clock() - start + self._per_it > budget:
                    break
        finally:
            self._count(done, start)
        return done

    def _count(self, done: int, start: float) -> None:
        now = self.clock()
        if not self._window[1]:
            self._window = [0, start]
        self._window[0] += done
        if now - self._window[1] >= WINDOW_SECONDS:
            self.rate = self._window[0] / (now - self._window[1])
            self._window = [0, now]


class FrameBudget:
    """The training time of the next animation frame (see the module docstring)."""

    def __init__(self) -> None:
        self.intervals: deque[float] = deque(maxlen=PERIOD_FRAMES)
        self.costs: dict[object, deque[float]] = {}  # kind of frame -> its latest costs
        self.start: float | None = None  # the last frame's timestamp
        self.trained = 0.0  # the training time of the last frame
        self.kind: object = None  # the kind of the last frame

    def frame(self, start_ms: float | None, busy_ms: float | None, kind: object = None) -> float:
        """A new frame began at ``start_ms``; the last one kept the main thread busy for
        ``busy_ms`` (milliseconds as the page's clock gives them; None: not measured).
        The training budget of this frame, in seconds.

        ``kind`` (any hashable) says what this frame draws besides what every frame
        draws (say, whether the charts get a point): frames that draw more cost more,
        and each kind is budgeted from the costs of its own kind, so the dearer frames
        that come regularly neither come late nor shorten the training of the others.
        """
        start = None if start_ms is None else start_ms / 1000
        busy = None if busy_ms is None else busy_ms / 1000
        if start is not None:
            if self.start is not None and start > self.start:
                self.intervals.append(start - self.start)
            self.start = start
        if busy is not None and busy >= 0:
            costs = self.costs.setdefault(self.kind, deque(maxlen=COST_FRAMES))
            costs.append(max(0.0, busy - self.trained))
        self.trained, self.kind = 0.0, kind
        return self.budget(kind)

    def spent(self, seconds: float) -> None:
        """This frame trained for ``seconds``."""
        self.trained += seconds

    @property
    def period(self) -> float | None:
        """T: the display's frame period, or None before two frames were seen."""
        period = _quantile(self.intervals, PERIOD_QUANTILE)
        return None if period is None else min(period, MAX_PERIOD_S)

    def cost(self, kind: object = None) -> float | None:
        """c: what a frame of ``kind`` costs besides training (before one of its kind was
        measured: the largest cost of any kind), or None before any frame was measured."""
        if self.costs.get(kind):
            return _quantile(self.costs[kind], COST_QUANTILE)
        return max((max(c) for c in self.costs.values() if c), default=None)

    def budget(self, kind: object = None) -> float:
        period, cost = self.period, self.cost(kind)
        if period is None or cost is None:
            return DEFAULT_BUDGET_S
        periods = max(1, math.ceil((cost + MARGIN_S) / period + MIN_SHARE))
        return min(MAX_BUDGET_S, periods * period - cost - MARGIN_S)


def _quantile(values, q: float) -> float | None:
    """The ``q`` quantile of ``values`` (the element at that rank), None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))]


def field_due(frame: int, playing: bool) -> bool:
    """True when frame number ``frame`` redraws D's heatmap: every frame when paused
    (each change is shown), every ``FIELD_EVERY``-th while playing."""
    return not playing or frame % FIELD_EVERY == 0


class Every:
    """A rate limit: ``due()`` is True at most once per ``seconds`` of ``clock`` (always
    with ``limited=False``); ``behind`` is True after a ``due()`` that said no."""

    def __init__(self, seconds: float, clock=time.perf_counter) -> None:
        self.seconds = seconds
        self.clock = clock
        self.last = -float("inf")
        self.behind = False

    def due(self, limited: bool = True) -> bool:
        now = self.clock()
        self.behind = limited and now - self.last < self.seconds
        if not self.behind:
            self.last = now
        return not self.behind
