"""glasslab.cnn.preprocess: CNN Explainer's resize-and-crop, alpha, greyscale, limits."""

from __future__ import annotations

import numpy as np
import pytest
from glasslab.cnn.preprocess import MAX_PIXELS, crop_geometry, prepare
from PIL import Image

RNG = np.random.default_rng(7)


def _pixels(h, w, c=3):
    return RNG.integers(0, 256, (h, w, c), dtype=np.uint8)


def naive_bilinear_crop(img, out_h, out_w, half_pixel=True):
    """Straight per-pixel bilinear resize (TF's formulas) followed by the centre crop."""
    h, w, _ = img.shape
    rh, rw, top, left = crop_geometry(h, w, out_h, out_w)
    src = img.astype(np.float64)
    out = np.empty((out_h, out_w, img.shape[2]))
    for i in range(out_h):
        for j in range(out_w):
            if half_pixel:
                y = (top + i + 0.5) * h / rh - 0.5
                x = (left + j + 0.5) * w / rw - 0.5
            else:
                y = (top + i) * h / rh
                x = (left + j) * w / rw
            y = min(max(y, 0.0), h - 1)
            x = min(max(x, 0.0), w - 1)
            y0, x0 = int(np.floor(y)), int(np.floor(x))
            y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
            fy, fx = y - y0, x - x0
            top_row = src[y0, x0] * (1 - fx) + src[y0, x1] * fx
            bottom_row = src[y1, x0] * (1 - fx) + src[y1, x1] * fx
            out[i, j] = top_row * (1 - fy) + bottom_row * fy
    return out / 255


def test_exact_size_is_only_scaled():
    img = _pixels(64, 64)
    x = prepare(img)
    assert x.dtype == np.float32 and x.shape == (64, 64, 3)
    np.testing.assert_array_equal(x, img.astype(np.float32) / 255)


def test_geometry_matches_cnn_explainer():
    # short side to 65, long side floor(long * 65 / short), window at floor(size/2) - 32
    assert crop_geometry(64, 64, 64, 64) == (64, 64, 0, 0)
    assert crop_geometry(100, 100, 64, 64) == (65, 65, 0, 0)
    assert crop_geometry(100, 200, 64, 64) == (65, 130, 0, 33)
    assert crop_geometry(300, 200, 64, 64) == (97, 65, 16, 0)
    assert crop_geometry(1, 1, 64, 64) == (65, 65, 0, 0)
    assert crop_geometry(20, 10, 64, 64) == (130, 65, 33, 0)
    # non-square model inputs: cover (h + 1, w + 1)
    assert crop_geometry(100, 100, 32, 48) == (49, 49, 8, 0)


@pytest.mark.parametrize("shape", [(130, 130), (100, 200), (97, 81), (200, 90), (64, 100)])
def test_larger_and_non_square_images_match_naive_bilinear(shape):
    img = _pixels(*shape)
    x = prepare(img)
    assert x.shape == (64, 64, 3)
    np.testing.assert_allclose(x, naive_bilinear_crop(img, 64, 64), atol=1e-5)


def test_legacy_tensorflow_sampling():
    img = _pixels(90, 120)
    x = prepare(img, half_pixel_centers=False)
    np.testing.assert_allclose(x, naive_bilinear_crop(img, 64, 64, half_pixel=False), atol=1e-5)


@pytest.mark.parametrize("shape", [(20, 30), (40, 40), (63, 64), (5, 100)])
def test_smaller_images_are_scaled_up_like_pillow_bilinear(shape):
    img = _pixels(*shape)
    x = prepare(img)
    assert x.shape == (64, 64, 3)
    np.testing.assert_allclose(x, naive_bilinear_crop(img, 64, 64), atol=1e-5)
    # Pillow's bilinear upscaling samples the same way (it rounds to bytes)
    rh, rw, top, left = crop_geometry(*shape, 64, 64)
    pil = np.asarray(Image.fromarray(img).resize((rw, rh), Image.BILINEAR), np.float32)
    pil = pil[top : top + 64, left : left + 64] / 255
    assert np.abs(x - pil).max() <= 1.0 / 255 + 1e-6


def test_one_pixel_image():
    x = prepare(np.array([[[10, 200, 30]]], dtype=np.uint8))
    assert x.shape == (64, 64, 3)
    np.testing.assert_allclose(x, np.broadcast_to(np.array([10, 200, 30]) / 255, x.shape))


def test_greyscale_inputs_become_rgb():
    grey = _pixels(80, 70, 1)
    rgb = np.repeat(grey, 3, axis=2)
    for variant in (grey, grey[:, :, 0]):
        x = prepare(variant)
        assert x.shape == (64, 64, 3)
        np.testing.assert_allclose(x, prepare(rgb), atol=1e-6)
        np.testing.assert_array_equal(x[:, :, 0], x[:, :, 2])


def test_rgba_is_composited_on_white():
    rgb = _pixels(64, 64)
    opaque = np.concatenate([rgb, np.full((64, 64, 1), 255, np.uint8)], axis=2)
    np.testing.assert_array_equal(prepare(opaque), prepare(rgb))
    transparent = opaque.copy()
    transparent[:, :, 3] = 0
    np.testing.assert_array_equal(prepare(transparent), np.ones((64, 64, 3), np.float32))
    half = np.zeros((64, 64, 4), np.uint8)
    half[:, :, 3] = 128  # black at alpha 128 over white: 255 - 128 = 127
    np.testing.assert_allclose(prepare(half), 127 / 255, atol=1e-6)
    # resizing premultiplied colour: a transparent red pixel does not tint its neighbours
    img = np.zeros((2, 2, 4), np.uint8)
    img[:, :, :3] = 255
    img[0, 0] = (255, 0, 0, 0)
    np.testing.assert_allclose(prepare(img), 1.0, atol=1e-6)
    la = np.zeros((10, 10, 2), np.uint8)
    la[:, :, 1] = 255
    np.testing.assert_allclose(prepare(la), 0.0, atol=1e-6)


def test_one_channel_models_get_luma():
    img = np.zeros((64, 64, 3), np.uint8)
    img[:, :, 1] = 255
    x = prepare(img, (64, 64), channels=1)
    assert x.shape == (64, 64, 1)
    np.testing.assert_allclose(x, 0.587, atol=1e-6)
    with pytest.raises(ValueError, match="4-channel"):
        prepare(img, (64, 64), channels=4)


def test_box_filter_for_large_reductions():
    # 1040 = 16 * 65: 8x8 boxes first, then bilinear; a constant image stays constant
    const = np.broadcast_to(np.array([12, 34, 56], np.uint8), (1040, 1040, 3))
    np.testing.assert_allclose(
        prepare(const), np.broadcast_to([12 / 255, 34 / 255, 56 / 255], (64, 64, 3)), atol=1e-6
    )
    # a fine checkerboard averages to grey instead of aliasing to black or white
    checker = ((np.indices((1040, 1040)).sum(axis=0) % 2) * 255).astype(np.uint8)
    x = prepare(checker)
    np.testing.assert_allclose(x, 127.5 / 255, atol=1e-6)
    # a smooth horizontal ramp keeps its values where the centres line up
    ramp = np.broadcast_to(np.arange(1040, dtype=np.float64)[None, :] * 255 / 1039, (1040, 1040))
    x = prepare(np.round(ramp).astype(np.uint8))[:, :, 0]
    expected = naive_bilinear_crop(np.round(ramp).astype(np.uint8)[:, :, None], 64, 64)[:, :, 0]
    assert np.abs(x - expected).max() < 0.01


def test_very_large_image_is_handled():
    big = np.broadcast_to(np.array([200, 100, 0], np.uint8), (8000, 8000, 3))
    x = prepare(big)
    np.testing.assert_allclose(x[0, 0], [200 / 255, 100 / 255, 0], atol=1e-6)
    real = _pixels(3000, 4000)  # a real array, averaged band by band
    y = prepare(real)
    assert y.shape == (64, 64, 3)
    assert abs(float(y.mean()) - 127.5 / 255) < 0.01


def test_refusals():
    with pytest.raises(ValueError, match="empty"):
        prepare(np.zeros((0, 10, 3), np.uint8))
    with pytest.raises(ValueError, match="empty"):
        prepare(np.zeros((10, 0), np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        prepare(np.zeros((10, 10, 3), np.float32))
    with pytest.raises(ValueError, match="shape"):
        prepare(np.zeros((10, 10, 5), np.uint8))
    with pytest.raises(ValueError, match="shape"):
        prepare(np.zeros((10,), np.uint8))
    side = int(np.sqrt(MAX_PIXELS)) + 1
    with pytest.raises(ValueError, match="limit"):
        prepare(np.broadcast_to(np.uint8(0), (side, side, 3)))
