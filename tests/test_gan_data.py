"""glasslab.gan.data: every data set and noise type against its formula."""

import math

import numpy as np
import pytest
from glasslab.gan import data

N = 200_000


def rng(seed=0):
    return np.random.default_rng(seed)


def test_line_follows_its_formula():
    pts = data.sample_line(rng(), N)
    assert pts.shape == (N, 2)
    # x = 0.8 - 0.75u + 0.01e1, y = 0.6 + 0.3u + 0.01e2: u = (0.8 - x)/0.75 up to noise
    u = (0.8 - pts[:, 0]) / 0.75
    residual = pts[:, 1] - (0.6 + 0.3 * u)
    # residual = 0.01 e2 + 0.3 * 0.01 e1 / 0.75
    assert residual.std() == pytest.approx(0.01 * math.sqrt(1 + 0.4**2), rel=0.02)
    assert pts[:, 0].mean() == pytest.approx(0.8 - 0.75 / 2, abs=0.002)
    assert pts[:, 1].mean() == pytest.approx(0.6 + 0.3 / 2, abs=0.002)
    assert pts[:, 0].std() == pytest.approx(math.sqrt(0.75**2 / 12 + 0.01**2), rel=0.01)


def test_two_gaussians_follow_their_formula():
    pts = data.sample_gaussians(rng(), N)
    first = np.linalg.norm((pts - [0.3, 0.7]) / [0.1, 0.1], axis=1) < np.linalg.norm(
        (pts - [0.7, 0.4]) / [0.05, 0.2], axis=1
    )
    assert first.mean() == pytest.approx(0.5, abs=0.01)
    a, b = pts[first], pts[~first]
    np.testing.assert_allclose(a.mean(0), [0.3, 0.7], atol=0.005)
    np.testing.assert_allclose(b.mean(0), [0.7, 0.4], atol=0.005)
    # the assignment by distance trims tails a little, so compare the sds loosely
    np.testing.assert_allclose(a.std(0), [0.1, 0.1], rtol=0.1)
    np.testing.assert_allclose(b.std(0), [0.05, 0.2], rtol=0.1)
    # overall moments of the mixture are exact
    np.testing.assert_allclose(pts.mean(0), [0.5, 0.55], atol=0.002)
    var_x = 0.5 * (0.1**2 + 0.05**2) + 0.25 * (0.3 - 0.7) ** 2
    var_y = 0.5 * (0.1**2 + 0.2**2) + 0.25 * (0.7 - 0.4) ** 2
    np.testing.assert_allclose(pts.var(0), [var_x, var_y], rtol=0.01)


def test_ring_follows_its_formula():
    pts = data.sample_ring(rng(), N)
    centred = (pts - [0.5, 0.45]) / [0.3, 0.25]
    radius = np.linalg.norm(centred, axis=1)
    assert np.median(radius) == pytest.approx(1.0, abs=0.01)
    np.testing.assert_allclose(pts.mean(0), [0.5, 0.45], atol=0.002)
    # x = 0.5 + 0.3 cos t + 0.025 e: var = 0.3^2 / 2 + 0.025^2
    np.testing.assert_allclose(
        pts.var(0), [0.3**2 / 2 + 0.025**2, 0.25**2 / 2 + 0.025**2], rtol=0.01
    )
    angle = np.arctan2(centred[:, 1], centred[:, 0])
    counts = np.histogram(angle, bins=8, range=(-math.pi, math.pi))[0]
    assert counts.min() > 0.95 * N / 8  # uniform angle


def test_disjoint_follows_its_formula():
    pts = data.sample_disjoint(rng(), N)
    centres = np.array([[0.35, 0.75], [0.75, 0.6], [0.45, 0.35]])
    which = np.argmin(np.linalg.norm(pts[:, None, :] - centres[None], axis=2), axis=1)
    np.testing.assert_allclose(np.bincount(which) / N, [1 / 3] * 3, atol=0.005)
    for k, centre in enumerate(centres):
        cluster = pts[which == k]
        np.testing.assert_allclose(cluster.mean(0), centre, atol=0.001)
        np.testing.assert_allclose(cluster.std(0), [0.025, 0.025], rtol=0.02)


def test_drawing_samples_are_drawn_points_plus_noise():
    points = np.array([[0.2, 0.2], [0.8, 0.5], [0.5, 0.9]])
    pts = data.sample_drawing(rng(), N, points)
    which = np.argmin(np.linalg.norm(pts[:, None, :] - points[None], axis=2), axis=1)
    np.testing.assert_allclose(np.bincount(which) / N, [1 / 3] * 3, atol=0.005)
    offsets = pts - points[which]
    np.testing.assert_allclose(offsets.mean(0), [0, 0], atol=0.0005)
    np.testing.assert_allclose(offsets.std(0), [0.02, 0.02], rtol=0.02)
    sampler = data.make_sampler("drawing", points.tolist())
    assert sampler(rng(), 5).shape == (5, 2)


@pytest.mark.parametrize(
    "points, message",
    [
        (None, "at least 2 points"),
        ([], "got 0 points"),
        ([[0.5, 0.5]], "got 1 point\\)"),
        ([[0.5, 0.5, 0.5], [0.1, 0.2, 0.3]], "pairs"),
        ([[0.5, float("nan")], [0.1, 0.2]], "finite"),
        ([[0.5, 1.5], [0.1, 0.2]], "unit square"),
        ([["a", "b"], [0.1, 0.2]], "numbers"),
        ([[0.1, 0.2]] * (data.MAX_DRAWING_POINTS + 1), "too many"),
    ],
)
def test_bad_drawings_are_rejected_with_a_readable_message(points, message):
    with pytest.raises(ValueError, match=message):
        data.check_drawing(points)
    with pytest.raises(ValueError):
        data.make_sampler("drawing", points)


def test_two_drawn_points_are_enough():
    assert data.check_drawing([[0.1, 0.1], [0.9, 0.9]]).shape == (2, 2)


def test_unknown_dataset_is_rejected():
    with pytest.raises(ValueError, match="dataset must be one of"):
        data.make_sampler("spiral")


def test_uniform_noise():
    z = data.sample_noise(rng(), N, 2, "uniform")
    assert z.shape == (N, 2)
    assert z.min() >= 0.0 and z.max() < 1.0
    np.testing.assert_allclose(z.mean(0), [0.5, 0.5], atol=0.003)
    np.testing.assert_allclose(z.var(0), [1 / 12, 1 / 12], rtol=0.01)
    assert data.sample_noise(rng(), 10, 1, "uniform").shape == (10, 1)


def test_gaussian_noise_is_a_normal_truncated_at_two_sd():
    z = data.sample_noise(rng(), N, 2, "gaussian")
    assert z.min() >= 0.0 and z.max() <= 1.0  # 0.5 +- 2 * 0.25
    np.testing.assert_allclose(z.mean(0), [0.5, 0.5], atol=0.003)
    # the sd of a normal truncated at +-2 sd is 0.8796 sd
    a = 2.0
    pdf = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(a / math.sqrt(2))
    sd = 0.25 * math.sqrt(1 - 2 * a * pdf / mass)
    np.testing.assert_allclose(z.std(0), [sd, sd], rtol=0.01)
    # still bell-shaped: much more mass in the middle than near the cuts
    middle = np.mean(np.abs(z - 0.5) < 0.05)
    edge = np.mean(np.abs(z - 0.5) > 0.45)
    assert middle > 3 * edge


def test_unknown_noise_is_rejected():
    with pytest.raises(ValueError, match="noise distribution"):
        data.sample_noise(rng(), 3, 2, "cauchy")
    with pytest.raises(ValueError, match="noise distribution"):
        data.noise_sampler(2, "cauchy")


def test_batch_stream_hands_out_column_batches_reproducibly():
    sampler = data.make_sampler("ring")
    a = data.BatchStream(sampler, rng(7), batch=150, block=4)
    b = data.BatchStream(sampler, rng(7), batch=150, block=4)
    batches_a = [a.next().copy() for _ in range(10)]
    batches_b = [b.next().copy() for _ in range(10)]
    for x, y in zip(batches_a, batches_b, strict=True):
        assert x.shape == (2, 150) and x.flags.c_contiguous
        assert np.array_equal(x, y)
    # the batches are the sampler's points, in order, as columns
    direct = sampler(rng(7), 4 * 150)
    for k in range(4):
        assert np.array_equal(batches_a[k], direct[k * 150 : (k + 1) * 150].T)
    assert not np.array_equal(batches_a[0], batches_a[1])
