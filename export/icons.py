"""App icons for the web app manifest, rendered by the build with NumPy and written as PNG.

The design is ``site/img/glasslab.svg`` (a 64-unit square): a purple rounded
square, a green and a light-purple circle and a white diagonal line. Each pixel
is sampled on a fixed sub-pixel grid for anti-aliasing, and the PNG is written
with the standard library's zlib, so the same code always gives the same bytes.

- ``img/icon-192.png``, ``img/icon-512.png``: the logo as drawn in the SVG, with
  transparent rounded corners (``purpose: any``);
- ``img/icon-maskable-192.png``, ``img/icon-maskable-512.png``: the purple fills
  the whole square and the drawing is scaled into the central safe zone (a
  circle of 40 % of the size), so any mask shape keeps it whole (``purpose: maskable``).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

PURPLE = (0x5B, 0x3E, 0xA6)
GREEN = (0x1B, 0x8A, 0x5A)
LILAC = (0xB9, 0xA6, 0xEF)
WHITE = (0xFF, 0xFF, 0xFF)

SIZES = (192, 512)
SUPERSAMPLE = 4  # 4 x 4 samples per pixel
MASKABLE_SCALE = 0.8  # the drawing's farthest point (27 units from the centre) -> 21.6 < 25.6

# (relative path, size, maskable) of every icon the build writes
ICONS = tuple(
    (f"img/icon{'-maskable' if maskable else ''}-{size}.png", size, maskable)
    for maskable in (False, True)
    for size in SIZES
)


def _segment_distance(x, y, x0, y0, x1, y1):
    dx, dy = x1 - x0, y1 - y0
    t = np.clip(((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    return np.hypot(x - (x0 + t * dx), y - (y0 + t * dy))


def render(size: int, maskable: bool = False) -> np.ndarray:
    """The logo as a ``size`` x ``size`` x 4 uint8 RGBA image."""
    n = size * SUPERSAMPLE
    # sample centres in the SVG's 64-unit coordinates
    coords = (np.arange(n, dtype=np.float64) + 0.5) * (64.0 / n)
    x = coords[None, :]
    y = coords[:, None]
    if maskable:
        background = np.ones((n, n), dtype=bool)
        # the drawing scaled about the centre into the safe zone
        x = 32.0 + (x - 32.0) / MASKABLE_SCALE
        y = 32.0 + (y - 32.0) / MASKABLE_SCALE
    else:
        # rect width=64 height=64 rx=12: inside unless beyond a corner circle
        cx = np.clip(x, 12.0, 52.0)
        cy = np.clip(y, 12.0, 52.0)
        background = (x - cx) ** 2 + (y - cy) ** 2 <= 144.0
        background = np.broadcast_to(background, (n, n))
    green = (x - 24.0) ** 2 + (y - 38.0) ** 2 <= 100.0
    lilac = (x - 42.0) ** 2 + (y - 24.0) ** 2 <= 64.0
    line = _segment_distance(x, y, 14.0, 50.0, 50.0, 14.0) <= 1.5  # stroke 3, round caps

    rgb = np.zeros((n, n, 3), dtype=np.float64)
    rgb[...] = PURPLE
    # painted in SVG order: later shapes on top
    for mask, colour in ((green, GREEN), (lilac, LILAC), (line, WHITE)):
        rgb[np.broadcast_to(mask, (n, n))] = colour
    alpha = background.astype(np.float64)

    # box-filter the samples down to pixels; colour is averaged where the background is
    k = SUPERSAMPLE
    cover = alpha.reshape(size, k, size, k).sum(axis=(1, 3))
    weighted = (rgb * alpha[..., None]).reshape(size, k, size, k, 3).sum(axis=(1, 3))
    colour = np.where(cover[..., None] > 0, weighted / np.maximum(cover, 1)[..., None], 0.0)
    out = np.empty((size, size, 4), dtype=np.uint8)
    out[..., :3] = np.rint(colour).astype(np.uint8)
    out[..., 3] = np.rint(cover * (255.0 / (k * k))).astype(np.uint8)
    return out


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bytes(image: np.ndarray) -> bytes:
    """An RGBA uint8 image as PNG bytes (8 bits per channel, no interlace, filter 0)."""
    height, width, channels = image.shape
    if channels != 4 or image.dtype != np.uint8:
        raise ValueError("png_bytes needs an H x W x 4 uint8 image")
    raw = np.zeros((height, 1 + width * 4), dtype=np.uint8)  # each row: filter byte 0 + pixels
    raw[:, 1:] = image.reshape(height, width * 4)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw.tobytes(), 9))
        + _chunk(b"IEND", b"")
    )


def icon_files() -> dict[str, bytes]:
    """Relative path -> PNG bytes for every icon the manifest lists."""
    return {path: png_bytes(render(size, maskable)) for path, size, maskable in ICONS}


def write_icons(stage: Path) -> dict[str, bytes]:
    files = icon_files()
    for rel, data in files.items():
        target = Path(stage) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return files
