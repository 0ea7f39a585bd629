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
function per loss kind, :func:`log_loss` and :func:`least_squares_loss`, that
takes a row of logits, a row of targets (1 = real, 0 = fake) and a ``scale``
and returns ``scale * sum over samples`` plus its gradient w.r.t. the logits.
With real and fake batches of the same size ``n`` and ``scale = 1/n`` this is
exactly L_D (targets 1 for reals, 0 for fakes) or L_G (targets 1 for fakes).
"""

from __future__ import annotations

import numpy as np

from glasslab.nn import sigmoid, softplus

LOSSES = ("log", "lsq")


def log_loss(logits: np.ndarray, targets: np.ndarray, scale: float) -> tuple[float, np.ndarray]:
    """Binary cross-entropy of D = sigmoid(logits) against 0/1 ``targets``.

    Per sample: -[t log D + (1 - t) log(1 - D)] = softplus(s) - t s,
    and its derivative w.r.t. the logit s is D - t.
    Returns (scale * sum of the per-sample losses, scale * (D - t)).
    """
    sp = np.logaddexp(0.0, logits)  # softplus(s)
    loss = scale * (float(sp.sum()) - float(np.vdot(targets, logits)))
    grad = np.exp(logits - sp)  # D = sigmoid(s) = exp(s - softplus(s)), never overflows
    grad -= targets
    grad *= scale
    return loss, grad


def least_squares_loss(
    logits: np.ndarray, targets: np.ndarray, scale: float
) -> tuple[float, np.ndarray]:
    """Half the squared error between D = sigmoid(logits) and ``targets``.

    Per sample: 1/2 (D - t)^2, whose derivative w.r.t. the logit s is
    (D - t) * D * (1 - D) since dD/ds = D (1 - D).
    Returns (scale * sum of the per-sample losses, its gradient w.r.t. the logits).
    """
    d = sigmoid(logits)
    err = d - targets
    loss = 0.5 * scale * float((err * err).sum())
    grad = scale * err * d * (1.0 - d)
    return loss, grad


LOSS_FUNCTIONS = {"log": log_loss, "lsq": least_squares_loss}


def loss_function(kind: str):
    """:func:`log_loss` for ``"log"``, :func:`least_squares_loss` for ``"lsq"``."""
    try:
        return LOSS_FUNCTIONS[kind]
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
