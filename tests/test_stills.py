"""The stills of the first frames (export/stills.py) hold exactly what the pages draw first."""

from __future__ import annotations

import json

import numpy as np
import pytest
from glasslab import preview
from glasslab.gan import settings as gs
from glasslab.gan import view as gan_view
from glasslab.gan.session import GanSession

from export import stills


@pytest.mark.parametrize(
    ("array", "dtype"),
    [
        (np.arange(12, dtype=np.float32).reshape(3, 4) / 7, "float32"),
        (np.arange(300) % 256, "uint8"),
        (np.arange(70000) % 65536, "uint16"),
    ],
)
def test_packed_arrays_come_back_exactly(array, dtype):
    entry = stills.packed(array, dtype)
    json.dumps(entry)  # plain JSON
    back = stills.unpacked(entry)
    assert back.dtype == np.dtype(dtype) and back.shape == array.shape
    assert (back == array.astype(dtype)).all()


def test_pictures_come_back_to_the_byte():
    rng = np.random.default_rng(0)
    few = rng.integers(0, 4, size=(9, 7, 1)) * np.array([[[60, 20, 5, 63]]])
    many = rng.integers(0, 256, size=(20, 30, 4))
    for image in (few.astype(np.uint8), many.astype(np.uint8)):
        entry = stills.picture(image)
        assert entry["index"]["dtype"] == (
            "uint8" if len(np.unique(image.reshape(-1, 4), axis=0)) <= 256 else "uint16"
        )
        assert (stills.unpicture(entry) == image).all()


def test_the_gan_still_is_the_default_pages_first_frame():
    still = stills.gan_still()
    session = GanSession()
    session.start({})  # the page opened without URL parameters
    lab = session.lab
    assert (stills.unpacked(still["real"]) == lab.real_samples().astype(np.float32).ravel()).all()
    assert (stills.unpacked(still["fake"]) == lab.tracked_fakes().astype(np.float32).ravel()).all()
    arrows = gan_view.arrows(lab.tracked_gradients()).astype(np.float32).ravel()
    assert (stills.unpacked(still["grad"]) == arrows).all()
    assert (stills.unpicture(still["heat"]) == gan_view.lab_heat(lab)).all()
    assert still["sizes"] == gan_view.SIZES
    assert still["url"] == gs.to_url({}, lab.config, session.pretrained)
    assert still["controls"]["pretrained"] is True  # the default preset's pretrained model
    assert still["iteration"] == f"{lab.iteration:,}" and lab.iteration > 0
    kl, js = lab.divergence()
    assert still["values"][2:] == [f"{kl:.3f}", f"{js:.3f}"]


def test_the_index_still_is_the_landing_pages_picture():
    still = stills.index_still()
    size = stills.INDEX_SIZE
    assert (stills.unpicture(still["hero"]) == preview.density_image(size, size)).all()


def test_the_gan_still_is_small_and_the_same_every_build():
    first = stills._json(stills.gan_still())
    assert first == stills._json(stills.gan_still())
    assert len(first) < 40_000
