"""GAN lab page wiring: controls, the training loop inside animation frames, views, URL state.

All GAN maths is in ``glasslab.gan`` and ``glasslab.gan_view``; drawing is in
``site/js/gan-view.js``, which reads typed arrays this module fills in bulk.
"""

from __future__ import annotations

import inspect
import json
import math
import time
from urllib.parse import parse_qsl, urlencode

import js
import numpy as np

from glasslab.gan import view as gan_view
from glasslab.gan import PRESETS, Config, GanDiverged, GanLab, preset_json
from glasslab.web import bridge
from glasslab.web.i18n import Text, on_change, t

LR_MENU = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
INT_FIELDS = ("noise_dim", "g_layers", "g_neurons", "d_layers", "d_neurons", "k_d", "k_g", "seed")
FLOAT_FIELDS = ("g_lr", "d_lr")
CHOICE_FIELDS = ("dataset", "noise_dist", "g_optimizer", "d_optimizer", "loss")
FIELDS = CHOICE_FIELDS + INT_FIELDS + FLOAT_FIELDS
ARCHITECTURE = {"noise_dim", "g_layers", "g_neurons", "d_layers", "d_neurons"}
LIVE_FIELDS = ("g_lr", "d_lr", "g_optimizer", "d_optimizer", "loss", "k_d", "k_g", "noise_dist")
LAYERS = ("heatmap", "real", "fake", "gradients", "manifold")
TRAIN_BUDGET_S = 0.010  # training time per animation frame; the rest is drawing
METRICS_EVERY = 6  # frames between divergence/chart updates while playing
STAGE_SECONDS = 0.9  # slow motion: time each sub-step stays on screen
MANIFOLD_CELLS = 20

# Which source lines each slow-motion stage runs, found in the real source.
STAGE_LINES = {
    "d": {
        "sample": ("_real.next", "generator.forward", "concatenate"),
        "classify": ("discriminator.forward",),
        "loss": ("d_loss",),
        "gradients": ("backward(",),
        "update": ("optimizer.step",),
    },
    "g": {
        "sample": ("_noise.next", "generator.forward"),
        "classify": ("discriminator.forward",),
        "loss": ("g_loss",),
        "gradients": ("backward(",),
        "update": ("optimizer.step",),
    },
}


class UserError(ValueError):
    """Bad input from the page or the URL: shown as a message, nothing changes."""


def parse_settings(raw: dict) -> dict:
    """Turn strings from controls or the URL into typed settings; UserError on nonsense.

    Range checks are the engine's (Config); this only refuses what is not a
    number at all, so the message names the setting.
    """
    out = {}
    for name, value in raw.items():
        if name not in FIELDS:
            raise UserError(Text("gan.error.unknown_setting", name=repr(name)))
        text = str(value).strip()
        if name in INT_FIELDS:
            try:
                number = float(text)
            except ValueError:
                raise UserError(Text("gan.error.whole", name=name, value=repr(text))) from None
            if not math.isfinite(number) or number != int(number):
                raise UserError(Text("gan.error.whole", name=name, value=repr(text)))
            out[name] = int(number)
        elif name in FLOAT_FIELDS:
            try:
                number = float(text)
            except ValueError:
                raise UserError(Text("gan.error.number", name=name, value=repr(text))) from None
            if not math.isfinite(number) or number <= 0:
                raise UserError(Text("gan.error.positive", name=name, value=repr(text)))
            out[name] = number
        else:
            out[name] = text
    return out


class GanPage:
    def __init__(self) -> None:
        self.view = js.window.glasslabGanView
        self.doc = js.document
        self.playing = False
        self.slow = False
        self.pretrained = True
        self.message = None
        self.kl = None
        self.js_div = None
        self.rate = 0.0  # measured iterations per second while playing
        self._rate_window = [0, 0.0]  # iterations, seconds
        self._chunk = 4
        self._frame = 0
        self._dirty = True
        self._stage_walker = None
        self._stage = None
        self._stage_due = 0.0
        self._view_real_dirty = True
        self._message_source = None
        self._stage_text = None  # the slow-motion text shown, to show again in a new language
        self._code_shown = ("d", None)
        self._heat = np.empty((30, 30, 4), dtype=np.uint8)
        self._sources = {
            "d": inspect.getsource(GanLab.discriminator_step),
            "g": inspect.getsource(GanLab.generator_step),
        }
        self.lab = GanLab()
        self._init_controls()
        self._load_from_url()

    # ------------------------------------------------------------ model life cycle

    def new_lab(self, config: Config, drawing=None, overrides: dict | None = None) -> None:
        """Fresh lab for ``config``: the pretrained preset when asked for and available.

        A preset brings its own settings; ``overrides`` (live settings only:
        learning rates, optimisers, loss, k) are applied on top of it.
        """
        lab = None
        if self.pretrained and config.dataset in PRESETS:
            try:
                lab = GanLab.from_json(preset_json(config.dataset))
            except (OSError, ValueError) as exc:
                self.pretrained = False
                self.show_message(Text("gan.msg.pretrained_failed", detail=exc))
            else:
                if overrides:
                    lab.set(**overrides)
        if lab is None:
            lab = GanLab(config, drawing=drawing)
        self.lab = lab
        self._after_model_change()

    def _after_model_change(self, new_run: bool = True) -> None:
        """Redraw everything after the model or its settings changed; a new run clears charts."""
        if new_run:
            self.view.clearCharts()
        self._stage_walker = None
        self._view_real_dirty = True
        self._dirty = True
        self._update_metrics(push=new_run)
        self._sync_controls()
        self._write_url()

    def reset(self) -> None:
        self.pause()
        cfg = self.lab.config
        try:
            self.new_lab(cfg, self.lab.drawing, {k: getattr(cfg, k) for k in LIVE_FIELDS})
        except ValueError as exc:
            self.show_message(Text("gan.msg.detail", detail=exc))
            return
        self.clear_message()

    def apply(self, changes: dict) -> None:
        """Apply settings (already typed). Raises UserError with nothing changed on bad input."""
        config = self.lab.config
        try:
            new = config.replace(**changes)
        except (ValueError, TypeError) as exc:
            raise UserError(str(exc)) from None
        if new.dataset == "drawing" and changes.get("dataset") == "drawing":
            self.start_drawing()
            return
        if self.view.drawingMode and "dataset" in changes:
            self.cancel_drawing()
        changed = {k for k in changes if getattr(config, k) != getattr(new, k)}
        if changed & {"dataset", "seed"} or (self.pretrained and changed & ARCHITECTURE):
            # a new data set or seed starts a new run; pretrained weights exist only for the
            # presets' own architectures and seeds
            if changed & (ARCHITECTURE | {"seed"}):
                self.pretrained = False
            self.new_lab(new, drawing=self.lab.drawing)
        else:
            try:
                self.lab.set(**changes)
            except ValueError as exc:
                raise UserError(str(exc)) from None
            self._after_model_change(new_run=False)

    # ------------------------------------------------------------ transport

    def play(self) -> None:
        if self.playing:
            return
        self.playing = True
        self._rate_window = [0, 0.0]
        self.view.setFlowing(True)
        self._sync_transport()

    def pause(self) -> None:
        self.playing = False
        self.view.showGrad = True
        self.rate = 0.0
        self.view.setFlowing(False)
        self._stage_walker = None
        self._stage = None
        self.view.highlight("")
        self._sync_transport()

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def step(self, which: str) -> None:
        if which not in ("d", "g", "both"):
            raise UserError(Text("gan.error.step", value=repr(which)))
        self._stage_walker = None
        try:
            self.lab.step(which)
        except GanDiverged as exc:
            self.show_message(Text("gan.msg.diverged", detail=exc))
        self._dirty = True
        self._update_metrics(push=True)
        self._show_code("g" if which == "g" else "d", None)

    # ------------------------------------------------------------ frame loop

    def tick(self, now) -> None:
        """Called by gan-view.js once per animation frame."""
        self._frame += 1
        if self.playing:
            if self.slow:
                self._advance_stage()
            else:
                self._train_for_budget()
                if self._frame % METRICS_EVERY == 0:
                    self._update_metrics(push=True)
        if self._dirty:
            self._refresh_view()

    def _train_for_budget(self) -> None:
        start = time.perf_counter()
        done = 0
        try:
            while True:
                t0 = time.perf_counter()
                self.lab.train(self._chunk)
                done += self._chunk
                spent = time.perf_counter() - t0
                # aim for chunks of about 2 ms so the budget is kept closely
                per_it = spent / self._chunk
                self._chunk = max(1, min(200, int(0.002 / max(per_it, 1e-6))))
                if time.perf_counter() - start + spent > TRAIN_BUDGET_S:
                    break
        except GanDiverged as exc:
            self.pause()
            self.show_message(Text("gan.msg.diverged", detail=exc))
        # iterations per second of wall-clock time, drawing and idle time included
        now = time.perf_counter()
        if not self._rate_window[1]:
            self._rate_window = [0, start]
        self._rate_window[0] += done
        if now - self._rate_window[1] >= 0.5:
            self.rate = self._rate_window[0] / (now - self._rate_window[1])
            self._rate_window = [0, now]
        self._dirty = True

    # ------------------------------------------------------------ slow motion

    def _stage_sequence(self):
        """Sub-steps of one iteration: k_d discriminator steps, then k_g generator steps."""
        cfg = self.lab.config
        for i in range(cfg.k_d):
            for stage in self.lab.stages("d"):
                yield ("d", i + 1, cfg.k_d, *stage)
        for i in range(cfg.k_g):
            for stage in self.lab.stages("g"):
                yield ("g", i + 1, cfg.k_g, *stage)
        self.lab.iteration += 1

    def _advance_stage(self) -> None:
        now = time.perf_counter()
        if now < self._stage_due:
            return
        self._stage_due = now + STAGE_SECONDS
        if self._stage_walker is None:
            self._stage_walker = self._stage_sequence()
        try:
            net, index, count, name, text, arrays = next(self._stage_walker)
        except StopIteration:
            self._stage_walker = None
            self._update_metrics(push=True)
            return
        except GanDiverged as exc:
            self.pause()
            self.show_message(Text("gan.msg.diverged", detail=exc))
            return
        except RuntimeError:
            self._stage_walker = None
            return
        self._stage = {"network": net, "stage": name, "step": index, "of": count}
        self.view.highlight(f"{name}-{net}" if name in ("gradients", "update") else name)
        self._stage_text = (net, index, count, name, text)
        self._show_stage_text()
        self._show_code(net, name)
        self._dirty = True
        if name in ("sample", "classify") and "fake" in arrays:
            # show this batch rather than the tracked samples
            if "real" in arrays:
                self._put_points("real", arrays["real"])
            self._put_points("fake", arrays["fake"])
            self.view.showGrad = False
            self._dirty = "batch"
        else:
            self.view.showGrad = True
            self._view_real_dirty = True
        if name == "update":
            self._update_metrics(push=False)

    def _show_stage_text(self) -> None:
        shown = self._stage_text
        if shown == "off":
            bridge.set_text("stage-text", t("gan.stage.off"))
        elif shown is not None:
            net, index, count, name, _engine_text = shown
            bridge.set_text(
                "stage-text",
                t(
                    "gan.stage.line",
                    who=t("gan.who.d" if net == "d" else "gan.who.g"),
                    index=index,
                    count=count,
                    stage=_stage_name(name),
                    text=t(f"gan.stage.{net}.{name}"),
                ),
            )

    def relabel(self) -> None:
        """Set every text this module wrote again, in the language just chosen."""
        self._sync_transport()
        self._sync_controls()
        self._show_stage_text()
        self._show_code(*self._code_shown)
        self._update_metrics(push=False)
        self._dirty = True
        if self._message_source is not None:
            self.show_message(*self._message_source)

    def _show_code(self, net: str, stage: str | None) -> None:
        source = self._sources[net]
        marks = STAGE_LINES[net].get(stage, ()) if stage else ()
        pre = bridge.element("code")
        pre.textContent = ""
        for line in source.rstrip().splitlines():
            span = self.doc.createElement("span")
            span.textContent = line + "\n"
            if any(m in line for m in marks):
                span.className = "hl"
            pre.appendChild(span)
        caption = "GanLab.discriminator_step" if net == "d" else "GanLab.generator_step"
        self._code_shown = (net, stage)
        bridge.set_text(
            "code-caption",
            t("gan.code.caption.stage", fn=caption, stage=_stage_name(stage))
            if stage
            else t("gan.code.caption", fn=caption),
        )

    # ------------------------------------------------------------ views

    def _put_points(self, which: str, points: np.ndarray) -> None:
        flat = np.ascontiguousarray(points, dtype=np.float32).reshape(-1)
        target = self.view.real if which == "real" else self.view.fake
        target.subarray(0, flat.size).assign(flat)
        if which == "real":
            self.view.nReal = points.shape[0]
        else:
            self.view.nFake = points.shape[0]

    def _refresh_view(self) -> None:
        lab = self.lab
        if self._dirty != "batch":
            if self._view_real_dirty:
                self._put_points("real", lab.real_samples())
                self._view_real_dirty = False
            fakes = lab.tracked_fakes()
            self._put_points("fake", fakes)
            grads = gan_view.arrows(lab.tracked_gradients()).astype(np.float32)
            self.view.grad.subarray(0, grads.size).assign(grads.reshape(-1))
        self.view.heat.assign(gan_view.heat_rgba(lab.discriminator_field(), self._heat).reshape(-1))
        if self.view.layers.manifold:
            grid = lab.manifold()
            self.view.manifoldDim = lab.config.noise_dim
            self.view.manifold.subarray(0, grid.size).assign(grid.astype(np.float32).reshape(-1))
            if lab.config.noise_dim == 2:
                mass = (
                    gan_view.gaussian_cell_mass(MANIFOLD_CELLS)
                    if lab.config.noise_dist == "gaussian"
                    else None
                )
                alpha = gan_view.manifold_alpha(grid, mass).astype(np.float32)
                self.view.manifoldAlpha.assign(alpha.reshape(-1))
        self.view.draw()
        self._dirty = False
        bridge.set_text("iteration", f"{lab.iteration:,}")
        stats = self.view.frameStats()
        speed = (
            t("gan.speed", rate=f"{self.rate:,.0f}", fps=f"{stats.fps:.0f}") if self.playing else ""
        )
        bridge.set_text("speed", speed)

    def _update_metrics(self, push: bool) -> None:
        lab = self.lab
        self.kl, self.js_div = lab.divergence()
        if push:
            self.view.pushMetrics(
                lab.iteration, _num(lab.d_loss), _num(lab.g_loss), self.kl, self.js_div
            )
            self.view.drawCharts()
        d = "—" if lab.d_loss is None else f"{lab.d_loss:.4f}"
        g = "—" if lab.g_loss is None else f"{lab.g_loss:.4f}"
        bridge.set_text("loss-values", t("gan.loss.values", d=d, g=g))
        bridge.set_text("graph-loss", f"D {d[:5]} · G {g[:5]}")
        bridge.set_text(
            "div-values", t("gan.div.values", kl=f"{self.kl:.3f}", js=f"{self.js_div:.3f}")
        )

    # ------------------------------------------------------------ messages

    def show_message(self, text, kind: str = "error") -> None:
        """Show ``text`` (a string or an ``i18n.Text``, shown again on a language switch)."""
        self._message_source = (text, kind)
        self.message = str(text)
        box = bridge.element("gan-message")
        box.textContent = self.message
        box.className = f"message {kind}"
        box.hidden = False

    def clear_message(self) -> None:
        self.message = None
        self._message_source = None
        bridge.element("gan-message").hidden = True

    # ------------------------------------------------------------ drawing data set

    def start_drawing(self) -> None:
        self.pause()
        self.view.drawingMode = True
        self.view.nDrawing = 0
        bridge.element("draw-hint").hidden = False
        bridge.element("opt-dataset").value = "drawing"
        self.view.draw()

    def finish_drawing(self, *_args) -> None:
        n = int(self.view.nDrawing)
        points = np.zeros(n * 2, dtype=np.float32)
        if n:
            self.view.drawing.subarray(0, n * 2).assign_to(points)
        try:
            config = self.lab.config.replace(dataset="drawing")
            lab = GanLab(config, drawing=points.reshape(n, 2).astype(np.float64))
        except ValueError as exc:
            self.show_message(Text("gan.msg.drawing", detail=exc))
            return
        self.view.drawingMode = False
        bridge.element("draw-hint").hidden = True
        self.lab = lab
        self.pretrained = False
        self.clear_message()
        self._after_model_change()

    def cancel_drawing(self) -> None:
        if self.view.drawingMode:
            self.view.drawingMode = False
            bridge.element("draw-hint").hidden = True
            self._sync_controls()
            self._dirty = True

    # ------------------------------------------------------------ save / load

    def save(self, *_args) -> None:
        name = f"glasslab-gan-{self.lab.config.dataset}-{self.lab.iteration}.json"
        js.window.glasslabGanView.download(name, self.lab.to_json())

    def load_text(self, text: str) -> None:
        try:
            lab = GanLab.from_json(text)
        except (ValueError, TypeError) as exc:
            self.show_message(Text("gan.msg.load_failed", detail=exc))
            return
        self.pause()
        self.lab = lab
        self.pretrained = False
        self.cancel_drawing()
        self.clear_message()
        self._after_model_change()

    # ------------------------------------------------------------ controls

    def _init_controls(self) -> None:
        doc = self.doc
        for select in doc.querySelectorAll("select.lr"):
            for value in LR_MENU:
                option = doc.createElement("option")
                option.value = str(value)
                option.textContent = str(value)
                select.appendChild(option)

        def on(element_id, event, fn):
            bridge.element(element_id).addEventListener(event, bridge.proxy(fn))

        on("btn-play", "click", lambda e: self.toggle())
        on("btn-reset", "click", lambda e: self.reset())
        on("btn-step-d", "click", lambda e: self._guard(self.step, "d"))
        on("btn-step-g", "click", lambda e: self._guard(self.step, "g"))
        on("btn-step-both", "click", lambda e: self._guard(self.step, "both"))
        on("opt-slow", "change", lambda e: self._set_slow(bool(e.target.checked)))
        on("opt-pretrained", "change", lambda e: self._set_pretrained(bool(e.target.checked)))
        on("btn-save", "click", self.save)
        on("file-load", "change", self._on_file)
        on("btn-draw-done", "click", self.finish_drawing)
        on("btn-draw-clear", "click", lambda e: self._clear_drawing())
        for name in FIELDS:
            control = "opt-dataset" if name == "dataset" else f"hp-{name}"
            on(control, "change", lambda e, name=name: self._on_control(name, e.target))
        for layer in LAYERS:
            on(f"layer-{layer}", "change", lambda e, layer=layer: self._on_layer(layer, e.target))
        doc.addEventListener("keydown", bridge.proxy(self._on_key))

    def _guard(self, fn, *args) -> None:
        try:
            fn(*args)
        except UserError as exc:
            self.show_message(Text("gan.msg.detail", detail=exc))

    def _on_control(self, name: str, target) -> None:
        try:
            self.apply(parse_settings({name: target.value}))
            if not self.view.drawingMode:
                self.clear_message()
        except UserError as exc:
            self.show_message(Text("gan.msg.not_applied", detail=exc))
            self._sync_controls()  # put the control back to the setting in force

    def _on_layer(self, layer: str, target) -> None:
        setattr(self.view.layers, layer, bool(target.checked))
        self._dirty = True

    def _set_slow(self, on: bool) -> None:
        self.slow = on
        self._stage_walker = None
        self._stage = None
        self.view.highlight("")
        self._stage_due = 0.0
        if not on:
            self._stage_text = "off"
            self._show_stage_text()

    def _set_pretrained(self, on: bool) -> None:
        self.pretrained = on
        if self.lab.config.dataset == "drawing":
            return
        self.pause()
        self.new_lab(self.lab.config)

    def _clear_drawing(self) -> None:
        self.view.nDrawing = 0
        self.view.draw()

    async def _read_file(self, file) -> None:
        if file.size > 5_000_000:
            self.show_message(Text("gan.msg.load_failed", detail=Text("gan.error.too_large")))
            return
        self.load_text(await file.text())

    def _on_file(self, event) -> None:
        files = event.target.files
        if files.length:
            import asyncio

            asyncio.ensure_future(self._read_file(files.item(0)))
        event.target.value = ""

    def _on_key(self, event) -> None:
        tag = str(event.target.tagName).lower() if event.target else ""
        if tag in ("input", "select", "textarea") or event.ctrlKey or event.metaKey or event.altKey:
            return
        key = str(event.key).lower()
        if key == " ":
            if tag == "button":
                return  # a focused button handles its own space
            event.preventDefault()
            self.toggle()
        elif key in ("d", "g", "s"):
            self.step({"d": "d", "g": "g", "s": "both"}[key])
        elif key == "r":
            self.reset()
        elif key == "escape":
            self.cancel_drawing()

    def _sync_transport(self) -> None:
        button = bridge.element("btn-play")
        button.textContent = t("gan.pause") if self.playing else t("gan.play")
        button.setAttribute("aria-label", t("gan.pause.aria" if self.playing else "gan.play.aria"))
        button.setAttribute("aria-pressed", "true" if self.playing else "false")

    def _sync_controls(self) -> None:
        cfg = self.lab.config
        for name in FIELDS:
            control = bridge.element("opt-dataset" if name == "dataset" else f"hp-{name}")
            value = getattr(cfg, name)
            if name in FLOAT_FIELDS and value not in LR_MENU:
                self._ensure_option(control, value)
            control.value = str(float(value)) if name in FLOAT_FIELDS else str(value)
        pretrained = bridge.element("opt-pretrained")
        pretrained.checked = self.pretrained and cfg.dataset in PRESETS
        pretrained.disabled = cfg.dataset not in PRESETS
        bridge.set_text("graph-gen-shape", "-".join(map(str, cfg.generator_sizes)))
        bridge.set_text("graph-disc-shape", "-".join(map(str, cfg.discriminator_sizes)))
        bridge.set_text(
            "graph-noise-dim",
            t("gan.graph.noise_dim", dim=cfg.noise_dim, dist=t(f"gan.noise.{cfg.noise_dist}")),
        )

    def _ensure_option(self, select, value: float) -> None:
        text = str(float(value))
        for option in select.options:
            if option.value == text:
                return
        option = self.doc.createElement("option")
        option.value = text
        option.textContent = text
        select.appendChild(option)

    # ------------------------------------------------------------ URL state

    def _url_params(self) -> dict:
        return dict(parse_qsl(str(js.location.search).lstrip("?")))

    def _write_url(self) -> None:
        params = self._url_params()
        params.update({k: str(v) for k, v in self.lab.config.to_dict().items() if k in FIELDS})
        params["pretrained"] = "1" if self.pretrained else "0"
        js.history.replaceState(None, "", "?" + urlencode(params))

    def _load_from_url(self) -> None:
        params = self._url_params()
        self.pretrained = params.get("pretrained", "1") != "0"
        wanted = {k: v for k, v in params.items() if k in FIELDS}
        problems = []
        settings = {}
        for name, value in wanted.items():
            try:
                settings.update(parse_settings({name: value}))
                Config().replace(**{name: settings[name]})
            except (UserError, ValueError, TypeError) as exc:
                settings.pop(name, None)
                problems.append(exc)
        if settings.get("dataset") == "drawing":
            settings.pop("dataset")
            problems.append(Text("gan.error.drawing_link"))
        config = Config().replace(**settings)
        if settings.keys() & (ARCHITECTURE | {"seed"}):
            self.pretrained = False  # pretrained weights exist only for the presets' own runs
        self.new_lab(config, overrides={k: v for k, v in settings.items() if k in LIVE_FIELDS})
        if problems:
            self.show_message(Text("gan.msg.link_ignored", detail=_Joined(problems)))

    # ------------------------------------------------------------ handle

    def state(self) -> dict:
        lab = self.lab
        stats = self.view.frameStats()
        return {
            "page": "gan",
            "ready": True,
            **lab.config.to_dict(),
            "iteration": lab.iteration,
            "d_steps": lab.d_steps,
            "g_steps": lab.g_steps,
            "d_loss": _num(lab.d_loss),
            "g_loss": _num(lab.g_loss),
            "kl": self.kl,
            "js": self.js_div,
            "playing": self.playing,
            "slow_motion": self.slow,
            "stage": self._stage,
            "pretrained": self.pretrained,
            "drawing_mode": bool(self.view.drawingMode),
            "drawing_points": None if lab.drawing is None else int(lab.drawing.shape[0]),
            "layers": {layer: bool(getattr(self.view.layers, layer)) for layer in LAYERS},
            "iterations_per_second": round(self.rate, 1),
            "fps": round(float(stats.fps), 1),
            "frame_ms_p95": round(float(stats.p95_ms), 2),
            "message": self.message,
        }

    def benchmark(self, iterations: int) -> dict:
        """Time ``iterations`` training iterations with no drawing (for bench/), on a copy.

        The page's own model is not touched: a lab with the same settings trains.
        """
        lab = GanLab(self.lab.config, drawing=self.lab.drawing)
        lab.train(10)  # warm-up
        start = time.perf_counter()
        lab.train(iterations)
        seconds = time.perf_counter() - start
        return {"iterations": iterations, "seconds": seconds, "per_second": iterations / seconds}

    def set_from_js(self, params) -> dict:
        raw = params.to_py() if hasattr(params, "to_py") else dict(params)
        layers = {k: raw.pop(k) for k in list(raw) if k in LAYERS}
        try:
            if "pretrained" in raw:
                self.pretrained = bool(raw.pop("pretrained"))
            if "slow_motion" in raw:
                self.slow = bool(raw.pop("slow_motion"))
                bridge.element("opt-slow").checked = self.slow
            if raw:
                self.apply(parse_settings(raw))
        except UserError as exc:
            self.show_message(Text("gan.msg.not_applied", detail=exc))
            raise
        for layer, on in layers.items():
            bridge.element(f"layer-{layer}").checked = bool(on)
            setattr(self.view.layers, layer, bool(on))
            self._dirty = True
        self.clear_message()
        return self.state()


def _num(value):
    return None if value is None else float(value)


def _stage_name(stage: str) -> str:
    return t(f"gan.stage.name.{stage}")


class _Joined:
    """Messages joined by "; ", each translated when shown."""

    def __init__(self, items):
        self.items = list(items)

    def __str__(self) -> str:
        return t("gan.msg.separator").join(str(item) for item in self.items)


def main() -> None:
    page = GanPage()
    page._refresh_view()
    page._show_code("d", None)
    page.view.tick = bridge.proxy(page.tick)
    on_change(page.relabel)

    def state() -> dict:
        return page.state()

    bridge.expose("state", state)
    bridge.expose("play", lambda: page.play())
    bridge.expose("pause", lambda: page.pause())
    bridge.expose("step", lambda which="both": page.step(str(which)))
    bridge.expose("reset", lambda: page.reset())
    bridge.expose("set", lambda params: js.JSON.parse(json.dumps(page.set_from_js(params))))
    bridge.expose(
        "benchmark",
        lambda iterations=2000: js.JSON.parse(json.dumps(page.benchmark(int(iterations)))),
    )
    if page._url_params().get("autoplay") == "1":  # embedding option: train once ready
        page.play()
    bridge.mark_ready()
