"""Which functions each page lets the student read and rewrite.

* GAN lab: ``GanLab.discriminator_step``, ``GanLab.generator_step`` and the ``value``
  and ``gradient`` of the active loss class (``LogLoss.gradient``, ...); an edited
  training step that fails is undone from a :class:`~glasslab.gan.guard.Checkpoint`
  taken before it (only while edited code is installed).
* CNN explainer: the layer kernels of :mod:`glasslab.cnn.layers` (convolution, ReLU,
  max-pool, dense, softmax), forward and backward passes; they are looked up on their
  family module at every call, so an edited kernel runs in every layer of its kind.

Each page imports only its own engine: the GAN and CNN modules are imported by the
function that builds that page's session.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from typing import TYPE_CHECKING

from glasslab.live.code import Editable
from glasslab.live.session import LiveSession

if TYPE_CHECKING:
    from glasslab.gan.lab import GanLab

GAN_STEPS = ("discriminator_step", "generator_step")
LOSS_METHODS = ("value", "gradient", "generator_value", "generator_gradient")
CNN_KINDS = ("conv", "relu", "maxpool", "dense", "softmax")


def _functions(owner, names) -> list[str]:
    kinds = (types.FunctionType, staticmethod)
    return [n for n in names if isinstance(inspect.getattr_static(owner, n, None), kinds)]


def gan_session(lab_of: Callable[[], GanLab]) -> LiveSession:
    """The GAN page's session; ``lab_of()`` is the lab shown now (its loss is active)."""
    from glasslab.gan import losses
    from glasslab.gan.lab import GanLab

    editables = [Editable(GanLab, n, f"GanLab.{n}") for n in GAN_STEPS]
    for cls in dict.fromkeys(losses.LOSS_KINDS.values()):
        editables += [
            Editable(cls, m, f"{cls.__name__}.{m}") for m in _functions(cls, LOSS_METHODS)
        ]

    def visible() -> list[str]:
        loss = lab_of().loss
        loss = loss if isinstance(loss, type) else type(loss)
        names = [f"GanLab.{n}" for n in GAN_STEPS]
        return names + [f"{loss.__name__}.{m}" for m in _functions(loss, LOSS_METHODS)]

    def snapshot(args):
        return _undo(args[0]) if args and isinstance(args[0], GanLab) else None

    return LiveSession("gan", editables, visible, snapshot)


def _undo(lab: GanLab):
    from glasslab.gan.guard import Checkpoint

    saved = Checkpoint(lab)
    return lambda: saved.restore(lab)


def cnn_session() -> LiveSession:
    """The CNN page's session: each kernel's forward pass and, where the family module
    has one, its backward pass (``conv_forward``, ``conv_backward``, ...)."""
    from glasslab.cnn import layers

    editables = []
    for kind in CNN_KINDS:
        family = layers.FAMILY[kind]
        names = [f"{kind}_{direction}" for direction in ("forward", "backward")]
        editables += [Editable(family, name) for name in _functions(family, names)]
    return LiveSession("cnn", editables)
