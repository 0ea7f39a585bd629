"""glasslab.gan.metrics: histograms and KL/JS divergences on known inputs."""

import math

import numpy as np
import pytest
from glasslab.gan import metrics

EPS = metrics.SMOOTHING_EPS


def test_histogram_cells_orientation_and_normalisation():
    pts = np.array([[0.01, 0.01], [0.99, 0.01], [0.01, 0.99], [0.5, 0.2]])
    h = metrics.histogram(pts)
    assert h.shape == (30, 30)
    assert h.sum() == pytest.approx(1.0)
    assert h[0, 0] == h[0, 29] == h[29, 0] == 0.25  # [row = y cell, col = x cell]
    assert h[6, 15] == 0.25  # x = 0.5 -> column 15, y = 0.2 -> row 6


def test_points_outside_the_square_are_clipped_to_the_border_cells():
    pts = np.array([[-0.5, 0.5], [1.7, 0.5], [0.5, -3.0], [0.5, 1.0], [2.0, 2.0], [-1.0, -1.0]])
    h = metrics.histogram(pts)
    assert h[15, 0] == h[15, 29] == h[0, 15] == h[29, 15] == pytest.approx(1 / 6)
    assert h[29, 29] == h[0, 0] == pytest.approx(1 / 6)
    assert h.sum() == pytest.approx(1.0)


def test_histogram_rejects_bad_points():
    with pytest.raises(ValueError, match="finite"):
        metrics.histogram(np.array([[0.5, np.nan]]))
    with pytest.raises(ValueError, match="shape"):
        metrics.histogram(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="zero points"):
        metrics.histogram(np.zeros((0, 2)))


def test_identical_distributions_have_zero_divergence():
    pts = np.random.default_rng(0).uniform(size=(500, 2))
    kl, js = metrics.divergences(pts, pts[::-1])
    assert kl == 0.0 and js == 0.0


def test_disjoint_point_masses_have_the_known_divergence():
    real = np.full((100, 2), 0.1)
    fake = np.full((40, 2), 0.9)
    kl, js = metrics.divergences(real, fake)
    # p = 1 in one cell, q = 1 in another, eps added to every cell (GAN Lab's smoothing)
    expected_kl = (1 + EPS) * math.log2((1 + EPS) / EPS) + EPS * math.log2(EPS / (1 + EPS))
    side = (1 + EPS) * math.log2((1 + EPS) / (0.5 + EPS)) + EPS * math.log2(EPS / (0.5 + EPS))
    assert kl == pytest.approx(expected_kl, rel=1e-12)
    assert kl == pytest.approx(math.log2(1 / EPS), abs=0.001)  # about 13.29 bits
    assert js == pytest.approx(side, rel=1e-12)  # 0.5 * (side + side)
    assert 0.99 < js < 1.0


def test_kl_and_js_on_hand_made_histograms():
    p = np.zeros((30, 30))
    q = np.zeros((30, 30))
    p[0, 0], p[0, 1] = 0.5, 0.5
    q[0, 0], q[0, 1] = 0.25, 0.75
    kl = metrics.kl_divergence(p, q)
    expected = (0.5 + EPS) * math.log2((0.5 + EPS) / (0.25 + EPS)) + (0.5 + EPS) * math.log2(
        (0.5 + EPS) / (0.75 + EPS)
    )
    assert kl == pytest.approx(expected, rel=1e-12)
    m = (p + q) / 2
    js = metrics.js_divergence(p, q)
    assert js == pytest.approx(
        0.5 * metrics.kl_divergence(p, m) + 0.5 * metrics.kl_divergence(q, m)
    )
    assert metrics.js_divergence(q, p) == pytest.approx(js)  # symmetric
    assert kl != pytest.approx(metrics.kl_divergence(q, p))  # KL is not


def test_kl_is_real_against_fake():
    real = np.full((10, 2), 0.5)
    fake = np.concatenate([np.full((5, 2), 0.5), np.full((5, 2), 0.05)])
    kl_rf, _ = metrics.divergences(real, fake)
    p, q = metrics.histogram(real), metrics.histogram(fake)
    assert kl_rf == pytest.approx(metrics.kl_divergence(p, q))
    assert kl_rf != pytest.approx(metrics.kl_divergence(q, p))
    assert kl_rf == pytest.approx(
        (1 + EPS) * math.log2((1 + EPS) / (0.5 + EPS)) + EPS * math.log2(EPS / (0.5 + EPS))
    )
