"""The divergence guard: training that produced NaN or infinities is rolled back.

``GanLab`` keeps a :class:`Checkpoint` of the last state whose losses and weights
were all finite; :func:`check` either takes a new checkpoint or restores that one
and raises :class:`GanDiverged`, so the lab never shows a broken model.
"""

from __future__ import annotations

import math

import numpy as np


class GanDiverged(RuntimeError):
    """Training produced NaN or infinite losses or weights.

    The lab has already been restored to ``restored_iteration``, the last state
    that passed a check; ``iteration`` is where the problem was found.
    """

    def __init__(self, message: str, iteration: int, restored_iteration: int) -> None:
        super().__init__(message)
        self.iteration = iteration
        self.restored_iteration = restored_iteration


class Checkpoint:
    """Copies of both networks' weights, optimiser states and the lab's counters."""

    def __init__(self, lab) -> None:
        self.g = lab.generator.params.copy()
        self.d = lab.discriminator.params.copy()
        self.g_opt = lab.g_optimizer.get_state()
        self.d_opt = lab.d_optimizer.get_state()
        self.counters = (lab.iteration, lab.d_steps, lab.g_steps, lab.d_loss, lab.g_loss)

    def restore(self, lab) -> None:
        lab.generator.params[...] = self.g
        lab.discriminator.params[...] = self.d
        lab.g_optimizer.set_state(self.g_opt)
        lab.d_optimizer.set_state(self.d_opt)
        lab.iteration, lab.d_steps, lab.g_steps, lab.d_loss, lab.g_loss = self.counters


def problems(lab) -> list[str]:
    """What is NaN or infinite in ``lab``: its losses and its networks' weights."""
    bad = []
    for name, value in (("discriminator loss", lab.d_loss), ("generator loss", lab.g_loss)):
        if value is not None and not math.isfinite(value):
            bad.append(name)
    for name, net in (("discriminator", lab.discriminator), ("generator", lab.generator)):
        if not np.isfinite(net.params).all():
            bad.append(f"{name} weights")
    return bad


def check(lab, good: Checkpoint) -> Checkpoint:
    """A new checkpoint of ``lab`` if it is finite; else restore ``good`` and raise GanDiverged."""
    bad = problems(lab)
    if not bad:
        return Checkpoint(lab)
    found_at = lab.iteration
    good.restore(lab)
    lab._version += 1
    raise GanDiverged(
        f"training diverged: {' and '.join(bad)} became NaN or infinite "
        f"(found at iteration {found_at}); restored the state of iteration "
        f"{lab.iteration}. Try smaller learning rates.",
        iteration=found_at,
        restored_iteration=lab.iteration,
    )
