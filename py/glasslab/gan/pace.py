"""Training inside a time budget per animation frame, and the speed it reaches.

``Pace.train(lab, budget)`` runs chunks of iterations until ``budget`` seconds are
spent, sizing chunks to about ``CHUNK_SECONDS`` so the budget is kept closely;
``Pace.rate`` is iterations per second of wall-clock time (drawing and idle time
included), measured over windows of at least ``WINDOW_SECONDS``.
"""

from __future__ import annotations

import time

CHUNK_SECONDS = 0.002
WINDOW_SECONDS = 0.5
MAX_CHUNK = 200


class Pace:
    def __init__(self, clock=time.perf_counter) -> None:
        self.clock = clock
        self.chunk = 4
        self.rate = 0.0
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
                lab.train(self.chunk)
                done += self.chunk
                spent = self.clock() - t0
                per_it = spent / self.chunk
                self.chunk = max(1, min(MAX_CHUNK, int(CHUNK_SECONDS / max(per_it, 1e-6))))
                if self.clock() - start + spent > budget:
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
