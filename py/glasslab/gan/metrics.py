"""How far the fakes are from the real data: KL and JS divergence on a grid.

Both point sets are binned on a ``GRID`` x ``GRID`` (30 x 30) histogram over
the unit square. A point with coordinates (x, y) lands in column
``floor(x * 30)`` and row ``floor(y * 30)``, **clipped** to 0..29, so points
outside the square count in the nearest border cell (they are not wrapped
around or dropped). Each histogram is normalised to sum to 1, giving cell
probabilities ``p`` (real) and ``q`` (fake).

As in GAN Lab, a smoothing constant ``eps = 1e-4`` is then added to every cell
of every distribution inside the formulas (no renormalisation afterwards;
both sides gain the same total mass 900 * eps, so the results stay >= 0):

    KL(real || fake) = sum_cells (p + eps) * log2((p + eps) / (q + eps))
    JS(real, fake)   = 1/2 sum_cells (p + eps) * log2((p + eps) / (m + eps))
                     + 1/2 sum_cells (q + eps) * log2((q + eps) / (m + eps)),   m = (p + q) / 2

Both are in bits. Identical histograms give exactly 0; JS is at most about 1.
"""

from __future__ import annotations

import numpy as np

GRID = 30
SMOOTHING_EPS = 1e-4


def histogram(points: np.ndarray, grid: int = GRID) -> np.ndarray:
    """Normalised (grid, grid) histogram of (n, 2) points; [row, col] = [y cell, x cell].

    Points outside the unit square are clipped into the border cells.
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {pts.shape}")
    if len(pts) == 0:
        raise ValueError("cannot make a histogram of zero points")
    if not np.isfinite(pts).all():
        raise ValueError("points must be finite (the generator may have diverged)")
    cells = np.clip(np.floor(pts * grid), 0, grid - 1).astype(np.intp)
    counts = np.bincount(cells[:, 1] * grid + cells[:, 0], minlength=grid * grid)
    return counts.reshape(grid, grid) / len(pts)


def kl_divergence(p: np.ndarray, q: np.ndarray, eps: float = SMOOTHING_EPS) -> float:
    """KL(p || q) in bits between two normalised histograms, smoothed by ``eps``."""
    p = np.asarray(p, dtype=np.float64) + eps
    q = np.asarray(q, dtype=np.float64) + eps
    return float(np.sum(p * np.log2(p / q)))


def js_divergence(p: np.ndarray, q: np.ndarray, eps: float = SMOOTHING_EPS) -> float:
    """Jensen-Shannon divergence in bits between two normalised histograms."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    m = 0.5 * (p + q)
    return 0.5 * (kl_divergence(p, m, eps) + kl_divergence(q, m, eps))


def divergences(real: np.ndarray, fake: np.ndarray, grid: int = GRID) -> tuple[float, float]:
    """(KL(real || fake), JS(real, fake)) in bits for two (n, 2) point sets."""
    p = histogram(real, grid)
    q = histogram(fake, grid)
    return kl_divergence(p, q), js_divergence(p, q)
