"""glasslab.gan.pace: the training budget of a frame, and the rate limit of the counters."""

from __future__ import annotations

import pytest
from glasslab.gan import pace
from glasslab.gan.pace import Every, FrameBudget, Pace

PERIOD_MS = 1000 / 60


def run_frames(budget: FrameBudget, costs_ms, start_ms: float = 0.0, period_ms=PERIOD_MS):
    """Frames at ``period_ms`` whose cost besides training is ``costs_ms``; each trains
    for the budget it is given. The budgets (s) and the end time."""
    budgets, busy, now = [], None, start_ms
    for cost in costs_ms:
        b = budget.frame(now, busy)
        budget.spent(b)
        budgets.append(b)
        busy = cost + 1000 * b
        now += period_ms
    return budgets, now


def test_frame_budget_is_the_period_less_the_frame_cost_and_a_margin():
    budget = FrameBudget()
    assert budget.frame(None, None) == pace.DEFAULT_BUDGET_S  # nothing measured yet
    budgets, _ = run_frames(budget, [3.0] * 90)
    assert budget.period == pytest.approx(PERIOD_MS / 1000)
    assert budget.cost() == pytest.approx(0.003)
    assert budgets[-1] == pytest.approx(PERIOD_MS / 1000 - 0.003 - pace.MARGIN_S)
    assert budgets[-1] / (PERIOD_MS / 1000) > 0.6  # training's share of a 60 Hz frame


def test_frame_budget_follows_the_cost_and_ignores_rare_spikes():
    budget = FrameBudget()
    run_frames(budget, [2.0] * 60)
    low = budget.budget()
    run_frames(budget, [2.0] * 29 + [12.0], start_ms=2000)  # one slow frame (a collection)
    assert budget.budget() == pytest.approx(low)  # a high quantile, not the maximum
    run_frames(budget, [6.0] * 30, start_ms=4000)  # drawing got dearer: less training
    assert budget.budget() == pytest.approx(low - 0.004)
    run_frames(budget, [2.0] * 30, start_ms=6000)  # and cheaper again
    assert budget.budget() == pytest.approx(low)


def test_frame_budget_fills_whole_periods_and_ignores_late_frames():
    # drawing leaves training less than MIN_SHARE of a period: the frame takes two (or
    # more) periods anyway, and training gets the rest of them; short of that, one period
    for cost_ms, periods in ((9.0, 1), (12.0, 1), (14.0, 2), (30.0, 3), (40.0, 3), (48.0, 4)):
        budgets, _ = run_frames(FrameBudget(), [cost_ms] * 40)
        expected = periods * PERIOD_MS / 1000 - cost_ms / 1000 - pace.MARGIN_S
        assert budgets[-1] == pytest.approx(expected), cost_ms
        assert budgets[-1] >= pace.MIN_SHARE * PERIOD_MS / 1000
    budgets, _ = run_frames(FrameBudget(), [7.0] * 40)  # still one period
    assert budgets[-1] == pytest.approx(PERIOD_MS / 1000 - 0.009)
    # some frames came a whole period late: the period is still the display's
    late = FrameBudget()
    now = 0.0
    for i in range(60):
        late.frame(now, 5.0)
        now += PERIOD_MS * (2 if i % 4 == 0 else 1)
    assert late.period == pytest.approx(PERIOD_MS / 1000)
    # a 120 Hz display halves the frame, and the budget with it
    fast = FrameBudget()
    run_frames(fast, [2.0] * 60, period_ms=PERIOD_MS / 2)
    assert fast.budget() == pytest.approx(PERIOD_MS / 2000 - 0.002 - pace.MARGIN_S)
    # long intervals throughout are the page's own frames (a busy machine), not the
    # display's: the period stays at most MAX_PERIOD_S, so frames do not grow longer
    slow = FrameBudget()
    run_frames(slow, [1.0] * 30, period_ms=200)
    assert slow.period == pace.MAX_PERIOD_S
    assert slow.budget() == pytest.approx(pace.MAX_PERIOD_S - 0.001 - pace.MARGIN_S)
    assert slow.budget() <= pace.MAX_BUDGET_S
    # and a stalled frame never gives more than MAX_BUDGET_S
    assert FrameBudget().budget() <= pace.MAX_BUDGET_S
    stalled = FrameBudget()
    run_frames(stalled, [60.0] * 30)
    assert stalled.budget() <= pace.MAX_BUDGET_S


def test_frame_budget_does_not_feed_on_its_own_long_frames():
    # frames 50 ms apart on a 60 Hz display (each trained long, so each came late):
    # the next budget keeps the frame to one display period, not to 50 ms
    budget, now, busy = FrameBudget(), 0.0, None
    for _ in range(90):
        b = budget.frame(now, busy)
        budget.spent(b)
        busy = 6.0 + 1000 * b
        now += 50.0
    assert budget.period == pace.MAX_PERIOD_S
    assert 1000 * budget.budget() + 6.0 + 1000 * pace.MARGIN_S <= 20.0 + 1e-9


def test_frame_budget_counts_the_training_of_the_frame_before():
    budget = FrameBudget()
    budget.frame(0.0, None)
    budget.spent(0.004)
    budget.spent(0.002)  # the second lab of "Compare" in the same frame
    budget.frame(PERIOD_MS, 9.0)  # busy 9 ms, 6 of them training
    assert budget.cost() == pytest.approx(0.003)
    budget.frame(2 * PERIOD_MS, 1.0)  # this frame did not train (paused)
    assert sorted(budget.costs[None]) == pytest.approx([0.001, 0.003])


def test_frame_budget_keeps_a_cost_per_kind_of_frame():
    budget, now, busy = FrameBudget(), 0.0, None
    for i in range(120):  # every 6th frame also updates the charts: 4 ms more
        kind = "charts" if i % 6 == 0 else None
        b = budget.frame(now, busy, kind)
        budget.spent(b)
        busy = (7.0 if kind else 3.0) + 1000 * b
        now += PERIOD_MS
    period = PERIOD_MS / 1000
    assert budget.budget() == pytest.approx(period - 0.003 - pace.MARGIN_S)
    assert budget.budget("charts") == pytest.approx(period - 0.007 - pace.MARGIN_S)
    # a kind not seen yet is budgeted for the dearest frame seen
    assert budget.budget("thumbnails") == budget.budget("charts")


def test_pace_fills_the_budget_with_its_last_chunk():
    clock = [0.0]

    class Lab:
        iterations = 0

        def train(self, n):
            self.iterations += n
            clock[0] += 0.00013 * n  # 0.13 ms per iteration: chunks do not divide the budget

    lab, p = Lab(), Pace(clock=lambda: clock[0])
    p.train(lab, 0.010)
    for _ in range(20):
        start = clock[0]
        p.train(lab, 0.012)
        assert 0.012 - 0.00013 <= clock[0] - start <= 0.012 + 1e-9


def test_every_limits_the_rate_unless_told_not_to():
    clock = [0.0]
    every = Every(0.25, clock=lambda: clock[0])
    assert every.due() and not every.behind
    clock[0] = 0.1
    assert not every.due() and every.behind
    assert every.due(limited=False) and not every.behind  # paused: always shown
    clock[0] = 0.2
    assert not every.due()
    clock[0] = 0.36
    assert every.due()


def test_field_due_spreads_the_heatmap_over_frames_while_playing():
    playing = [pace.field_due(frame, True) for frame in range(1, 13)]
    assert sum(playing) == 12 // pace.FIELD_EVERY
    assert all(pace.field_due(frame, False) for frame in range(1, 13))  # paused: every frame
