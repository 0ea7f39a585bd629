"""The landing page's picture: a density map painted by NumPy.

The density of GAN lab's default data set (two Gaussian blobs) over the unit
square, coloured from purple (no data) to green (dense). Pure NumPy, so the
browser and the tests compute the very same pixels.
"""

from __future__ import annotations

import numpy as np

from glasslab.colour import FAKE_PURPLE, REAL_GREEN

# (mean x, mean y, sd x, sd y, weight): GAN lab's "two gaussians"
BLOBS = ((0.3, 0.7, 0.1, 0.1, 0.5), (0.7, 0.4, 0.05, 0.2, 0.5))
LOW = np.array(FAKE_PURPLE, dtype=np.float64)  # purple
HIGH = np.array(REAL_GREEN, dtype=np.float64)  # green


def density(width: int, height: int) -> np.ndarray:
    """Mixture density at pixel centres, shape (height, width); row 0 is the top (y = 1)."""
    x = (np.arange(width) + 0.5) / width
    y = 1.0 - (np.arange(height) + 0.5) / height
    gx, gy = np.meshgrid(x, y)
    total = np.zeros((height, width))
    for mx, my, sx, sy, w in BLOBS:
        z = ((gx - mx) / sx) ** 2 + ((gy - my) / sy) ** 2
        total += w * np.exp(-0.5 * z) / (2 * np.pi * sx * sy)
    return total


def density_image(width: int = 128, height: int = 128) -> np.ndarray:
    """RGBA uint8 image, shape (height, width, 4): density normalised to [0, 1], purple to green."""
    d = density(width, height)
    t = (d / d.max())[..., None]
    rgb = LOW * (1.0 - t) + HIGH * t
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    rgba[..., :3] = np.rint(rgb).astype(np.uint8)
    rgba[..., 3] = 255
    return rgba
