"""GAN lab page wiring: the lab's life cycle, the ``window.glasslab`` handle, URL state
(the maths is in ``glasslab.gan``, the frame loop in ``gan_frames``)."""

from __future__ import annotations

import js
import numpy as np

from glasslab.gan import GanDiverged
from glasslab.gan import settings as gs
from glasslab.gan import view as gan_view
from glasslab.gan.session import DRAW, NEW_RUN, GanSession
from glasslab.web import bridge
from glasslab.web.gan_frames import Frames
from glasslab.web.i18n import Text, on_change, t
from glasslab.web.live import CodeFailed, LivePanels, gan_session


def readable(exc: Exception):
    """The page's text of a refused setting (SettingError keys are translated)."""
    return Text(exc.key, **exc.params) if isinstance(exc, gs.SettingError) else str(exc)


class GanPage:
    def __init__(self) -> None:
        self.view = js.window.glasslabGanView
        self.playing = self.slow = False
        self.messages = bridge.MessageBox()
        self.session = GanSession()
        self.frames = Frames(self)
        self.view.start(self._page_object(), bridge.to_js(gan_view.page_setup()))
        problems = self.session.start(bridge.url_params())
        self.after_model_change()
        calls = self.frames.motion.calls()  # slow motion's speed control and step key
        self.live = LivePanels(gan_session(lambda: self.session.lab), self.messages, calls=calls)
        if problems:
            self.messages.show(Text("gan.msg.link_ignored", detail=_Joined(problems)))

    @property
    def lab(self):
        return self.session.lab

    def own(self):  # the lab back from the worker (if it trains it) before anything changes it
        self.frames.offload.take_back()
        return self.lab

    def _page_object(self):  # what the JS views call besides the handle
        page = js.Object.new()
        for name, fn in {
            "tick": self.frames.tick,
            "toggle": self.toggle,
            "setPretrained": lambda on: self.set_from_js({"pretrained": bool(on)}),
            "load": lambda text=None: self.load_text(text),
            "save": self.save,
            "finishDrawing": self.finish_drawing,
            "cancelDrawing": self.cancel_drawing,
            "redraw": self.redraw,
            "probe": lambda x, y: self.lab.probe_reading(x, y),
        }.items():
            setattr(page, name, bridge.proxy(fn))
        return page

    # ------------------------------------------------------------ model life cycle

    def after_model_change(self, new_run: bool = True) -> None:
        """Redraw everything after the model or its settings changed; a new run clears charts."""
        if self.session.preset_problem is not None:
            problem, self.session.preset_problem = self.session.preset_problem, None
            self.messages.show(Text("gan.msg.pretrained_failed", detail=problem))
        if new_run:
            self.view.charts.clear()
        self.frames.motion.walker = None
        self.frames.real_dirty = True
        self.redraw()
        self.frames.update_metrics(push=new_run)
        self.sync_controls()
        bridge.write_url(gs.to_url(bridge.url_params(), self.lab.config, self.session.pretrained))

    def reset(self) -> None:
        self.pause()
        try:
            self.session.reset()
        except ValueError as exc:
            self.messages.show(Text("gan.msg.detail", detail=exc))
            return
        self.after_model_change()
        self.messages.clear()

    def apply(self, request: gs.Request) -> None:
        """Apply a checked ``set()`` call: all of it, or (ValueError) nothing at all."""
        self.own()
        was = self.session.pretrained
        done = self.session.update(request.settings, request.pretrained)
        if request.slow_motion is not None:
            self.set_slow(request.slow_motion)
        if done == DRAW:
            self.pause()
            self.view.canvas.startDrawing()
        elif request.settings or self.session.pretrained != was:
            if "dataset" in request.settings:
                self.cancel_drawing()
            if self.session.pretrained != was:
                self.pause()
            self.after_model_change(new_run=done == NEW_RUN)

    def redraw(self, *_args) -> None:
        self.frames.dirty = True

    async def seek(self, iteration) -> dict:
        self.own().seek(iteration)  # a snapshot of the lab's history; the charts keep its past
        self.after_model_change(new_run=False)
        self.view.rewound(bridge.to_js(self.lab.history.summaries()), self.lab.iteration)
        return self.state()

    def compare(self, params=None) -> dict:
        self.frames.compare.start(self.own(), params)  # None ends it
        self.redraw()
        self.frames.update_metrics(push=False)
        return self.state()

    # ------------------------------------------------------------ transport

    def play(self) -> None:
        if self.view.canvas.drawingMode:  # the pad is open: nothing to train yet
            raise bridge.UserError(Text("gan.error.drawing_open"))
        if self.playing:
            return
        self.playing = True
        self.frames.pace.restart()
        self.view.graph.setFlowing(True)
        self.sync_controls()

    def pause(self) -> None:
        self.own()
        self.playing = False
        self.view.canvas.showGrad = True
        self.frames.pace.stop()
        self.view.graph.setFlowing(False)
        self.frames.stop_stages()
        self.sync_controls()

    def toggle(self, *_args) -> None:
        self.pause() if self.playing else self.play()

    def step(self, which: str) -> None:
        if which not in ("d", "g", "both"):
            raise bridge.UserError(Text("gan.error.step", value=repr(which)))
        self.frames.motion.walker = None
        try:
            self.own().step(which)
        except GanDiverged as exc:
            self.messages.show(Text("gan.msg.diverged", detail=exc))
        except CodeFailed as exc:
            self.live.failed(exc)
        self.redraw()
        self.frames.update_metrics(push=True)
        self.frames.show_code("g" if which == "g" else "d", None)

    def set_slow(self, on: bool) -> None:
        self.slow = on
        self.frames.stop_stages()
        self.frames.motion.due = 0.0
        if not on:
            self.frames.motion.shown = "off"
            self.frames.show_stage_text()

    # ------------------------------------------------------------ drawing, files

    def finish_drawing(self, *_args) -> None:
        canvas = self.view.canvas
        n = int(canvas.nDrawing)
        points = np.zeros(n * 2, dtype=np.float32)
        if n:
            canvas.drawing.subarray(0, n * 2).assign_to(points)
        try:
            self.session.use_drawing(points.reshape(n, 2).astype(np.float64))
        except ValueError as exc:
            self.messages.show(Text("gan.msg.drawing", detail=exc))
            return
        canvas.endDrawing()
        self.messages.clear()
        self.after_model_change()

    def cancel_drawing(self, *_args) -> None:
        if self.view.canvas.drawingMode:
            self.view.canvas.endDrawing()
            self.sync_controls()
            self.redraw()

    def save(self, *_args) -> None:
        self.own()
        self.view.download(*self.session.save())

    def load_text(self, text) -> None:
        """Load a saved model (``None``: the chosen file was too large to read)."""
        try:
            if text is None:
                raise ValueError(Text("gan.error.too_large"))
            self.session.load(text)
        except (ValueError, TypeError) as exc:
            self.messages.show(Text("gan.msg.load_failed", detail=exc))
            return
        self.pause()
        self.cancel_drawing()
        self.messages.clear()
        self.after_model_change()

    # ------------------------------------------------------------ views' texts

    def sync_controls(self) -> None:
        shown = self.session.controls(bool(self.view.canvas.drawingMode))
        self.view.controls.show(bridge.to_js({**shown, "playing": self.playing, "slow": self.slow}))

    def relabel(self) -> None:
        """Set every text this page set again, in the language just chosen."""
        self.sync_controls()
        self.frames.show_stage_text()
        self.frames.show_code(*self.frames.code_shown)
        self.frames.update_metrics(push=False)
        self.redraw()
        self.messages.relabel()

    # ------------------------------------------------------------ handle

    def state(self) -> dict:
        canvas, stats = self.view.canvas, self.view.frameStats()
        return {
            "page": "gan",
            "ready": True,
            **self.session.lab_state(),
            "kl": self.frames.kl,
            "js": self.frames.js_div,
            "playing": self.playing,
            "slow_motion": self.slow,
            "stage": self.frames.motion.stage,
            "drawing_mode": bool(canvas.drawingMode),
            "layers": {layer: bool(getattr(canvas.layers, layer)) for layer in gs.LAYERS},
            "iterations_per_second": round(self.frames.pace.rate, 1),
            "trainer": self.frames.offload.trainer,
            "fps": round(float(stats.fps), 1),
            "frame_ms_p95": round(float(stats.p95_ms), 2),
            "message": self.messages.text,
            "compare": self.frames.compare.state(),
            **self.live.session.state(),
        }

    def set_from_js(self, raw) -> dict:
        try:
            self.apply(request := gs.parse_request(raw))
        except (ValueError, TypeError) as exc:
            self.sync_controls()  # put the controls back to the settings in force
            raise bridge.UserError(Text("gan.msg.not_applied", detail=readable(exc))) from None
        for layer, on in request.layers.items():
            self.view.controls.setLayer(layer, on)
            self.redraw()
        self.sync_controls()
        if not self.view.canvas.drawingMode:
            self.messages.clear()
        return self.state()


class _Joined:
    """Messages joined by "; ", each translated when shown."""

    def __init__(self, items):
        self.items = [Text(i) if isinstance(i, str) else readable(i) for i in items]

    def __str__(self) -> str:
        return t("gan.msg.separator").join(str(item) for item in self.items)


def main() -> None:
    page = GanPage()
    page.frames.refresh()
    page.frames.show_code("d", None)
    on_change(page.relabel)
    bridge.expose("state", page.state)
    bridge.expose("play", lambda: page.play())
    bridge.expose("pause", lambda: page.pause())
    bridge.expose("step", lambda which="both": page.step(which))
    bridge.expose("reset", lambda: page.reset())
    bridge.expose("set", page.set_from_js)
    bridge.expose("benchmark", lambda n=2000: page.session.benchmark(n))
    bridge.expose("probe", lambda x, y: page.lab.probe_reading(x, y))
    bridge.expose("history", lambda: page.frames.offload.summaries(page.lab))
    bridge.expose("seek", page.seek)
    bridge.expose("compare", page.compare)
    autoplay, problem = gs.url_flag(bridge.url_params(), "autoplay")
    if autoplay:  # embedding option: train once ready
        page.play()
    elif problem:
        page.messages.show(Text("gan.msg.link_ignored", detail=readable(problem)))
    bridge.mark_ready()
