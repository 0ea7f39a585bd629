"""Real data and noise for the GAN lab.

Every data set lives in the unit square [0, 1]^2 and is sampled with the same
formulas as GAN Lab (u ~ U(0, 1), e ~ N(0, 1)):

``line``
    x = 0.8 - 0.75 u + 0.01 e1,  y = 0.6 + 0.3 u + 0.01 e2
``gaussians`` (the default)
    50 %: N(mean (0.3, 0.7), sd (0.1, 0.1));  50 %: N(mean (0.7, 0.4), sd (0.05, 0.2))
``ring``
    angle t = 2 pi u;  x = 0.5 + 0.3 cos t + 0.025 e1,  y = 0.45 + 0.25 sin t + 0.025 e2
``disjoint``
    three equally likely N(centre, sd 0.025) blobs at (0.35, 0.75), (0.75, 0.6), (0.45, 0.35)
``drawing``
    the user's drawn points: each sample is a random drawn point + N(0, 0.02^2) noise per axis

Noise z, the generator's input, is 1-D or 2-D and either ``uniform`` on [0, 1)
or ``gaussian``: a normal with mean 0.5 and sd 0.25 truncated at 2 sd, so it also
lies in [0, 1].

Samplers return arrays of shape (n, 2) (rows are points). The training loop
uses :class:`BatchStream`, which hands out batches as (dim, batch) matrices
(columns are samples, see :mod:`glasslab.nn`) drawn many batches at a time.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

DATASETS = ("line", "gaussians", "ring", "disjoint", "drawing")
NOISE_DISTS = ("uniform", "gaussian")

MIN_DRAWING_POINTS = 2
MAX_DRAWING_POINTS = 10_000
DRAWING_NOISE_SD = 0.02

NOISE_MEAN = 0.5
NOISE_SD = 0.25
NOISE_CUT_SDS = 2.0

Sampler = Callable[[np.random.Generator, int], np.ndarray]


def sample_line(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` points near the segment from (0.8, 0.6) to (0.05, 0.9)."""
    u = rng.random(n)
    e = rng.standard_normal((n, 2))
    x = 0.8 - 0.75 * u + 0.01 * e[:, 0]
    y = 0.6 + 0.3 * u + 0.01 * e[:, 1]
    return np.stack([x, y], axis=1)


GAUSSIANS_MEANS = np.array([[0.3, 0.7], [0.7, 0.4]])
GAUSSIANS_SDS = np.array([[0.1, 0.1], [0.05, 0.2]])


def sample_gaussians(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` points from an equal mixture of two axis-aligned Gaussians."""
    which = rng.integers(0, 2, size=n)  # 0 or 1 with probability 1/2 each
    return GAUSSIANS_MEANS[which] + GAUSSIANS_SDS[which] * rng.standard_normal((n, 2))


def sample_ring(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` points on an ellipse (centre (0.5, 0.45), radii 0.3 and 0.25) plus noise."""
    angle = 2.0 * math.pi * rng.random(n)
    e = rng.standard_normal((n, 2))
    x = 0.5 + 0.3 * np.cos(angle) + 0.025 * e[:, 0]
    y = 0.45 + 0.25 * np.sin(angle) + 0.025 * e[:, 1]
    return np.stack([x, y], axis=1)


DISJOINT_CENTRES = np.array([[0.35, 0.75], [0.75, 0.6], [0.45, 0.35]])
DISJOINT_SD = 0.025


def sample_disjoint(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` points from three equally likely small Gaussian blobs."""
    which = rng.integers(0, len(DISJOINT_CENTRES), size=n)
    return DISJOINT_CENTRES[which] + DISJOINT_SD * rng.standard_normal((n, 2))


def check_drawing(points) -> np.ndarray:
    """Validate drawn points and return them as a float array of shape (m, 2).

    Raises ValueError (with a message meant for the page) unless there are
    at least ``MIN_DRAWING_POINTS`` finite points inside the unit square.
    """
    if points is None:
        raise ValueError(
            "the drawing data set needs drawn points: draw at least "
            f"{MIN_DRAWING_POINTS} points first"
        )
    try:
        arr = np.array(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("drawn points must be a list of [x, y] pairs of numbers") from None
    if arr.size == 0:
        arr = arr.reshape(0, 2)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(
            f"drawn points must be a list of [x, y] pairs, got an array of shape {arr.shape}"
        )
    m = arr.shape[0]
    if m < MIN_DRAWING_POINTS:
        raise ValueError(
            f"draw at least {MIN_DRAWING_POINTS} points to make a data set "
            f"(got {m} point{'s' if m != 1 else ''})"
        )
    if m > MAX_DRAWING_POINTS:
        raise ValueError(f"too many drawn points: {m} (at most {MAX_DRAWING_POINTS})")
    if not np.isfinite(arr).all():
        raise ValueError("drawn points must be finite numbers")
    if arr.min() < 0.0 or arr.max() > 1.0:
        raise ValueError("drawn points must lie inside the unit square [0, 1] x [0, 1]")
    return arr


def sample_drawing(rng: np.random.Generator, n: int, points: np.ndarray) -> np.ndarray:
    """``n`` samples: a uniformly chosen drawn point plus N(0, 0.02^2) noise on each axis."""
    which = rng.integers(0, len(points), size=n)
    return points[which] + DRAWING_NOISE_SD * rng.standard_normal((n, 2))


_SAMPLERS: dict[str, Sampler] = {
    "line": sample_line,
    "gaussians": sample_gaussians,
    "ring": sample_ring,
    "disjoint": sample_disjoint,
}


def make_sampler(dataset: str, drawing=None) -> Sampler:
    """The sampler ``f(rng, n) -> (n, 2) array`` for a data set name.

    ``drawing`` (the drawn points) is needed, and only used, for ``"drawing"``.
    """
    if dataset == "drawing":
        points = check_drawing(drawing)
        return lambda rng, n: sample_drawing(rng, n, points)
    try:
        return _SAMPLERS[dataset]
    except KeyError:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}; got {dataset!r}") from None


def truncated_normal(
    rng: np.random.Generator,
    shape: tuple[int, ...],
    mean: float = NOISE_MEAN,
    sd: float = NOISE_SD,
    cut: float = NOISE_CUT_SDS,
) -> np.ndarray:
    """Normal(mean, sd) samples, redrawing any farther than ``cut`` sd from the mean."""
    out = mean + sd * rng.standard_normal(shape)
    bad = np.abs(out - mean) > cut * sd
    while bad.any():
        out[bad] = mean + sd * rng.standard_normal(int(bad.sum()))
        bad = np.abs(out - mean) > cut * sd
    return out


def sample_noise(rng: np.random.Generator, n: int, dim: int, dist: str) -> np.ndarray:
    """``n`` noise vectors of size ``dim`` as an (n, dim) array, ``uniform`` or ``gaussian``."""
    if dist == "uniform":
        return rng.random((n, dim))
    if dist == "gaussian":
        return truncated_normal(rng, (n, dim))
    raise ValueError(f"noise distribution must be one of {', '.join(NOISE_DISTS)}; got {dist!r}")


def noise_sampler(dim: int, dist: str) -> Sampler:
    """The sampler ``f(rng, n) -> (n, dim) array`` for a noise setting."""
    if dist not in NOISE_DISTS:
        raise ValueError(
            f"noise distribution must be one of {', '.join(NOISE_DISTS)}; got {dist!r}"
        )
    return lambda rng, n: sample_noise(rng, n, dim, dist)


class BatchStream:
    """An endless supply of batches from a sampler, drawn ``block`` batches at a time.

    ``next()`` returns a (dim, batch) array (columns are samples) that stays
    valid until the stream has handed out ``block`` more batches. Drawing in
    blocks makes one NumPy random call serve many training steps; the batches
    depend only on the sampler, the generator's state and how many batches were
    taken before, so runs are reproducible.
    """

    def __init__(
        self, sample: Sampler, rng: np.random.Generator, batch: int, block: int = 64
    ) -> None:
        self.sample = sample
        self.rng = rng
        self.batch = int(batch)
        self.block = int(block)
        self._batches: np.ndarray | None = None
        self._next = self.block
        self._block_state = None  # the random state the current block was drawn from

    def next(self) -> np.ndarray:
        """The next batch, shape (dim, batch)."""
        if self._next == self.block:
            self._block_state = self.rng.bit_generator.state
            points = self.sample(self.rng, self.block * self.batch)
            dim = points.shape[1]
            self._batches = np.ascontiguousarray(
                points.reshape(self.block, self.batch, dim).transpose(0, 2, 1)
            )
            self._next = 0
        batch = self._batches[self._next]
        self._next += 1
        return batch

    def get_state(self) -> tuple:
        """Where the stream stands: (random state, batches taken), small and copyable.

        Before the first block it is the generator's state now; after, the state the
        current block was drawn from (the block itself is not kept: it is drawn again).
        """
        if self._batches is None:
            return (self.rng.bit_generator.state, None)
        return (self._block_state, self._next)

    def set_state(self, state: tuple) -> None:
        """Continue exactly from a state of :meth:`get_state` (of a stream like this one)."""
        random_state, taken = state
        self.rng.bit_generator.state = random_state
        self._batches, self._next = None, self.block
        if taken is not None:
            self.next()  # the same block again, from the same random state
            self._next = taken
