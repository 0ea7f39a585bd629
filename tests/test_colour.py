"""glasslab.colour: colour scales, ranges and legend ticks."""

from __future__ import annotations

import numpy as np
import pytest
from glasslab import colour
from glasslab.colour import (
    BROWN_GREEN,
    ORANGES,
    PURPLE_GREEN,
    RED_BLUE,
    abs_max,
    legend_ticks,
    map_values,
    unit_limits,
)


def test_diverging_ends_and_centre():
    rgba = map_values(np.array([-2.0, 0.0, 2.0]), RED_BLUE, -2.0, 2.0)
    assert rgba.dtype == np.uint8 and rgba.shape == (3, 4)
    assert tuple(rgba[0]) == (0x67, 0x00, 0x1F, 255)  # most negative: dark red
    assert tuple(rgba[1]) == (0xF7, 0xF7, 0xF7, 255)  # zero: the neutral middle
    assert tuple(rgba[2]) == (0x05, 0x30, 0x61, 255)  # most positive: dark blue
    # symmetric: the same magnitude is equally far from the middle on both sides
    assert tuple(map_values(-3.0, RED_BLUE, -3.0, 3.0)[:3]) == tuple(RED_BLUE.colours[0])
    weights = map_values(np.array([-1.0, 1.0]), BROWN_GREEN, -1.0, 1.0)
    assert tuple(weights[0, :3]) == (0x54, 0x30, 0x05)
    assert tuple(weights[1, :3]) == (0x00, 0x3C, 0x30)


def test_interpolation_between_control_points():
    # halfway between the first two RdBu control points (positions 0 and 0.1)
    mid = RED_BLUE.rgba(0.05)
    expected = np.rint((np.array([0x67, 0x00, 0x1F]) + np.array([0xB2, 0x18, 0x2B])) / 2)
    np.testing.assert_array_equal(mid[:3], expected)
    t = np.linspace(0, 1, 101)
    reds = ORANGES.rgba(t)[:, 1].astype(int)  # the green channel falls along Oranges
    assert np.all(np.diff(reds) <= 0)


def test_shapes_clipping_nan_and_alpha():
    values = np.array([[np.nan, -10.0], [0.5, 10.0]])
    rgba = map_values(values, ORANGES, 0.0, 1.0, alpha=200)
    assert rgba.shape == (2, 2, 4)
    assert rgba[0, 0, 3] == 0  # NaN is transparent
    assert tuple(rgba[0, 1, :3]) == ORANGES.colours[0]  # clipped to the low end
    assert tuple(rgba[1, 1, :3]) == ORANGES.colours[-1]  # clipped to the high end
    assert rgba[1, 0, 3] == 200


def test_empty_ranges_map_to_the_middle():
    assert tuple(map_values(np.zeros(3), RED_BLUE, 0.0, 0.0)[1, :3]) == (0xF7, 0xF7, 0xF7)
    same = map_values(np.array([4.0, 4.0]), ORANGES, 4.0, 4.0)
    np.testing.assert_array_equal(same[0], ORANGES.rgba(0.5))


def test_discriminator_scale_is_purple_for_fake_and_green_for_real():
    fake, middle, real = PURPLE_GREEN.rgba(np.array([0.0, 0.5, 1.0]))
    assert fake[0] > fake[1] and fake[2] > fake[1]  # purple
    assert real[1] > real[0] and real[1] > real[2]  # green
    assert tuple(middle[:3]) == (0xF7, 0xF7, 0xF7)
    assert colour.SCALES["discriminator"] is PURPLE_GREEN
    assert colour.SCALES["activation"] is RED_BLUE
    assert colour.SCALES["weight"] is BROWN_GREEN
    assert colour.SCALES["logit"] is ORANGES


def test_range_helpers():
    a = np.array([[1.0, -5.0], [np.nan, 2.0]])
    b = np.array([np.inf, 7.0])
    assert abs_max(a) == 5.0
    assert abs_max(a, b) == 7.0
    assert abs_max(np.array([])) == 0.0
    act = np.zeros((4, 4, 3))
    act[0, 0] = [1, -2, 0]
    act[3, 2] = [-0.5, 1, 0]
    np.testing.assert_array_equal(unit_limits(act), [1, 2, 0])
    np.testing.assert_array_equal(unit_limits(np.array([-3.0, 2.0])), [3, 2])


@pytest.mark.parametrize("scale", [RED_BLUE, BROWN_GREEN])
def test_diverging_legend_matches_the_mapping(scale):
    ticks = legend_ticks(scale, -2.5, 2.5, count=5)
    assert [t["value"] for t in ticks] == [-2.5, -1.25, 0.0, 1.25, 2.5]
    colours = map_values(np.array([t["value"] for t in ticks]), scale, -2.5, 2.5)
    for tick, rgba in zip(ticks, colours, strict=True):
        assert tick["rgba"] == tuple(int(v) for v in rgba)
        assert tick["hex"] == "#{:02x}{:02x}{:02x}".format(*rgba[:3])
    assert ticks[2]["position"] == 0.5
    assert ticks[2]["rgba"][:3] == tuple(int(v) for v in scale.rgba(0.5)[:3])


def test_sequential_legend_and_degenerate_legend():
    ticks = legend_ticks(ORANGES, 0.0, 1.0, count=3)
    assert [t["position"] for t in ticks] == [0.0, 0.5, 1.0]
    assert ticks[0]["rgba"] == tuple(int(v) for v in map_values(0.0, ORANGES, 0.0, 1.0))
    assert ticks[-1]["hex"] == "#7f2704"
    one = legend_ticks(ORANGES, 3.0, 3.0)
    assert len(one) == 1 and one[0]["value"] == 3.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16])
def test_range_helpers_agree_with_a_plain_computation(dtype):
    rng = np.random.default_rng(3)
    act = (rng.standard_normal((7, 5, 4)) * 50).astype(dtype)
    if np.dtype(dtype).kind == "f":
        act[0, 0, 1] = np.inf
        act[2, 3, 1] = -np.inf
        act[1, 1, 2] = np.nan
    plain = np.abs(act.astype(np.float64))
    plain[~np.isfinite(plain)] = 0
    np.testing.assert_array_equal(unit_limits(act), plain.max(axis=(0, 1)))
    assert abs_max(act) == plain.max()
    chw = np.ascontiguousarray(act.transpose(2, 0, 1)).transpose(1, 2, 0)  # a forward() view
    np.testing.assert_array_equal(unit_limits(chw), plain.max(axis=(0, 1)))
    assert unit_limits(np.zeros((0, 0, 3), dtype)).tolist() == [0, 0, 0]
