"""GAN lab page, the frame loop: training in a time budget, slow motion, typed-array writes."""

from __future__ import annotations

import time

import numpy as np

from glasslab.gan import GanDiverged
from glasslab.gan import view as gan_view
from glasslab.gan.compare import Comparison
from glasslab.gan.handoff import Offload
from glasslab.gan.pace import Every, FrameBudget, Pace, field_due
from glasslab.gan.stages import STEP_FUNCTIONS, SlowMotion, code_lines, step_source
from glasslab.live.session import CodeFailed
from glasslab.web import bridge
from glasslab.web.i18n import Text

METRICS_EVERY = 6  # frames between divergence/chart updates while playing
STAGE_SECONDS = 0.9  # slow motion: time each sub-step stays on screen
COUNTER_SECONDS = 0.25  # the counters' text changes at most this often while playing


class Frames:
    """What happens in each animation frame for ``page`` (a ``GanPage``)."""

    def __init__(self, page) -> None:
        self.page, self.view, self.canvas = page, page.view, page.view.canvas
        self.pace, self.budget, self.counted = Pace(), FrameBudget(), Every(COUNTER_SECONDS)
        self.thumbs = True  # this frame redraws the graph's thumbnails
        self.motion = SlowMotion(STAGE_SECONDS)
        self.frame = 0
        self.dirty = self.real_dirty = True  # dirty "batch": the slow-motion batch is shown
        self.code_shown = ("d", None)
        self.kl = self.js_div = None
        self.compare = Comparison()  # the second lab of "Compare", trained in the same frames
        self.offload = Offload(self.view.trainer, self.pace)  # training in site/js/gan-worker.js
        self._heat = np.empty((gan_view.GRID, gan_view.GRID, 4), dtype=np.uint8)

    def tick(self, now=None, busy=None) -> None:
        """Called by site/js/gan-page.js once per animation frame (its timestamp, and the
        time the last frame kept the main thread busy, in ms): train (or show what the
        worker trained, ``glasslab.gan.handoff``), then draw."""
        page, start = self.page, time.perf_counter()
        self.frame += 1
        self.thumbs = bool(self.view.graph.due())  # the graph's thumbnails: the manifold too
        metrics = page.playing and not page.slow and self.frame % METRICS_EVERY == 0
        budget = self.budget.frame(now, busy, (metrics, self.thumbs))
        if page.playing:  # the worker trains, but not slow motion, Compare or edited code
            edited = page.slow or self.compare.lab or page.live.session.edited()
            worker, diverged = self.offload.frame(page.lab, eligible=not edited)
            try:
                if diverged:
                    raise GanDiverged(diverged, page.lab.iteration, page.lab.iteration)
                if page.slow:
                    self.advance_stage()
                else:
                    self.dirty = True
                    if not worker:
                        self.pace.train(page.lab, budget / (2 if self.compare.lab else 1))
            except GanDiverged as exc:
                page.pause()
                page.messages.show(Text("gan.msg.diverged", detail=exc))
            except CodeFailed as exc:
                page.pause()
                page.live.failed(exc)
        self.compare.keep_up(page.lab)
        self.budget.spent(time.perf_counter() - start)
        if metrics and page.playing:
            self.update_metrics(push=True)
        if self.dirty or (self.counted.behind and not page.playing):  # the counter after a pause
            self.refresh()

    def stop_stages(self) -> None:
        self.motion.stop()
        self.view.graph.highlight(None, None)

    def advance_stage(self) -> None:
        item = self.motion.advance(self.page.lab, time.perf_counter())
        if item == SlowMotion.END:
            self.update_metrics(push=True)
        if not isinstance(item, tuple):
            return
        net, _index, _count, name, _text, arrays = item
        self.view.graph.highlight(name, net)
        self.show_stage_text()
        self.show_code(net, name)
        self.dirty = True
        if name in ("sample", "classify") and "fake" in arrays:
            # show this batch rather than the tracked samples
            if "real" in arrays:
                self.put_points("real", arrays["real"])
            self.put_points("fake", arrays["fake"])
            self.canvas.showGrad = False
            self.dirty = "batch"
        else:
            self.canvas.showGrad = True
            self.real_dirty = True
        if name == "update":
            self.update_metrics(push=False)

    def show_stage_text(self) -> None:
        if self.motion.shown is not None:
            self.view.graph.stageText(bridge.to_js(self.motion.shown))

    def show_code(self, net: str, stage: str | None) -> None:
        self.code_shown = (net, stage)
        trace = self.motion.trace if stage else None  # the traced lines and locals
        lines = code_lines(step_source(net, self.page.lab), net, stage, trace and trace["lines"])
        shown = {"fn": STEP_FUNCTIONS[net], "stage": stage, "lines": lines, "trace": trace}
        self.view.code.show(bridge.to_js(shown))

    # ------------------------------------------------------------ views

    def put_points(self, which: str, points: np.ndarray) -> None:
        flat = np.ascontiguousarray(points, dtype=np.float32).reshape(-1)
        canvas = self.canvas
        (canvas.real if which == "real" else canvas.fake).subarray(0, flat.size).assign(flat)
        setattr(canvas, "nReal" if which == "real" else "nFake", points.shape[0])

    def refresh(self) -> None:
        lab, canvas = self.page.lab, self.canvas
        if self.dirty != "batch":
            field = field_due(self.frame, self.page.playing)  # D's heatmap, every 2nd frame
            arrays = gan_view.frame_arrays(
                lab, canvas.layers.manifold or self.thumbs, self._heat, field
            )
            if self.real_dirty:
                arrays.update(gan_view.sample_arrays(lab))
                canvas.nReal, self.real_dirty = arrays["real"].size // 2, False
            canvas.nFake, canvas.manifoldDim = arrays["fake"].size // 2, lab.config.noise_dim
        else:
            arrays = {"heat": gan_view.lab_heat(lab, self._heat).reshape(-1)}
        for name, array in arrays.items():
            getattr(canvas, name).subarray(0, array.size).assign(array)
        for name, array in self.compare.view_arrays().items() if self.compare.lab else ():
            getattr(self.view.compare, name).subarray(0, array.size).assign(array)
            setattr(self.view.compare, name + "Size", array.size)  # the floats written
        self.view.graph.ran(lab.d_steps, lab.g_steps)
        canvas.draw()
        self.dirty = False
        if not self.counted.due(limited=self.page.playing):
            return
        rate = f"{self.pace.rate:,.0f}" if self.page.playing else None
        fps = f"{self.view.frameStats().fps:.0f}"
        self.view.controls.counter(f"{lab.iteration:,}", rate, fps)

    def update_metrics(self, push: bool) -> None:
        lab = self.page.lab
        self.kl, self.js_div = lab.divergence()
        d_loss, g_loss = lab.d_loss, lab.g_loss
        if push:
            self.view.charts.push(lab.iteration, d_loss, g_loss, self.kl, self.js_div)
            self.view.charts.draw()
        d = "—" if d_loss is None else f"{d_loss:.4f}"
        g = "—" if g_loss is None else f"{g_loss:.4f}"
        self.view.charts.values(d, g, f"{self.kl:.3f}", f"{self.js_div:.3f}")
        self.view.graph.loss(d[:5], g[:5])
        self.view.compare.show(bridge.to_js(self.compare.state()), push)
