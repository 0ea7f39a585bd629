"""NumPy's activations against another runtime's (ONNX Runtime Web on the page).

:func:`max_difference` compares every output the other runtime returned that is also a
layer of the model (converted to this package's ``(H, W, C)`` layout);
:func:`verdict` turns the result into the page's status and the catalogue text for it;
:func:`nonfinite_layer` finds the first layer whose numbers are NaN or infinite (such a
model is refused: no such number ever reaches the page).
"""

from __future__ import annotations

import numpy as np

AGREE = 1e-4  # largest absolute difference still counted as agreement
FLOAT_MAX = float(np.finfo(np.float64).max)


def nonfinite_layer(acts: dict, probabilities) -> str | None:
    """The name of the first activation (in order) holding NaN or an infinity, or
    ``"probabilities"``; None when every number is finite."""
    for name, act in acts.items():
        if not np.isfinite(act).all():
            return name
    return None if np.isfinite(probabilities).all() else "probabilities"


def max_difference(model, acts: dict, outputs) -> tuple[float, int]:
    """``(largest |theirs - ours|, outputs compared)`` over ``outputs``, pairs of
    ``(layer name, ONNX array with batch axis)``; outputs that are no layer or have
    another shape are skipped."""
    known = set(model.layer_names)
    worst, compared = 0.0, 0
    for name, array in outputs:
        if name not in known:
            continue
        theirs = model.to_hwc(name, array)
        ours = acts[name]
        if theirs.shape != ours.shape:
            continue
        gap = np.abs(np.asarray(theirs, np.float64) - ours)  # NaN or inf: the largest float
        worst = max(worst, float(np.max(np.where(np.isfinite(gap), gap, FLOAT_MAX))))
        compared += 1
    return worst, compared


def verdict(worst: float, compared: int) -> tuple[str, str, dict]:
    """``(status, catalogue key, parameters)`` of a comparison."""
    if compared == 0:
        return "no comparable outputs", "cnn.ort.no_outputs", {}
    status = "agree" if worst <= AGREE else "differ"
    key = f"cnn.ort.{status}" + ("" if compared == 1 else "_n")
    return status, key, {"diff": f"{worst:.2e}", "n": compared}
