"""The GAN lab page's model, without the page: which lab is shown and how each action
changes it (pretrained presets, live settings, new runs, drawings, saved files).

:class:`GanSession` holds ``lab`` and the ``pretrained`` switch and follows the rules of
:mod:`glasslab.gan.settings`. Every action validates first and raises ``ValueError``
(or :class:`~glasslab.gan.settings.SettingError`) with nothing changed; the page only
shows the message and redraws.
"""

from __future__ import annotations

import time

from glasslab.checks import whole_number
from glasslab.gan import settings as gs
from glasslab.gan.config import Config
from glasslab.gan.lab import GanLab
from glasslab.gan.presets import PRESETS, preset_json

# What apply() did: a new lab, a live change of the lab, or nothing yet (the drawing
# data set waits for the person to draw).
NEW_RUN, LIVE, DRAW = "new_run", "live", "draw"
MAX_BENCHMARK = 10_000  # iterations of one benchmark() at most (about 10 s)


class GanSession:
    def __init__(self, pretrained: bool = True) -> None:
        self.pretrained = pretrained
        self.lab = GanLab()
        self.preset_problem: Exception | None = None  # why the last preset failed to load

    def new_lab(self, config: Config, drawing=None, overrides: dict | None = None) -> None:
        """A fresh lab for ``config``: the preset's pretrained model when asked for and
        available (it brings its own settings; ``overrides``, live settings only, go on
        top). A preset that fails to load turns ``pretrained`` off (``preset_problem``)."""
        lab = None
        self.preset_problem = None
        if self.pretrained and config.dataset in PRESETS:
            try:
                lab = GanLab.from_json(preset_json(config.dataset))
            except (OSError, ValueError) as exc:
                self.pretrained = False
                self.preset_problem = exc
            else:
                if overrides:
                    lab.set(**overrides)
        self.lab = lab if lab is not None else GanLab(config, drawing=drawing)

    def start(self, params: dict[str, str]) -> list:
        """Set up from a page URL's query; the problems of the values left out."""
        setup = gs.from_url(params)
        self.pretrained = setup.pretrained
        self.new_lab(setup.config, overrides=setup.overrides)
        return setup.problems

    def reset(self) -> None:
        """Start this run again: same settings, fresh weights (or the preset again)."""
        cfg = self.lab.config
        self.new_lab(cfg, self.lab.drawing, gs.live_settings(cfg))

    def apply(self, changes: dict) -> str:
        """Apply typed settings; NEW_RUN, LIVE or DRAW (the drawing data set was chosen)."""
        config = self.lab.config
        new = config.replace(**changes)
        if new.dataset == "drawing" and changes.get("dataset") == "drawing":
            return DRAW
        changed = gs.changed_settings(config, new, changes)
        if gs.starts_new_run(changed, self.pretrained):
            self.pretrained = gs.keeps_pretrained(changed, self.pretrained)
            self.new_lab(new, drawing=self.lab.drawing)
            return NEW_RUN
        self.lab.set(**changes)
        return LIVE

    def update(self, changes: dict, pretrained: bool | None = None) -> str:
        """Typed settings and the pretrained switch together, all or nothing: everything is
        checked before anything changes. NEW_RUN, LIVE or DRAW like :meth:`apply`."""
        new = self.lab.config.replace(**changes)  # ValueError: nothing has changed
        if pretrained is None or pretrained == self.pretrained or new.dataset == "drawing":
            done = self.apply(changes)
            if pretrained is not None and new.dataset == "drawing":
                self.pretrained = pretrained
            return done
        changed = gs.changed_settings(self.lab.config, new, changes)
        self.pretrained = gs.keeps_pretrained(changed, pretrained)
        live = {k: v for k, v in changes.items() if k in gs.LIVE_FIELDS}
        self.new_lab(new, drawing=self.lab.drawing, overrides=live)
        return NEW_RUN

    def set_pretrained(self, on: bool) -> bool:
        """Switch pretrained models on or off; True if that made a new lab."""
        self.pretrained = on
        if self.lab.config.dataset == "drawing":
            return False
        self.new_lab(self.lab.config)
        return True

    def use_drawing(self, points) -> None:
        """Train on the drawn ``points`` (m, 2) from now on (ValueError if too few)."""
        self.lab = GanLab(self.lab.config.replace(dataset="drawing"), drawing=points)
        self.pretrained = False

    def load(self, text: str | bytes) -> None:
        """Continue with a saved model (ValueError if malformed: nothing changes)."""
        self.lab = GanLab.from_json(text)
        self.pretrained = False

    def save(self) -> tuple[str, str]:
        """A file name and the JSON text of the lab."""
        return (
            f"glasslab-gan-{self.lab.config.dataset}-{self.lab.iteration}.json",
            self.lab.to_json(),
        )

    @property
    def pretrained_available(self) -> bool:
        return self.lab.config.dataset in PRESETS

    def lab_state(self) -> dict:
        """The lab's part of the page's ``window.glasslab.state()``."""
        lab = self.lab
        return {
            **lab.config.to_dict(),
            "iteration": lab.iteration,
            "d_steps": lab.d_steps,
            "g_steps": lab.g_steps,
            "d_loss": _num(lab.d_loss),
            "g_loss": _num(lab.g_loss),
            "d_kind": lab.d_kind,  # "probability" or "critic" (hinge, wasserstein)
            "pretrained": self.pretrained,
            "drawing_points": None if lab.drawing is None else int(lab.drawing.shape[0]),
        }

    def controls(self, drawing_mode: bool) -> dict:
        """What the settings controls show: ``values`` (text per setting) and the
        pretrained switch (checked, available)."""
        cfg = self.lab.config
        values = {name: gs.control_value(cfg, name) for name in gs.FIELDS}
        if drawing_mode:
            values["dataset"] = "drawing"
        return {
            "values": values,
            "pretrained": self.pretrained and self.pretrained_available,
            "pretrained_available": self.pretrained_available,
            "generator": "-".join(map(str, cfg.generator_sizes)),
            "discriminator": "-".join(map(str, cfg.discriminator_sizes)),
            "noise_dim": cfg.noise_dim,
            "noise_dist": cfg.noise_dist,
        }

    def benchmark(self, iterations) -> dict:
        """Time ``iterations`` (a whole number 1-10000) training iterations of a copy of
        the lab, no drawing (Refused otherwise)."""
        iterations = whole_number("n", iterations, 1, MAX_BENCHMARK)
        lab = GanLab(self.lab.config, drawing=self.lab.drawing)
        lab.train(10)  # warm-up
        start = time.perf_counter()
        lab.train(iterations)
        seconds = time.perf_counter() - start
        return {"iterations": iterations, "seconds": seconds, "per_second": iterations / seconds}


def _num(value):
    return None if value is None else float(value)
