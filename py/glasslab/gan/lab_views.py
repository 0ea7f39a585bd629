"""What the page's views read from a :class:`~glasslab.gan.lab.GanLab`: D on the grid and
at a point, the manifold, tracked fakes and their gradients, samples and divergences.

:class:`LabViews` is a base class of ``GanLab``; its methods only look at the lab
(through the networks' own ``"predict"`` and ``"view"`` workspaces, so they never
disturb a training step) and return fresh arrays.

D's output is what the loss says it is (``GanLab.loss.output``): for the
probability losses (``log``, ``lsq``) ``D(x) = sigmoid(s(x))`` in [0, 1], for the
critic losses (``hinge``, ``wasserstein``) the raw critic score ``s(x)``, any real
number, higher meaning "more real" (``GanLab.d_kind`` says which).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glasslab.checks import Refused
from glasslab.gan.config import check_int
from glasslab.gan.data import make_sampler, sample_noise
from glasslab.gan.metrics import GRID, divergences

NUM_VIEW_REAL = 450  # real points shown (and used for the divergences)
NUM_TRACKED = 150  # fakes followed from frame to frame
NUM_VIEW_FAKE = 450  # fakes used for the divergences (the first 150 are the tracked ones)
MANIFOLD_CELLS = 20  # the noise grid has 21 x 21 (or 21) points

_centres = (np.arange(GRID) + 0.5) / GRID
GRID_CENTRES = np.stack([np.tile(_centres, GRID), np.repeat(_centres, GRID)])  # (2, 900)


class LabViews:
    """The read-only views of a GAN lab (mixed into ``GanLab``)."""

    @property
    def d_kind(self) -> str:
        """``"probability"`` (D(x) = sigmoid(s) in [0, 1]) or ``"critic"`` (the score s)."""
        return "critic" if self.loss.critic else "probability"

    def discriminator_field(self) -> np.ndarray:
        """D's output on the 30 x 30 cell centres of the unit square, shape (30, 30).

        ``field[r, c] = D(x=(c + 0.5)/30, y=(r + 0.5)/30)``: row 0 is the bottom
        of the square (y near 0), column 0 the left (x near 0). Values in [0, 1]
        for the probability losses, critic scores for the critic losses.
        """
        with np.errstate(all="ignore"):
            logits = self.discriminator.predict(GRID_CENTRES)
            return self.loss.output(logits[0]).reshape(GRID, GRID)

    def probe(self, x, y) -> float:
        """D's output at the point (x, y) of the unit square: the probability that it is
        real, or the critic score (see :attr:`d_kind`). Refused (a ValueError, key
        ``gan.error.probe``) unless x and y are numbers in [0, 1]."""
        point = []
        for name, value in (("x", x), ("y", y)):
            number = isinstance(value, numbers.Real) and not isinstance(value, bool)
            if not (number and math.isfinite(float(value)) and 0.0 <= float(value) <= 1.0):
                raise Refused("gan.error.probe", name=name, value=repr(value)[:40])
            point.append([float(value)])
        with np.errstate(all="ignore"):
            return float(self.loss.output(self.discriminator.predict(np.array(point)))[0, 0])

    def probe_reading(self, x, y) -> dict:
        """``{x, y, d}``: :meth:`probe` with its point (what ``window.glasslab.probe`` gives)."""
        return {"x": x, "y": y, "d": self.probe(x, y)}

    def manifold(self) -> np.ndarray:
        """G applied to a regular noise grid (21 points per axis over [0, 1]).

        2-D noise: shape (21, 21, 2) with ``out[r, c] = G(z=(c/20, r/20))``;
        1-D noise: shape (21, 2) with ``out[i] = G(z=i/20)``.
        """
        with np.errstate(all="ignore"):
            points = self.generator.predict(self._manifold_noise).T
        if self.config.noise_dim == 1:
            return points.copy()
        side = MANIFOLD_CELLS + 1
        return points.reshape(side, side, 2).copy()

    def tracked_fakes(self) -> np.ndarray:
        """(150, 2) fakes made from fixed noise (drawn once), so each dot can be followed."""
        with np.errstate(all="ignore"):
            return self.generator.predict(self._view_noise[:, :NUM_TRACKED]).T.copy()

    def tracked_gradients(self) -> np.ndarray:
        """(150, 2) gradient of D's output w.r.t. each tracked fake x (as GAN Lab draws it).

        It points where D's "real" verdict (probability or critic score) rises
        fastest: the direction the generator's loss pushes that fake (for every
        loss the push -dL_G/dx is this vector times a positive factor).
        """
        with np.errstate(all="ignore"):
            fake = self.generator.forward(self._view_noise[:, :NUM_TRACKED], workspace="view")
            logits = self.discriminator.forward(fake, workspace="view")
            slope = self.loss.output_gradient(logits)
            grad = self.discriminator.backward(slope, param_grads=False, workspace="view")
            return grad.T.copy()

    def real_samples(self) -> np.ndarray:
        """(450, 2) real points for the view (drawn at reset or when the data set changes)."""
        return self._view_real.copy()

    def view_fakes(self) -> np.ndarray:
        """(450, 2) fakes from fixed noise for :meth:`divergence`; the first 150 are tracked."""
        with np.errstate(all="ignore"):
            return self.generator.predict(self._view_noise).T.copy()

    def divergence(self) -> tuple[float, float]:
        """(KL(real || fake), JS(real, fake)) in bits on the 30 x 30 grid.

        Real: all 450 view samples; fake: the 450 :meth:`view_fakes`. See
        :mod:`glasslab.gan.metrics` for the exact formulas.
        """
        return divergences(self._view_real, self.view_fakes())

    def generate(self, n: int, seed=None) -> np.ndarray:
        """(n, 2) fakes from ``n`` fresh noise vectors.

        The noise is drawn with ``numpy.random.default_rng(seed)`` (``seed``: an
        int, a tuple of ints, or None for fresh entropy), not from the training streams.
        """
        n = check_int("n", n, 0, None)
        rng = np.random.default_rng(seed)
        noise = sample_noise(rng, n, self.config.noise_dim, self.config.noise_dist)
        with np.errstate(all="ignore"):
            return self.generator.predict(np.ascontiguousarray(noise.T)).T.copy()

    def sample_real(self, n: int, seed=None) -> np.ndarray:
        """(n, 2) fresh real points, drawn with ``numpy.random.default_rng(seed)``."""
        n = check_int("n", n, 0, None)
        return make_sampler(self.config.dataset, self._drawing)(np.random.default_rng(seed), n)

    @property
    def drawing(self) -> np.ndarray | None:
        """The drawn points (m, 2) of the drawing data set, or None."""
        return None if self._drawing is None else self._drawing.copy()
