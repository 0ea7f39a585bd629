"""View maths of the GAN lab page: heatmap colours (probabilities and critic scores),
manifold density, arrow lengths.

Pure NumPy, shared by the page and the tests. Coordinates are the unit square
with y pointing up; images have row 0 at the top. The sizes here (``SIZES``) are
the one definition of the view's buffers: the page hands them to its JavaScript.
"""

from __future__ import annotations

import numpy as np

from glasslab.colour import PURPLE_GREEN
from glasslab.gan.config import MAX_BATCH
from glasslab.gan.data import MAX_DRAWING_POINTS
from glasslab.gan.lab_views import MANIFOLD_CELLS, NUM_TRACKED, NUM_VIEW_REAL
from glasslab.gan.metrics import GRID
from glasslab.gan.settings import FIELDS, LAYERS, LR_MENU

# D(x) = 0 (sure it is fake) -> purple, 0.5 (undecided) -> near white, 1 (sure it is real) -> green
HEAT_STOPS = np.array(PURPLE_GREEN.positions)
HEAT_COLOURS = np.array(PURPLE_GREEN.colours, dtype=np.float64)
MAX_DRAWING = MAX_DRAWING_POINTS  # points the pad keeps: all that the drawing data set takes
# Buffer sizes of the distribution view (site/js/gan-canvas.js allocates from these);
# a slow-motion batch has up to MAX_BATCH points.
SIZES = {
    "grid": GRID,  # heatmap cells per side
    "manifold": MANIFOLD_CELLS + 1,  # manifold grid points per side
    "points": max(NUM_VIEW_REAL, NUM_TRACKED, MAX_BATCH),  # real or fake points shown at once
    "drawing": MAX_DRAWING,
    "tracked": NUM_TRACKED,  # the fakes followed from frame to frame (noise vectors, gradients)
}
CRITIC_MIN_SCALE = 1e-3  # critic scores below this are never shown in full colour
ARROW_MAX = 0.08  # longest arrow, in unit-square coordinates (32 px on the 400 px view)
ARROW_KNEE = 0.5  # gradient size at which arrows reach about three quarters of the longest


def lab_heat(lab, out: np.ndarray | None = None) -> np.ndarray:
    """The heatmap of ``lab``'s discriminator: :func:`heat_rgba` of its field, coloured
    as a probability or as critic scores after its loss."""
    critic = "relative" if lab.loss.critic and lab.loss.relative else lab.loss.critic
    return heat_rgba(lab.discriminator_field(), out, critic)


def critic_centre(field: np.ndarray, relative: bool) -> float:
    """The critic score drawn white: 0, or for a ``relative`` critic the field's mean."""
    finite = field[np.isfinite(field)]
    return float(finite.mean()) if relative and finite.size else 0.0


def critic_scale(field: np.ndarray, centre: float = 0.0) -> float:
    """The distance from ``centre`` drawn in full colour: the field's largest |s - centre|
    (at least ``CRITIC_MIN_SCALE``, so a critic that is still flat stays pale)."""
    finite = np.abs(field[np.isfinite(field)] - centre)
    return max(float(finite.max()) if finite.size else 0.0, CRITIC_MIN_SCALE)


def heat_levels(field: np.ndarray, critic: bool | str = False) -> np.ndarray:
    """D's field as levels of the purple-white-green scale, 0 (fake) to 1 (real).

    A probability D(x) is its own level (``critic`` False). A critic score s has no
    fixed range (weight clipping keeps Wasserstein scores small, hinge scores grow
    past +-1), so it is shown relative to the field:
    level = 0.5 + 0.5 (s - m) / S, S = ``critic_scale(field, m)``, the largest
    |s - m| on the square in full green or purple. The white point m is 0 for a
    critic whose sign is its verdict (hinge; ``critic`` True) and the field's mean for
    a critic defined only up to a constant (Wasserstein; ``critic="relative"``).
    """
    if not critic:
        return field
    centre = critic_centre(field, critic == "relative")
    s = np.nan_to_num(field - centre, nan=0.0, posinf=0.0, neginf=0.0)
    return 0.5 + 0.5 * s / critic_scale(field, centre)


def heat_rgba(
    field: np.ndarray, out: np.ndarray | None = None, critic: bool | str = False
) -> np.ndarray:
    """Colour D's field (rows from y = 0 upwards) as RGBA uint8 with row 0 at the top.

    ``critic``: the field holds critic scores, coloured as :func:`heat_levels` says.
    Levels outside [0, 1] (and NaN) are clipped to the nearest end.
    """
    rows, cols = field.shape
    flipped = np.nan_to_num(heat_levels(field, critic)[::-1], nan=0.5).clip(0.0, 1.0)
    if out is None:
        out = np.empty((rows, cols, 4), dtype=np.uint8)
    for channel in range(3):
        out[..., channel] = np.interp(flipped, HEAT_STOPS, HEAT_COLOURS[:, channel]).round()
    out[..., 3] = 255
    return out


def heat_colour(value: float) -> tuple[int, int, int]:
    """The RGB of one D value, as ``heat_rgba`` paints it."""
    v = min(max(float(value), 0.0), 1.0)
    return tuple(int(round(np.interp(v, HEAT_STOPS, HEAT_COLOURS[:, c]))) for c in range(3))


def quad_areas(grid: np.ndarray) -> np.ndarray:
    """Areas of the (R-1) x (C-1) quadrilaterals abcd of a warped (R, C, 2) grid.

    The shoelace formula of a quadrilateral is half the cross product of its
    diagonals: area = |(c - a) x (d - b)| / 2, with a, b the corners of a cell's
    first row and d, c those of the next (so abcd runs around the cell).
    """
    p = grid[1:, 1:] - grid[:-1, :-1]  # c - a
    q = grid[1:, :-1] - grid[:-1, 1:]  # d - b
    return 0.5 * np.abs(p[..., 0] * q[..., 1] - p[..., 1] * q[..., 0])


def manifold_alpha(grid: np.ndarray, noise_mass: np.ndarray | None = None) -> np.ndarray:
    """Opacity of each manifold cell: the density of fake samples it holds.

    A cell of the noise grid carries probability mass ``noise_mass`` (equal
    for uniform noise); G stretches it over ``quad_areas``. Density =
    mass / area, shown relative to the median cell so the picture does not
    depend on the grid size. Returns values in [0.03, 0.85].
    """
    areas = quad_areas(grid)
    mass = np.ones_like(areas) if noise_mass is None else noise_mass
    density = mass / np.maximum(areas, 1e-9)
    finite = density[np.isfinite(density)]
    reference = np.median(finite) if finite.size else 1.0
    alpha = 0.35 * density / max(reference, 1e-12)
    return np.nan_to_num(alpha, nan=0.03).clip(0.03, 0.85)


def gaussian_cell_mass(cells: int, mean: float = 0.5, sd: float = 0.25) -> np.ndarray:
    """Relative probability mass of each cell of a cells x cells grid over [0, 1]^2 under
    independent (truncated) normal noise, evaluated at cell centres."""
    centres = (np.arange(cells) + 0.5) / cells
    p = np.exp(-0.5 * ((centres - mean) / sd) ** 2)
    return np.outer(p, p) / np.outer(p, p).mean()


def arrows(gradients: np.ndarray) -> np.ndarray:
    """Arrow vectors for the gradients of D at the fakes, NaN and infinities -> 0.

    Each arrow keeps its gradient's direction; its length is
    ``ARROW_MAX * tanh(|g| / ARROW_KNEE)``: proportional to the gradient while it is
    small, and compressed for large ones, so gradients that differ by 100x (they do
    between data sets) all stay readable and none crosses the whole view.
    """
    g = np.nan_to_num(gradients, nan=0.0, posinf=0.0, neginf=0.0)
    norm = np.sqrt((g**2).sum(axis=1, keepdims=True))
    length = ARROW_MAX * np.tanh(norm / ARROW_KNEE)
    return g * (length / np.maximum(norm, 1e-12))


def noise_mass(noise_dist: str) -> np.ndarray | None:
    """The manifold cells' noise mass for ``manifold_alpha``: None (equal) for uniform noise."""
    return gaussian_cell_mass(MANIFOLD_CELLS) if noise_dist == "gaussian" else None


def tracked_noise(lab) -> np.ndarray:
    """The noise vectors z of the tracked fakes, float32 (N, 2): (z1, z2), or (z, 0.5) for 1-D.

    Row i is the noise of ``lab.tracked_fakes()[i]``; the graph's noise thumbnail and the
    distribution view's tooltip show them (noise lives in the unit square like the data).
    """
    z = lab._view_noise[:, :NUM_TRACKED].T  # (N, noise_dim), drawn once per noise setting
    out = np.full((z.shape[0], 2), 0.5, dtype=np.float32)
    out[:, : z.shape[1]] = z[:, :2]
    return out


def sample_arrays(lab) -> dict[str, np.ndarray]:
    """What the distribution view keeps until the data or the noise change, flat float32
    and named as site/js/gan-canvas.js names its buffers: ``real`` (the real points)
    and ``noise`` (:func:`tracked_noise`)."""
    real = lab.real_samples().astype(np.float32).reshape(-1)
    return {"real": real, "noise": tracked_noise(lab).reshape(-1)}


def frame_arrays(
    lab, manifold: bool, heat: np.ndarray | None = None, field: bool = True
) -> dict[str, np.ndarray]:
    """What the distribution view redraws each frame, flat float32 (the heatmap uint8,
    written into ``heat`` when given): ``fake`` (the tracked fakes), ``grad`` (their
    :func:`arrows`), ``gradRaw`` (D's gradient there), with ``field`` ``heat``
    (:func:`lab_heat`; without it the view keeps the heatmap it has) and,
    with ``manifold``, ``manifold`` (:meth:`~glasslab.gan.lab_views.LabViews.manifold`)
    and for 2-D noise ``manifoldAlpha`` (:func:`manifold_alpha`)."""
    raw = lab.tracked_gradients()
    out = {
        "fake": lab.tracked_fakes().astype(np.float32).reshape(-1),
        "grad": arrows(raw).astype(np.float32).reshape(-1),
        "gradRaw": raw.astype(np.float32).reshape(-1),
    }
    if field:
        out["heat"] = lab_heat(lab, heat).reshape(-1)
    if manifold:
        grid = lab.manifold()
        out["manifold"] = grid.astype(np.float32).reshape(-1)
        if lab.config.noise_dim == 2:
            alpha = manifold_alpha(grid, noise_mass(lab.config.noise_dist))
            out["manifoldAlpha"] = alpha.astype(np.float32).reshape(-1)
    return out


def page_setup() -> dict:
    """What the page's JavaScript views are set up with: the buffer sizes, the settings
    that have controls, the learning-rate menu and the layers of the distribution view."""
    return {"sizes": SIZES, "fields": FIELDS, "lr_menu": LR_MENU, "layers": LAYERS}
