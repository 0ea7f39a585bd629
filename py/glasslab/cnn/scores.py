"""Class scores: the logits, the softmax temperature and the probabilities the page shows.

``p_k = exp(z_k / T) / sum_j exp(z_j / T)`` (computed as ``exp((z_k - max z) / T)``
over its sum, which is the same and never overflows), with the raw class scores ``z``
(:meth:`SequentialCNN.logits <glasslab.cnn.model.SequentialCNN.logits>`) and the
temperature ``T`` from :data:`MIN_TEMPERATURE` to :data:`MAX_TEMPERATURE`, 1 by default:
``T < 1`` sharpens the distribution towards the largest logit, ``T > 1`` flattens it
towards uniform; the order of the classes never changes.

:func:`read_settings` checks what ``window.glasslab.set()`` is given.
"""

from __future__ import annotations

import math

import numpy as np

from glasslab.cnn.refusal import Refusal

__all__ = [
    "DEFAULT_TEMPERATURE",
    "MAX_TEMPERATURE",
    "MIN_TEMPERATURE",
    "SETTINGS",
    "class_scores",
    "probabilities",
    "read_settings",
    "score_state",
]

MIN_TEMPERATURE, MAX_TEMPERATURE, DEFAULT_TEMPERATURE = 0.1, 10.0, 1.0
SETTINGS = ("temperature",)


def probabilities(logits, temperature: float = DEFAULT_TEMPERATURE) -> np.ndarray:
    """``softmax(z / T)`` in float64."""
    z = np.asarray(logits, np.float64).reshape(-1) / float(temperature)
    e = np.exp(z - z.max())
    return e / e.sum()


def class_scores(model, image, acts: dict, temperature: float) -> tuple[np.ndarray, np.ndarray]:
    """The model's logits for ``image`` and their :func:`probabilities` at ``temperature``."""
    logits = model.logits(image, acts)
    return logits, probabilities(logits, temperature)


def check_temperature(value) -> float:
    """``value`` as a temperature, or ``ValueError`` saying the allowed range."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not MIN_TEMPERATURE <= value <= MAX_TEMPERATURE:
        raise Refusal(
            f"temperature must be a number from {MIN_TEMPERATURE:g} to {MAX_TEMPERATURE:g}, "
            f"got {value!r}"
        )
    return float(value)


def read_settings(params) -> dict:
    """The settings of a ``set({...})`` call, checked: an object with known keys
    (:data:`SETTINGS`) and valid values, else ``ValueError`` (nothing is half-applied)."""
    if not isinstance(params, dict):
        raise Refusal(f"set() takes an object such as {{temperature: 2}}, got {params!r}")
    unknown = [k for k in params if k not in SETTINGS]
    if unknown:
        raise Refusal(f"unknown setting {unknown[0]!r}; settings: {', '.join(SETTINGS)}")
    return {"temperature": check_temperature(params["temperature"])} if params else {}


def score_state(logits, temperature: float) -> dict:
    """The ``state()`` fields of the class scores: ``temperature`` and ``logits``."""
    z = [] if logits is None else [float(v) for v in np.asarray(logits).reshape(-1)]
    return {"temperature": float(temperature), "logits": z}
