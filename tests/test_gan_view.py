"""View maths of the GAN page: heatmap colours, manifold density, arrows."""

from __future__ import annotations

import numpy as np
from glasslab.gan import view as gan_view


def test_heatmap_puts_row_zero_at_the_bottom_and_uses_the_three_stops():
    field = np.zeros((30, 30))
    field[0, :] = 1.0  # bottom row (y near 0): "real"
    field[-1, :] = 0.5  # top row: undecided
    rgba = gan_view.heat_rgba(field)
    assert rgba.shape == (30, 30, 4) and rgba.dtype == np.uint8
    assert tuple(rgba[-1, 0, :3]) == (95, 185, 142)  # image bottom = field row 0: green
    assert tuple(rgba[0, 0, :3]) == (247, 247, 247)  # image top = field row 29: white
    assert tuple(rgba[15, 0, :3]) == (142, 124, 195)  # D = 0: purple
    assert (rgba[..., 3] == 255).all()


def test_heatmap_clips_and_survives_nan():
    field = np.array([[-3.0, np.nan], [2.0, 0.25]])
    rgba = gan_view.heat_rgba(field)
    assert tuple(rgba[1, 0, :3]) == gan_view.heat_colour(0.0)
    assert tuple(rgba[1, 1, :3]) == gan_view.heat_colour(0.5)
    assert tuple(rgba[0, 0, :3]) == gan_view.heat_colour(1.0)
    # a quarter of the way: halfway between purple and white
    assert gan_view.heat_colour(0.25) == (194, 186, 221)


def test_quad_areas_of_a_regular_and_a_sheared_grid():
    u = np.linspace(0, 1, 5)
    grid = np.stack(np.meshgrid(u, u), axis=-1)  # (5, 5, 2)
    assert np.allclose(gan_view.quad_areas(grid), 1 / 16)
    sheared = grid.copy()
    sheared[..., 0] += 0.5 * sheared[..., 1]  # shear keeps areas
    assert np.allclose(gan_view.quad_areas(sheared), 1 / 16)
    squeezed = grid * np.array([0.5, 1.0])
    assert np.allclose(gan_view.quad_areas(squeezed), 1 / 32)


def test_manifold_alpha_is_higher_where_fakes_are_denser():
    u = np.linspace(0, 1, 21)
    grid = np.stack(np.meshgrid(u, u), axis=-1)
    uniform = gan_view.manifold_alpha(grid)
    assert np.allclose(uniform, uniform[0, 0])
    warped = grid.copy()
    warped[..., 0] = warped[..., 0] ** 3  # cells on the left are squeezed
    alpha = gan_view.manifold_alpha(warped)
    assert alpha[:, 0].mean() > alpha[:, -1].mean()
    assert alpha.min() >= 0.03 and alpha.max() <= 0.85
    collapsed = np.zeros_like(grid)  # mode collapse: every cell has zero area
    assert np.isfinite(gan_view.manifold_alpha(collapsed)).all()


def test_gaussian_noise_puts_more_mass_in_the_middle():
    mass = gan_view.gaussian_cell_mass(20)
    assert mass.shape == (20, 20)
    assert mass[10, 10] > mass[0, 0]
    assert np.isclose(mass.mean(), 1.0)


def test_arrows_keep_direction_grow_with_the_gradient_and_stay_bounded():
    grads = np.array([[0.01, 0.0], [0.0, 0.2], [0.0, 100.0], [-3.0, 4.0], [np.nan, np.inf]])
    a = gan_view.arrows(grads)
    lengths = np.hypot(a[:, 0], a[:, 1])
    # small gradients: about proportional (slope ARROW_MAX / ARROW_KNEE)
    assert np.isclose(lengths[0], 0.01 * gan_view.ARROW_MAX / gan_view.ARROW_KNEE, rtol=1e-3)
    assert lengths[0] < lengths[1] < lengths[2] <= gan_view.ARROW_MAX
    assert np.isclose(lengths[2], gan_view.ARROW_MAX)
    assert np.allclose(a[3] / lengths[3], [-0.6, 0.8])  # direction kept
    assert np.allclose(a[4], 0.0)


def test_frame_arrays_leave_out_the_heatmap_when_not_due():
    from glasslab.gan import Config, GanLab

    lab = GanLab(Config())
    heat = np.zeros((gan_view.GRID, gan_view.GRID, 4), dtype=np.uint8)
    without = gan_view.frame_arrays(lab, False, heat, field=False)
    assert "heat" not in without and not heat.any()  # the view keeps the heatmap it has
    with_field = gan_view.frame_arrays(lab, True, heat)
    assert with_field["heat"].size == gan_view.GRID * gan_view.GRID * 4 and heat.any()
    assert np.array_equal(with_field["fake"], without["fake"])
