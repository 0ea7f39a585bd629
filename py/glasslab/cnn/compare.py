"""NumPy's activations against another runtime's (ONNX Runtime Web on the page).

:func:`max_difference` compares every output the other runtime returned that is also a
layer of the model (converted to this package's ``(H, W, C)`` layout);
:func:`verdict` turns the result into the page's status and the catalogue text for it.
"""

from __future__ import annotations

import numpy as np

AGREE = 1e-4  # largest absolute difference still counted as agreement


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
        worst = max(worst, float(np.max(np.abs(theirs - ours))))
        compared += 1
    return worst, compared


def verdict(worst: float, compared: int) -> tuple[str, str, dict]:
    """``(status, catalogue key, parameters)`` of a comparison."""
    if compared == 0:
        return "no comparable outputs", "cnn.ort.no_outputs", {}
    status = "agree" if worst <= AGREE else "differ"
    key = f"cnn.ort.{status}" + ("" if compared == 1 else "_n")
    return status, key, {"diff": f"{worst:.2e}", "n": compared}
