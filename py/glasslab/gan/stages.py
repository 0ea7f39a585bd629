"""Slow motion: ONE discriminator or generator update of a :class:`GanLab`, stage by stage.

Each stage does its real part of the step (the same lines as
``GanLab.discriminator_step`` / ``generator_step``, cut where the page pauses)
and yields ``(name, explanation, arrays)``: ``sample``, ``classify``, ``loss``,
``gradients``, ``update``. Running them all changes the lab exactly as
``lab.step(which)`` does; the networks change only at ``update``. Point arrays
are (n, 2) copies. If the lab changes between two stages (``lab._version``),
the next stage raises RuntimeError.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from glasslab.gan.guard import GanDiverged
from glasslab.nn import MLP, sigmoid

Stage = tuple[str, str, dict]


def _guard(lab, version: int) -> None:
    if lab._version != version:
        raise RuntimeError("the lab changed between stages; start a new stages() sequence")


def discriminator_stages(self) -> Iterator[Stage]:
    """The stages of one discriminator update of the lab ``self``."""
    version = self._version
    with np.errstate(all="ignore"):
        real = self._real.next()
        noise = self._noise.next()
        fake = self.generator.forward(noise)
        x = np.concatenate([real, fake], axis=1, out=self._d_input)
    yield (
        "sample",
        "Take a batch of real points and turn a batch of noise into fakes with G.",
        {"real": real.T.copy(), "noise": noise.T.copy(), "fake": fake.T.copy()},
    )
    _guard(self, version)
    with np.errstate(all="ignore"):
        logits = self.discriminator.forward(x)
        d = sigmoid(logits[0])
    n = self.config.batch
    yield (
        "classify",
        "D scores every point: near 1 means 'looks real', near 0 'looks fake'.",
        {
            "real": x[:, :n].T.copy(),
            "fake": x[:, n:].T.copy(),
            "d_real": d[:n],
            "d_fake": d[n:],
        },
    )
    _guard(self, version)
    with np.errstate(all="ignore"):
        self.d_loss = self.loss.value(logits, self._d_targets, self._scale)
        grad = self.loss.gradient(logits, self._d_targets, self._scale)
    yield (
        "loss",
        "The discriminator's loss is low when reals score high and fakes score low.",
        {"loss": np.array(self.d_loss)},
    )
    _guard(self, version)
    with np.errstate(all="ignore"):
        self.discriminator.backward(grad, input_grad=False)
    yield (
        "gradients",
        "Backpropagation: how the loss changes with every weight and bias of D.",
        {"grad_norms": layer_norms(self.discriminator)},
    )
    _guard(self, version)
    with np.errstate(all="ignore"):
        self.d_optimizer.step(self.discriminator.params, self.discriminator.grads)
        self.d_steps += 1
    self._version += 1
    self._check()
    yield (
        "update",
        "Each weight of D takes a small step downhill; D's map of real/fake shifts.",
        {"field": self.discriminator_field()},
    )


def generator_stages(self) -> Iterator[Stage]:
    """The stages of one generator update of the lab ``self``."""
    version = self._version
    with np.errstate(all="ignore"):
        noise = self._noise.next()
        fake = self.generator.forward(noise)
    yield (
        "sample",
        "Turn a batch of noise into fakes with G.",
        {"noise": noise.T.copy(), "fake": fake.T.copy()},
    )
    _guard(self, version)
    with np.errstate(all="ignore"):
        logits = self.discriminator.forward(fake)
    yield (
        "classify",
        "D scores the fakes; G wants these scores near 1.",
        {"fake": fake.T.copy(), "d_fake": sigmoid(logits[0])},
    )
    _guard(self, version)
    with np.errstate(all="ignore"):
        self.g_loss = self.loss.value(logits, self._g_targets, self._scale)
        grad = self.loss.gradient(logits, self._g_targets, self._scale)
    yield (
        "loss",
        "The generator's loss is low when D takes the fakes for real.",
        {"loss": np.array(self.g_loss)},
    )
    _guard(self, version)
    with np.errstate(all="ignore"):
        grad_fake = self.discriminator.backward(grad, param_grads=False)
        push = -grad_fake.T * self.config.batch
        self.generator.backward(grad_fake, input_grad=False)
    yield (
        "gradients",
        "Backpropagation through D (which stays fixed) into G: "
        "each fake is pushed towards 'real', and G's weights get their gradients.",
        {"fake": fake.T.copy(), "push": push, "grad_norms": layer_norms(self.generator)},
    )
    _guard(self, version)
    with np.errstate(all="ignore"):
        self.g_optimizer.step(self.generator.params, self.generator.grads)
        self.g_steps += 1
    self._version += 1
    self._check()
    yield (
        "update",
        "Each weight of G takes a small step downhill; the fakes move.",
        {"fake": self.tracked_fakes()},
    )


def layer_norms(net: MLP) -> np.ndarray:
    """Size of each layer's weight gradient (Frobenius norm), input layer first."""
    return np.array([float(np.linalg.norm(g)) for g in net.weight_grads])


def iteration_stages(lab) -> Iterator[tuple]:
    """One whole iteration in slow motion: ``(net, index, count, name, text, arrays)`` for
    the stages of ``k_d`` discriminator updates, then of ``k_g`` generator updates;
    ``lab.iteration`` advances once the last stage has run."""
    cfg = lab.config
    for i in range(cfg.k_d):
        for stage in lab.stages("d"):
            yield ("d", i + 1, cfg.k_d, *stage)
    for i in range(cfg.k_g):
        for stage in lab.stages("g"):
            yield ("g", i + 1, cfg.k_g, *stage)
    lab.iteration += 1


# Which source lines of GanLab.discriminator_step / generator_step each stage runs,
# found in the real source by these fragments.
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
STEP_FUNCTIONS = {"d": "GanLab.discriminator_step", "g": "GanLab.generator_step"}


def code_lines(source: str, net: str, stage: str | None) -> list[list]:
    """``[[line, marked], ...]``: the source's lines, marked where ``stage`` runs them."""
    marks = STAGE_LINES[net].get(stage, ()) if stage else ()
    return [[line, any(m in line for m in marks)] for line in source.rstrip().splitlines()]


class SlowMotion:
    """Walks through whole iterations one stage at a time, each shown ``seconds`` long.

    ``advance(lab, now)`` runs the next stage once its time has come and returns its
    ``(net, index, count, name, text, arrays)``; None when it is not yet time (or the
    lab changed under the walk, which then starts again), :data:`END` after an
    iteration's last stage. ``stage`` and ``shown`` describe the stage on screen.
    GanDiverged propagates.
    """

    END = "end"

    def __init__(self, seconds: float = 0.9) -> None:
        self.seconds = seconds
        self.walker = None
        self.stage = None  # {"network", "stage", "step", "of"}, for the page's state()
        self.shown = None  # {"net", "index", "count", "name"}, "off" or None: the stage text
        self.due = 0.0

    def stop(self) -> None:
        self.walker = None
        self.stage = None

    def advance(self, lab, now: float):
        if now < self.due:
            return None
        self.due = now + self.seconds
        if self.walker is None:
            self.walker = iteration_stages(lab)
        try:
            item = next(self.walker)
        except StopIteration:
            self.walker = None
            return self.END
        except GanDiverged:
            raise
        except RuntimeError:
            self.walker = None
            return None
        net, index, count, name = item[:4]
        self.stage = {"network": net, "stage": name, "step": index, "of": count}
        self.shown = {"net": net, "index": index, "count": count, "name": name}
        return item
