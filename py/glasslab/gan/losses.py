"""GAN losses, computed from the discriminator's raw output ``s`` so they never take log(0).

The discriminator network outputs one number ``s`` per point. For the two
**probability** losses, ``s`` is a logit and D's verdict "probability that this
point is real" is ``D = sigmoid(s)``. Working with ``s`` instead of ``D`` keeps
everything finite even when D saturates at 0 or 1:

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

For the two **critic** losses, ``s`` is a score, not a probability: higher means
"more real", and no sigmoid is taken anywhere.

**Hinge loss** (Lim & Ye 2017; Miyato et al. 2018)::

    L_D = mean max(0, 1 - s(x)) + mean max(0, 1 + s(G(z)))
    L_G = -mean s(G(z))

**Wasserstein loss** (WGAN, Arjovsky et al. 2017) with weight clipping::

    L_D = mean s(G(z)) - mean s(x)
    L_G = -mean s(G(z))

after every update of D, each of D's weights and biases is clipped to
[-c, c], c = ``WassersteinLoss.clip`` = 0.1 (the paper uses 0.01 for its large
networks; D here has a few dozen weights, and 0.01 leaves its scores and the
generator's gradients almost zero). Clipping keeps the critic Lipschitz, so
``-L_D`` estimates the Wasserstein distance (up to a constant factor).

Interface. Each kind is a class of static methods:

* ``value(s, targets, scale)`` / ``gradient(s, targets, scale)``: the
  discriminator's loss, ``scale * sum over samples`` of the per-sample loss
  against its target (1 = real, 0 = fake), and its derivative w.r.t. each
  ``s``. With real and fake batches of the same size ``n`` and ``scale = 1/n``
  this is exactly L_D;
* ``generator_value(s, scale)`` / ``generator_gradient(s, scale)``: L_G of the
  fakes' scores and its derivative (for the probability losses, the same as
  ``value`` / ``gradient`` with every target 1);
* ``output(s)``: what D says about a point, ``sigmoid(s)`` or ``s`` itself, and
  ``output_gradient(s)``, its derivative w.r.t. ``s``;
* ``constrain(d_params)``: applied to D's parameters after each of its updates
  (weight clipping for Wasserstein, nothing for the others);
* ``critic`` (False: D is a probability; True: a critic score), ``clip``
  (None, or the weight-clipping bound c) and, for critics, ``relative`` (True when
  only differences of scores mean something: adding a constant to s changes neither
  loss, as for Wasserstein).

Training only needs the gradients; the values are for display, so the engine
computes them only when they are looked at.
"""

from __future__ import annotations

import numpy as np

from glasslab.nn import sigmoid, softplus

LOSSES = ("log", "lsq", "hinge", "wasserstein")


class LogLoss:
    """Binary cross-entropy of D = sigmoid(s) against 0/1 targets t.

    Per sample: -[t log D + (1 - t) log(1 - D)] = softplus(s) - t s,
    and its derivative w.r.t. the logit s is D - t.
    """

    name = "log"
    critic = False
    clip = None

    @staticmethod
    def value(logits: np.ndarray, targets: np.ndarray, scale: float) -> float:
        """scale * sum over samples of softplus(s) - t s."""
        return scale * (float(softplus(logits).sum()) - float(np.vdot(targets, logits)))

    @staticmethod
    def gradient(logits: np.ndarray, targets: np.ndarray, scale: float) -> np.ndarray:
        """scale * (D - t), the derivative of :meth:`value` w.r.t. each logit."""
        return scale * (sigmoid(logits) - targets)

    @staticmethod
    def generator_value(logits: np.ndarray, scale: float) -> float:
        """scale * sum over the fakes of -log D = softplus(-s)."""
        return scale * float(softplus(-logits).sum())

    @staticmethod
    def generator_gradient(logits: np.ndarray, scale: float) -> np.ndarray:
        """scale * (D - 1), the derivative of :meth:`generator_value` w.r.t. each logit."""
        return scale * (sigmoid(logits) - 1.0)

    output = staticmethod(sigmoid)

    @staticmethod
    def constrain(d_params: np.ndarray) -> None:
        """What happens to D's parameters after each of its updates: nothing here."""

    @staticmethod
    def output_gradient(logits: np.ndarray) -> np.ndarray:
        """dD/ds = D (1 - D)."""
        d = sigmoid(logits)
        return d * (1.0 - d)


class LeastSquaresLoss(LogLoss):
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

    @staticmethod
    def generator_value(logits: np.ndarray, scale: float) -> float:
        """scale * sum over the fakes of 1/2 (D - 1)^2."""
        err = sigmoid(logits) - 1.0
        return 0.5 * scale * float(np.vdot(err, err))

    @staticmethod
    def generator_gradient(logits: np.ndarray, scale: float) -> np.ndarray:
        """scale * (D - 1) D (1 - D)."""
        d = sigmoid(logits)
        return scale * (d - 1.0) * d * (1.0 - d)


class _CriticLoss:
    """What both critic losses share: L_G = -mean s(G(z)), and D's output is s itself."""

    critic = True
    clip = None
    relative = False  # the sign of s is D's verdict (hinge: s = 0 is its boundary)

    @staticmethod
    def generator_value(scores: np.ndarray, scale: float) -> float:
        """scale * sum over the fakes of -s."""
        return -scale * float(scores.sum())

    @staticmethod
    def generator_gradient(scores: np.ndarray, scale: float) -> np.ndarray:
        """-scale for every fake: the derivative of :meth:`generator_value`."""
        return np.full_like(scores, -scale)

    @staticmethod
    def output(scores: np.ndarray) -> np.ndarray:
        """The critic score itself (a copy)."""
        return np.array(scores, dtype=np.float64)

    @staticmethod
    def output_gradient(scores: np.ndarray) -> np.ndarray:
        """ds/ds = 1."""
        return np.ones_like(scores)

    constrain = LogLoss.constrain


class HingeLoss(_CriticLoss):
    """Hinge loss of the critic score s: with y = 2t - 1 (+1 real, -1 fake),
    per sample max(0, 1 - y s), whose derivative w.r.t. s is -y where 1 - y s > 0, else 0."""

    name = "hinge"

    @staticmethod
    def value(scores: np.ndarray, targets: np.ndarray, scale: float) -> float:
        """scale * sum over samples of max(0, 1 - y s)."""
        y = 2.0 * targets - 1.0
        return scale * float(np.maximum(0.0, 1.0 - y * scores).sum())

    @staticmethod
    def gradient(scores: np.ndarray, targets: np.ndarray, scale: float) -> np.ndarray:
        """-scale * y where the margin is not yet met (1 - y s > 0), 0 elsewhere."""
        y = 2.0 * targets - 1.0
        return (-scale * y) * (1.0 - y * scores > 0.0)


class WassersteinLoss(_CriticLoss):
    """The critic's Wasserstein loss: per sample (1 - 2t) s, i.e. +s for a fake and -s
    for a real, so that L_D = mean s(G(z)) - mean s(x); D is clipped to [-clip, clip]."""

    name = "wasserstein"
    clip = 0.1
    relative = True  # s + constant gives the same losses: only differences of scores count

    @staticmethod
    def value(scores: np.ndarray, targets: np.ndarray, scale: float) -> float:
        """scale * sum over samples of (1 - 2t) s."""
        return scale * float(np.vdot(1.0 - 2.0 * targets, scores))

    @staticmethod
    def gradient(scores: np.ndarray, targets: np.ndarray, scale: float) -> np.ndarray:
        """scale * (1 - 2t): +scale for each fake, -scale for each real."""
        return scale * (1.0 - 2.0 * targets)

    @staticmethod
    def constrain(d_params: np.ndarray) -> None:
        """Weight clipping: every weight and bias of D to [-clip, clip], in place."""
        np.clip(d_params, -WassersteinLoss.clip, WassersteinLoss.clip, out=d_params)


Loss = type[LogLoss] | type[HingeLoss] | type[WassersteinLoss]
LOSS_KINDS = {
    "log": LogLoss,
    "lsq": LeastSquaresLoss,
    "hinge": HingeLoss,
    "wasserstein": WassersteinLoss,
}


def loss_function(kind: str) -> Loss:
    """The loss class of ``kind``: one of :data:`LOSSES`."""
    try:
        return LOSS_KINDS[kind]
    except KeyError:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {kind!r}") from None


def discriminator_loss(kind: str, real_logits: np.ndarray, fake_logits: np.ndarray) -> float:
    """L_D straight from its formula (reals should score high, fakes low)."""
    s_real = np.asarray(real_logits, dtype=np.float64)
    s_fake = np.asarray(fake_logits, dtype=np.float64)
    if kind == "log":
        return float(np.mean(softplus(-s_real)) + np.mean(softplus(s_fake)))
    if kind == "lsq":
        d_real, d_fake = sigmoid(s_real), sigmoid(s_fake)
        return float(0.5 * np.mean((d_real - 1.0) ** 2) + 0.5 * np.mean(d_fake**2))
    if kind == "hinge":
        return float(
            np.mean(np.maximum(0.0, 1.0 - s_real)) + np.mean(np.maximum(0.0, 1.0 + s_fake))
        )
    if kind == "wasserstein":
        return float(np.mean(s_fake) - np.mean(s_real))
    raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {kind!r}")


def generator_loss(kind: str, fake_logits: np.ndarray) -> float:
    """L_G straight from its formula (the generator wants its fakes to score high)."""
    s_fake = np.asarray(fake_logits, dtype=np.float64)
    if kind == "log":
        return float(np.mean(softplus(-s_fake)))
    if kind == "lsq":
        return float(0.5 * np.mean((sigmoid(s_fake) - 1.0) ** 2))
    if kind in ("hinge", "wasserstein"):
        return float(-np.mean(s_fake))
    raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {kind!r}")
