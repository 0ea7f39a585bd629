"""Image preprocessing as CNN Explainer does it, in NumPy (shared by the page and the CLI).

Decoding is the platform's: the browser's image decoder in the page, Pillow in the
CLI. Both hand :func:`prepare` a ``uint8`` array of shape ``(H, W)`` (grey),
``(H, W, 1)``, ``(H, W, 2)`` (grey + alpha), ``(H, W, 3)`` (RGB) or ``(H, W, 4)``
(RGBA). :func:`prepare` returns the network input: float32 ``(h, w, c)`` in
[0, 1] (pixel / 255, no mean or std normalisation).

Geometry (CNN Explainer, generalised to any input size ``(h, w)``):

* an image of exactly ``(h, w)`` is used as it is;
* any other image is resized so that it just covers ``(h + 1, w + 1)`` (for
  TinyVGG: its short side becomes 65, the long side ``floor(long * 65 / short)``)
  and the ``(h, w)`` window at row ``floor(H' / 2) - floor(h / 2)``, column
  ``floor(W' / 2) - floor(w / 2)`` of the resized ``(H', W')`` image is kept.
  CNN Explainer does this for images larger than 64 pixels; smaller images (which
  crash CNN Explainer) are scaled up the same way.

Resampling is bilinear. CNN Explainer resizes with the canvas (``drawImage``), whose
bilinear filter samples at pixel centres; that is ``tf.image.resizeBilinear`` with
``alignCorners=false, halfPixelCenters=true``, the default here. TensorFlow's
legacy sampling (``halfPixelCenters=false``, source ``= i * in / out``) is available
with ``half_pixel_centers=False``. Values are not rounded to bytes after resizing.
Only the output pixels inside the crop are computed, from the source rows and
columns they need.

Large reductions: when an axis shrinks by 4x or more, source pixels are first
averaged over ``f x f`` boxes (``f = floor(size / (2 * resized size))``), then
resampled bilinearly from the averaged image with matching pixel centres. This
avoids the aliasing of plain bilinear sampling and keeps an 8000x8000 photo fast.
Images above :data:`MAX_PIXELS` (8192 x 8192 = 67,108,864 pixels) are refused.

Alpha is composited onto white (transparent areas look like the page
background); this is done exactly, on alpha-premultiplied values, so it commutes
with the averaging and interpolation. Grey images are repeated to RGB; a model
with one input channel gets luma ``0.299 R + 0.587 G + 0.114 B``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["MAX_PIXELS", "prepare", "crop_geometry", "sample_positions", "to_channels"]

MAX_PIXELS = 8192 * 8192
_CHUNK_PIXELS = 1 << 20  # source pixels converted to float at a time
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def _check_pixels(pixels) -> np.ndarray:
    a = np.asarray(pixels)
    if a.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {a.dtype}")
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3 or a.shape[2] not in (1, 2, 3, 4):
        raise ValueError(
            f"expected an image of shape (H, W) or (H, W, 1|2|3|4), got {tuple(a.shape)}"
        )
    h, w = a.shape[:2]
    if h == 0 or w == 0:
        raise ValueError(f"the image is empty ({w}x{h} pixels)")
    if h * w > MAX_PIXELS:
        raise ValueError(
            f"the image is {w}x{h} = {h * w:,} pixels; the limit is {MAX_PIXELS:,} "
            "(8192 x 8192). Scale it down first."
        )
    return a


def crop_geometry(height: int, width: int, out_h: int, out_w: int) -> tuple[int, int, int, int]:
    """``(resized_h, resized_w, top, left)`` of the resize-then-centre-crop."""
    if (height, width) == (out_h, out_w):
        return height, width, 0, 0
    if (out_h + 1) * width >= (out_w + 1) * height:  # the height is the binding side
        rh = out_h + 1
        rw = max(out_w + 1, width * (out_h + 1) // height)
    else:
        rw = out_w + 1
        rh = max(out_h + 1, height * (out_w + 1) // width)
    return rh, rw, rh // 2 - out_h // 2, rw // 2 - out_w // 2


def sample_positions(
    size: int, resized: int, start: int, count: int, half_pixel_centers: bool = True
) -> np.ndarray:
    """Source coordinates (pixel index units, centres at integers) of ``count`` output
    pixels from ``start`` on, for a resize of ``size`` pixels to ``resized``."""
    k = np.arange(start, start + count, dtype=np.float64)
    scale = size / resized
    if half_pixel_centers:
        return (k + 0.5) * scale - 0.5
    return k * scale


def _box_factor(size: int, resized: int) -> int:
    return max(1, size // (2 * resized))


def _taps(pos: np.ndarray, factor: int, n: int):
    """Lower/upper source index and weight in the box-averaged grid of ``n`` cells."""
    v = (pos - (factor - 1) / 2.0) / factor
    v = np.clip(v, 0.0, n - 1)
    i0 = np.floor(v).astype(np.int64)
    i1 = np.minimum(i0 + 1, n - 1)
    return i0, i1, (v - i0).astype(np.float32)


def _averaged(a: np.ndarray, fh: int, fw: int, alpha: bool) -> np.ndarray:
    """Mean over ``fh x fw`` boxes as float32 0..255, colour premultiplied by alpha.

    Sums are exact integers (uint32 over rows, then float64 over columns), taken a
    band of rows at a time so that temporaries stay small.
    """
    rows, cols = a.shape[0] // fh, a.shape[1] // fw
    a = a[: rows * fh, : cols * fw]
    if fh == 1 and fw == 1:
        out = a.astype(np.float32)
        if alpha:
            out[:, :, :-1] *= out[:, :, -1:] / np.float32(255)
        return out
    width, c = a.shape[1], a.shape[2]
    out = np.empty((rows, cols, c), np.float32)
    step = max(1, _CHUNK_PIXELS // (fh * width))
    for r0 in range(0, rows, step):
        r1 = min(rows, r0 + step)
        block = a[r0 * fh : r1 * fh]
        if alpha:  # colour * alpha fits uint16; the sums below are divided by 255
            block = block.astype(np.uint16)
            block[:, :, :-1] *= block[:, :, -1:]
        s = block.reshape(r1 - r0, fh, width, c).sum(axis=1, dtype=np.uint32)
        s = s.reshape(r1 - r0, cols, fw, c).sum(axis=2, dtype=np.float64)
        s /= fh * fw
        if alpha:
            s[:, :, :-1] /= 255
        out[r0:r1] = s
    return out


def _resample(a: np.ndarray, out_h: int, out_w: int, half_pixel_centers: bool) -> np.ndarray:
    """Resize-and-crop to ``(out_h, out_w)``, float32 0..255, alpha premultiplied."""
    h, w, c = a.shape
    alpha = c in (2, 4)
    rh, rw, top, left = crop_geometry(h, w, out_h, out_w)
    if (rh, rw) == (h, w):
        return _averaged(a, 1, 1, alpha)
    fh = _box_factor(h, rh)
    fw = _box_factor(w, rw)
    if not half_pixel_centers:  # TensorFlow's legacy sampling: no box pre-filter
        fh = fw = 1
    ys = sample_positions(h, rh, top, out_h, half_pixel_centers)
    xs = sample_positions(w, rw, left, out_w, half_pixel_centers)
    y0, y1, wy = _taps(ys, fh, h // fh)
    x0, x1, wx = _taps(xs, fw, w // fw)
    # Only the source rows/columns that the crop reads.
    r_lo, r_hi = int(y0.min()), int(y1.max()) + 1
    c_lo, c_hi = int(x0.min()), int(x1.max()) + 1
    window = a[r_lo * fh : r_hi * fh, c_lo * fw : c_hi * fw]
    src = _averaged(window, fh, fw, alpha)
    y0, y1, x0, x1 = y0 - r_lo, y1 - r_lo, x0 - c_lo, x1 - c_lo
    wy = wy[:, None, None]
    rows = src[y0] * (1 - wy) + src[y1] * wy
    wx = wx[None, :, None]
    return rows[:, x0] * (1 - wx) + rows[:, x1] * wx


def to_channels(values: np.ndarray, channels: int) -> np.ndarray:
    """Composite premultiplied alpha on white and convert grey/RGB to ``channels``."""
    c = values.shape[2]
    if c in (2, 4):
        colour = values[:, :, :-1] + (np.float32(255) - values[:, :, -1:])
    else:
        colour = values
    if channels == 3:
        if colour.shape[2] == 1:
            colour = np.repeat(colour, 3, axis=2)
        return colour
    if channels == 1:
        if colour.shape[2] == 3:
            colour = (colour @ _LUMA)[:, :, None]
        return colour
    raise ValueError(f"cannot make a {channels}-channel input from an image (1 or 3 only)")


def prepare(
    pixels, size: tuple[int, int] = (64, 64), channels: int = 3, half_pixel_centers: bool = True
) -> np.ndarray:
    """Decoded ``uint8`` pixels -> float32 ``(h, w, channels)`` network input in [0, 1]."""
    out_h, out_w = (int(v) for v in size)
    if out_h < 1 or out_w < 1:
        raise ValueError(f"invalid input size {size}")
    a = _check_pixels(pixels)
    values = _resample(a, out_h, out_w, half_pixel_centers)
    values = to_channels(values, channels)
    x = values / np.float32(255)
    return np.clip(x, 0.0, 1.0).astype(np.float32, copy=False)
