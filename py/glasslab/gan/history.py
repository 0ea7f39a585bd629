"""Rewind: snapshots of a GAN lab while it trains, and seeking back to one of them.

A :class:`Snapshot` holds everything training depends on: the settings (and drawn
points), both networks' weights, both optimisers' moments, the iteration and step
counters, the state of every random stream (initialisation, data, noise, the views'
samples) and where each batch stream stands. :func:`restore` puts it back, so that
training on from a restored snapshot repeats the original run bit for bit. The
snapshot also keeps what the scrubber shows: ``d_loss``, ``g_loss``, ``kl``, ``js``.

:class:`History` is what a lab keeps (``GanLab.history``):

* ``GanLab.train`` calls :meth:`History.due` at every divergence check (every
  ``CHECK_EVERY`` = 50 iterations, at multiples of 50) and :meth:`History.record`
  when it is: the lab's first state, then every multiple of ``EVERY`` = 100;
* at most ``CAP`` = 200 snapshots (and ``MAX_BYTES`` of arrays) are kept: past
  that, every second one of the older half goes, so old history gets sparser
  (spacing 200, 400, ...) while memory stays bounded however long it trains;
* :meth:`History.seek` restores the snapshot of exactly that iteration; any other is
  refused (:class:`~glasslab.checks.Refused`, key ``gan.error.no_snapshot``). Later
  snapshots stay listed (the scrubber can go forward again) until training records a
  new one, which replaces them.

Snapshots copy arrays only (no JSON); arrays that training never changes in place
(the views' samples, the drawing) are shared, not copied.
"""

from __future__ import annotations

import numpy as np

from glasslab.checks import Refused
from glasslab.gan.losses import loss_function
from glasslab.nn import make_optimizer

EVERY = 100  # iterations between snapshots (for the newest ones)
CAP = 200  # snapshots kept at most
MAX_BYTES = 48 * 2**20  # array bytes kept at most (large networks are thinned sooner)
RNGS = ("_g_init_rng", "_d_init_rng", "_data_rng", "_noise_rng", "_view_data_rng")
RNGS += ("_view_noise_rng",)
SHARED = ("config", "_drawing", "_view_real", "_view_noise", "_manifold_noise")


class Snapshot:
    """One moment of a lab's training (see the module docstring)."""

    def __init__(self, lab) -> None:
        self.iteration, self.d_steps, self.g_steps = lab.iteration, lab.d_steps, lab.g_steps
        self.d_loss, self.g_loss = lab.d_loss, lab.g_loss
        self.kl, self.js = divergence_or_none(lab)
        self.shared = {name: getattr(lab, name) for name in SHARED}
        self.g_params = lab.generator.params.copy()
        self.d_params = lab.discriminator.params.copy()
        self.g_opt, self.d_opt, self.rngs, self.streams = training_state(lab)

    @property
    def nbytes(self) -> int:
        moments = [a for s in (self.g_opt, self.d_opt) for a in s.values()]
        arrays = [self.g_params, self.d_params, *moments]
        return sum(a.nbytes for a in arrays if isinstance(a, np.ndarray))

    def summary(self) -> dict:
        """``{iteration, d_loss, g_loss, kl, js}`` (plain numbers, None before a step)."""
        return {
            "iteration": self.iteration,
            "d_loss": _number(self.d_loss),
            "g_loss": _number(self.g_loss),
            "kl": _number(self.kl),
            "js": _number(self.js),
        }


def training_state(lab) -> tuple:
    """Where a lab's training stands besides its weights and counters: ``(g_opt, d_opt,
    rngs, streams)``, both optimisers' state, every random generator's (``RNGS``) and the
    positions of the real-data and noise streams; :func:`set_training_state` puts it back."""
    return (
        lab.g_optimizer.get_state(),
        lab.d_optimizer.get_state(),
        [getattr(lab, name).bit_generator.state for name in RNGS],
        (lab._real.get_state(), lab._noise.get_state()),
    )


def set_training_state(lab, state: tuple) -> None:
    """Put back a :func:`training_state` (into a lab of the same settings)."""
    g_opt, d_opt, rngs, streams = state
    lab.g_optimizer.set_state(g_opt)
    lab.d_optimizer.set_state(d_opt)
    for name, random_state in zip(RNGS, rngs, strict=True):
        getattr(lab, name).bit_generator.state = random_state
    lab._real.set_state(streams[0])
    lab._noise.set_state(streams[1])


def restore(lab, snap: Snapshot) -> None:
    """Put ``lab`` back to ``snap``: settings, networks, optimisers, counters, streams."""
    lab.config, lab._drawing = snap.shared["config"], snap.shared["_drawing"]
    cfg = lab.config
    lab.loss = loss_function(cfg.loss)
    if lab.generator.sizes != cfg.generator_sizes:
        lab._build_generator()
    if lab.discriminator.sizes != cfg.discriminator_sizes:
        lab._build_discriminator()
    lab.generator.params[...] = snap.g_params
    lab.discriminator.params[...] = snap.d_params
    lab.g_optimizer = make_optimizer(cfg.g_optimizer, cfg.g_lr, lab.generator.params.size)
    lab.d_optimizer = make_optimizer(cfg.d_optimizer, cfg.d_lr, lab.discriminator.params.size)
    lab._make_batches()
    lab._make_data()  # fresh stream objects for these settings (their states come next)
    lab._make_noise()
    for name, value in snap.shared.items():
        setattr(lab, name, value)
    set_training_state(lab, (snap.g_opt, snap.d_opt, snap.rngs, snap.streams))
    lab.iteration, lab.d_steps, lab.g_steps = snap.iteration, snap.d_steps, snap.g_steps
    lab.d_loss, lab.g_loss = snap.d_loss, snap.g_loss
    lab._version += 1
    lab._save_good()


class History:
    """The snapshots of one lab, oldest first (see the module docstring)."""

    def __init__(self) -> None:
        self.snapshots: list[Snapshot] = []
        self.seeks = 0  # how many times a snapshot was restored
        self._next = 0  # the iteration from which the next snapshot is due

    def __len__(self) -> int:
        return len(self.snapshots)

    def due(self, iteration: int) -> bool:
        """Whether a snapshot is due at ``iteration`` (cheap: one comparison)."""
        return iteration >= self._next

    def record(self, lab) -> Snapshot:
        """Take a snapshot of ``lab`` now; snapshots of this iteration or later go first."""
        snap = Snapshot(lab)
        while self.snapshots and self.snapshots[-1].iteration >= snap.iteration:
            self.snapshots.pop()
        self.snapshots.append(snap)
        self._next = (snap.iteration // EVERY + 1) * EVERY
        self._thin()
        return snap

    def _thin(self) -> None:
        total = sum(s.nbytes for s in self.snapshots)
        while len(self.snapshots) > CAP or (total > MAX_BYTES and len(self.snapshots) > 2):
            older = max(len(self.snapshots) // 2, 2)  # the older half (at least one to drop)
            dropped = self.snapshots[1:older:2]
            del self.snapshots[1:older:2]
            total -= sum(s.nbytes for s in dropped)

    def summaries(self) -> list[dict]:
        """``[{iteration, d_loss, g_loss, kl, js}, ...]``, oldest first."""
        return [s.summary() for s in self.snapshots]

    def find(self, iteration) -> Snapshot:
        """The snapshot of exactly ``iteration``; Refused naming the nearest ones."""
        for snap in self.snapshots:
            if snap.iteration == iteration and not isinstance(iteration, bool):
                return snap
        target = _int_or(iteration, 0)
        below = [s.iteration for s in self.snapshots if s.iteration < target][-1:]
        above = [s.iteration for s in self.snapshots if s.iteration > target][:1]
        listed = ", ".join(str(i) for i in below + above)
        raise Refused("gan.error.no_snapshot", iteration=repr(iteration), nearest=listed or "-")

    def seek(self, lab, iteration) -> Snapshot:
        """Restore ``lab`` to the snapshot of ``iteration`` (ValueError if there is none)."""
        snap = self.find(iteration)
        restore(lab, snap)
        self.seeks += 1
        self._next = (snap.iteration // EVERY + 1) * EVERY
        return snap


def divergence_or_none(lab) -> tuple:
    """``lab.divergence()``, or (None, None) when its fakes are not finite numbers."""
    try:
        return lab.divergence()
    except ValueError:
        return None, None


def _number(value):
    return None if value is None else float(value)


def _int_or(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default
