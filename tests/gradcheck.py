"""Central finite differences, shared by the gradient checks."""

from __future__ import annotations

import numpy as np


def numeric_grad(f, x, eps=1e-6):
    """Central finite differences of the scalar function f at x (x is changed and restored)."""
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return grad
