"""GAN losses, computed from the discriminator's logits so they never take log(0).

The discriminator network outputs a logit ``s``; its verdict "probability that
this point is real" is ``D = sigmoid(s)``. Working with ``s`` instead of ``D``
keeps everything finite even when D saturates at 0 or 1:

    log D       = log sigmoid(s)     = -softplus(-s)
    log (1 - D) = log sigmoid(-s)    = -softplus(s)
    softplus(s) = log(1 + e^s)       (computed as logaddexp(0, s))

**Log loss** (the original GAN, with the "non-saturating" generator loss)::

    L_D = -[ mean log D(x) + mean log(1 - D(G(z))) ]
    L_G = -mean log D(G(z))

**Least-squares loss** (LSGAN, Mao et al. 2017, with labels real = 1, fake = 0
and the paper's factors 1/2 on both losses)::

    L_D = 1/2 mean (D(x) - 1)^2 + 1/2 mean D(G(z))^2
    L_G = 1/2 mean (D(G(z)) - 1)^2

(GAN Lab leaves out the halves, so its least-squares losses and gradients are
twice these; with SGD that is the same as doubling the learning rate.)

Both are "compare D with a target label" losses, so the training code uses one
class per loss kind, :class:`LogLoss` and :class:`LeastSquaresLoss`, whose
``value`` and ``gradient`` take a row of logits, a row of targets (1 = real,
0 = fake) and a ``scale``: ``value`` is ``scale * sum over samples`` of the
per-sample loss, ``gradient`` its derivative w.r.t. each logit. With real and
fake batches of the same size ``n`` and ``scale = 1/n`` this is exactly L_D
(targets 1 for reals, 0 for fakes) or L_G (targets 1 for fakes).

Training only needs the gradient; the value is for display, so the engine
computes it only when it is looked at.
"""

from __future__ import annotations

import numpy as np

from glasslab.nn import sigmoid, softplus

LOSSES = ("log", "lsq")


class LogLoss:
    """Binary cross-entropy of D = sigmoid(s) against 0/1 targets t.

    Per sample: -[t log D + (1 - t) log(1 - D)] = softplus(s) - t s,
    and its derivative w.r.t. the logit s is D - t.
    """

    name = "log"

    @staticmethod
    def value(logits: np.ndarray, targets: np.ndarray, scale: float) -> float:
        """scale * sum over samples of softplus(s) - t s."""
        return scale * (float(softplus(logits).sum()) - float(np.vdot(targets, logits)))

    @staticmethod
    def gradient(logits: np.ndarray, targets: np.ndarray, scale: float) -> np.ndarray:
        """scale * (D - t), the derivative of :meth:`value` w.r.t. each logit."""
        return scale * (sigmoid(logits) - targets)


class LeastSquaresLoss:
    """Half the squared error between D = sigmoid(s) and the targets t.

    Per sample: 1/2 (D - t)^2, whose derivative w.r.t. the logit s is
    (D - t) D (1 - D), since dD/ds = D (1 - D).
    """

    name = "lsq"

    @staticmethod
    def value(logits: np.ndarray, targets: np.ndarray, scale: float) -> float:
        """scale * sum over samples of 1/2 (D - t)^2."""
        err = sigmoid(logits) - targets
        return 0.5 * scale * float(np.vdot(err, err))

    @staticmethod
    def gradient(logits: np.ndarray, targets: np.ndarray, scale: float) -> np.ndarray:
        """scale * (D - t) D (1 - D), the derivative of :meth:`value` w.r.t. each logit."""
        d = sigmoid(logits)
        return scale * (d - targets) * d * (1.0 - d)


LOSS_KINDS = {"log": LogLoss, "lsq": LeastSquaresLoss}


def loss_function(kind: str) -> type[LogLoss] | type[LeastSquaresLoss]:
    """:class:`LogLoss` for ``"log"``, :class:`LeastSquaresLoss` for ``"lsq"``."""
    try:
        return LOSS_KINDS[kind]
    except KeyError:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {kind!r}") from None


def discriminator_loss(kind: str, real_logits: np.ndarray, fake_logits: np.ndarray) -> float:
    """L_D straight from its formula (reals should score 1, fakes 0)."""
    real_logits = np.asarray(real_logits, dtype=np.float64)
    fake_logits = np.asarray(fake_logits, dtype=np.float64)
    if kind == "log":
        return float(np.mean(softplus(-real_logits)) + np.mean(softplus(fake_logits)))
    if kind == "lsq":
        d_real, d_fake = sigmoid(real_logits), sigmoid(fake_logits)
        return float(0.5 * np.mean((d_real - 1.0) ** 2) + 0.5 * np.mean(d_fake**2))
    raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {kind!r}")


def generator_loss(kind: str, fake_logits: np.ndarray) -> float:
    """L_G straight from its formula (the generator wants its fakes to score 1)."""
    fake_logits = np.asarray(fake_logits, dtype=np.float64)
    if kind == "log":
        return float(np.mean(softplus(-fake_logits)))
    if kind == "lsq":
        return float(0.5 * np.mean((sigmoid(fake_logits) - 1.0) ** 2))
    raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {kind!r}")
