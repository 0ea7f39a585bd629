"""Side by side: a second GanLab that differs from the page's lab only in the settings the
person changes, trained in the same frames.

:class:`Comparison` holds ``lab``, the second lab (None while no comparison runs), and
``changes``, the settings it differs in:

* :meth:`Comparison.start` ``(first, params)``: ``params`` as for the page's ``set()``
  (text or numbers, :func:`~glasslab.gan.settings.parse_settings`). The second lab is
  the first as it is now (same weights, optimiser moments, data and noise streams:
  the same run so far), with ``changes`` applied live by ``GanLab.set``. A refused
  value raises :class:`~glasslab.checks.Refused` and changes nothing; ``None`` ends it.
* :meth:`Comparison.keep_up` ``(first)``, once per frame: trains the second lab as many
  iterations as the first made since the last call (the same number per frame);
  settings changed on the first since then go to the second too, except those the
  comparison is about; a new run or a rewind of the first starts the second again from
  the first's state (the same changes).
* :meth:`Comparison.state` - its ``state()``: the settings, ``iteration``, ``d_steps``,
  ``g_steps``, ``d_loss``, ``g_loss``, ``kl``, ``js``, ``d_kind``, ``changes`` and
  ``message`` (why it stopped: its training diverged); None while off.
* :meth:`Comparison.view_arrays` - what its canvas draws, flat typed-array-ready.

Single D or G steps of the first lab (no full iteration) leave the second as it is.
"""

from __future__ import annotations

import numpy as np

from glasslab.checks import Refused
from glasslab.gan import view as gan_view
from glasslab.gan.guard import GanDiverged
from glasslab.gan.history import Snapshot, divergence_or_none, restore
from glasslab.gan.lab import GanLab
from glasslab.gan.settings import SettingError, parse_settings

# The settings the page's compare form offers (any setting of set() is accepted).
OFFERED = ("g_optimizer", "d_optimizer", "loss", "g_lr", "d_lr", "k_d", "k_g")


def fork(first: GanLab, changes: dict) -> GanLab:
    """A second lab: ``first`` as it is now, then ``changes`` applied (ValueError if bad)."""
    first.config.replace(**changes)  # check before building anything
    twin = GanLab(first.config, drawing=first.drawing)
    restore(twin, Snapshot(first))
    twin.set(**changes)
    return twin


class Comparison:
    """The page's optional second lab (see the module docstring)."""

    def __init__(self) -> None:
        self.lab: GanLab | None = None
        self.changes: dict = {}
        self.message: str | None = None
        self._run = None  # which run of the first lab the second follows

    def start(self, first: GanLab, params: dict | None) -> None:
        """Start or update the comparison (``params``: settings to change), or end it (None)."""
        if params is None:
            self.lab, self.changes, self.message = None, {}, None
            return
        if not isinstance(params, dict):
            raise SettingError("gan.error.set_object", value=repr(params)[:40])
        try:
            changes = parse_settings(params)
            twin = fork(first, changes)
        except Refused:
            raise
        except (ValueError, TypeError) as exc:
            raise Refused("gan.msg.not_applied", detail=str(exc)) from None
        self.lab, self.changes, self.message = twin, changes, None
        self._follow(first)

    def _follow(self, first: GanLab) -> None:
        self._run = (first, first.history, first.history.seeks)
        self._seen, self._config = first.iteration, first.config

    def keep_up(self, first: GanLab) -> None:
        """Follow ``first`` since the last call: its iterations, settings, new runs."""
        if self.lab is None:
            return
        lab, history, seeks = self._run
        if first is not lab or first.history is not history or first.history.seeks != seeks:
            self.start(first, self.changes)  # a new run or a rewind: start again from it
            return
        if first.config != self._config:
            live = {k: v for k, v in first.config.to_dict().items() if k not in self.changes}
            self.lab.set(**{k: v for k, v in live.items() if getattr(self._config, k) != v})
        n = first.iteration - self._seen
        self._seen, self._config = first.iteration, first.config
        if n > 0 and self.message is None:
            try:
                self.lab.train(n)
            except GanDiverged as exc:
                self.message = str(exc)

    def state(self) -> dict | None:
        """The second lab's state (see the module docstring), or None."""
        lab = self.lab
        if lab is None:
            return None
        kl, js = divergence_or_none(lab)
        return {
            **lab.config.to_dict(),
            "iteration": lab.iteration,
            "d_steps": lab.d_steps,
            "g_steps": lab.g_steps,
            "d_loss": _number(lab.d_loss),
            "g_loss": _number(lab.g_loss),
            "kl": kl,
            "js": js,
            "d_kind": lab.d_kind,
            "changes": dict(self.changes),
            "message": self.message,
        }

    def view_arrays(self) -> dict[str, np.ndarray]:
        """``heat`` (30 x 30 RGBA, row 0 at the top), ``fake`` (150 tracked fakes) and
        ``real`` (450 real points) as flat uint8 / float32 arrays."""
        lab = self.lab
        return {
            "heat": gan_view.lab_heat(lab).reshape(-1),
            "fake": lab.tracked_fakes().astype(np.float32).reshape(-1),
            "real": lab.real_samples().astype(np.float32).reshape(-1),
        }


def _number(value):
    return None if value is None else float(value)
