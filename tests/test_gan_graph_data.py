"""The data the GAN page's graph thumbnails and tooltips read: the tracked fakes' noise."""

from __future__ import annotations

import numpy as np
import pytest
from glasslab.gan import GanLab
from glasslab.gan import view as gan_view
from glasslab.gan.config import Config


@pytest.mark.parametrize("noise_dim", [1, 2])
def test_tracked_noise_is_the_noise_of_the_tracked_fakes(noise_dim):
    lab = GanLab(Config(noise_dim=noise_dim, seed=4))
    z = gan_view.tracked_noise(lab)
    assert z.dtype == np.float32 and z.shape == (gan_view.SIZES["tracked"], 2)
    assert ((z >= 0) & (z <= 1)).all()
    if noise_dim == 1:
        assert (z[:, 1] == 0.5).all()
    # G of these noise vectors gives exactly the tracked fakes
    fakes = lab.generator.predict(z[:, :noise_dim].T.astype(np.float64)).T
    np.testing.assert_allclose(fakes, lab.tracked_fakes(), atol=1e-6)


def test_tracked_noise_stays_for_a_run_and_follows_the_noise_setting():
    lab = GanLab(Config(seed=4))
    before = gan_view.tracked_noise(lab)
    lab.train(5)
    np.testing.assert_array_equal(gan_view.tracked_noise(lab), before)
    lab.set(noise_dist="gaussian")
    assert not np.array_equal(gan_view.tracked_noise(lab), before)
