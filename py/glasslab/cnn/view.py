"""View maths for the CNN explainer page, in plain NumPy (testable on CPython).

* :func:`overview_columns` - which layers are drawn as columns of activation maps;
* :func:`modules` - layers grouped into blocks (each block ends with a pooling layer);
* :func:`limits` - the colour range of every map for a scale mode (unit, module, global);
* :class:`Lut` - a colour scale sampled into a lookup table, so a whole column of maps
  is coloured with one ``take``; the legend is coloured from the same table;
* :func:`column_image` - one overview column (all maps of a layer stacked vertically,
  upscaled by nearest neighbour to square tiles) as one RGBA array;
* :func:`tile_size` - the tile size that fits a column of ``n`` maps;
* :func:`conv_output_size` - the playground's output-size formula and why a
  combination is invalid;
* :func:`sniff_image` - the format of an image file from its first bytes, and whether
  a JPEG or PNG file is obviously truncated.
"""

from __future__ import annotations

import math

import numpy as np

from glasslab import colour

__all__ = [
    "SCALE_MODES",
    "Lut",
    "overview_columns",
    "modules",
    "limits",
    "column_image",
    "input_image",
    "tile_size",
    "upscale_index",
    "conv_output_size",
    "sniff_image",
    "fmt",
]

SCALE_MODES = ("unit", "module", "global")
INPUT_TINTS = {3: ((230, 57, 70), (42, 157, 88), (40, 100, 220)), 1: ((255, 255, 255),)}


def fmt(value: float, digits: int = 4) -> str:
    """A number as the page shows it: fixed decimals, no ``-0.0000``."""
    text = f"{float(value):.{digits}f}"
    if text.startswith("-") and float(text) == 0:
        text = text[1:]
    return text


class Lut:
    """``scale`` sampled at ``size`` evenly spaced positions: RGBA ``(size, 4)``.

    The default odd size puts 0 of a symmetric range exactly on the middle colour."""

    def __init__(self, scale: colour.ColourScale, size: int = 257):
        self.scale = scale
        self.size = int(size)
        self.table = scale.rgba(np.linspace(0.0, 1.0, self.size))

    def index(self, values, vmin, vmax) -> np.ndarray:
        """Table indices of ``values`` shown on ``[vmin, vmax]`` (arrays broadcast)."""
        v = np.asarray(values, dtype=np.float32)
        vmin = np.asarray(vmin, dtype=np.float32)
        vmax = np.asarray(vmax, dtype=np.float32)
        span = vmax - vmin
        safe = np.where(span > 0, span, np.float32(1))
        t = (v - vmin) / safe
        t = np.where(span > 0, t, np.float32(0.5))
        t = np.nan_to_num(t, nan=0.5, posinf=1.0, neginf=0.0)
        return np.clip(np.rint(t * (self.size - 1)), 0, self.size - 1).astype(np.intp)

    def colours(self, values, vmin, vmax) -> np.ndarray:
        return self.table[self.index(values, vmin, vmax)]

    def hex(self, value, vmin, vmax) -> str:
        return colour.hex_colour(self.colours(np.asarray([value]), vmin, vmax)[0])

    def text_colour(self, value, vmin, vmax) -> str:
        """``#ffffff`` on dark colours, ``""`` (the page's ink) on light ones."""
        r, g, b = (int(v) for v in self.colours(np.asarray([value]), vmin, vmax)[0][:3])
        return "#ffffff" if 0.299 * r + 0.587 * g + 0.114 * b < 120 else ""

    def ticks(self, vmin: float, vmax: float, count: int = 5) -> list[dict]:
        """Legend ticks (as :func:`colour.legend_ticks`) coloured from this table,
        so a tick has exactly the colour its value has in the maps."""
        ticks = colour.legend_ticks(self.scale, vmin, vmax, count)
        for tick in ticks:
            tick["hex"] = self.hex(tick["value"], vmin, vmax)
            tick["label"] = nice_label(tick["value"], vmax - vmin)
        return ticks


def nice_label(value: float, span: float) -> str:
    """A short tick label with enough decimals for ``span``."""
    if span <= 0 or not math.isfinite(span):
        return fmt(value, 2)
    digits = max(0, min(6, 2 - int(math.floor(math.log10(span)))))
    return fmt(value, digits)


def overview_columns(kinds: list[str], shapes: list[tuple]) -> list[int]:
    """Indices of the layers drawn as columns of maps: every image-shaped layer."""
    return [
        i
        for i, (k, s) in enumerate(zip(kinds, shapes, strict=True))
        if k in ("conv", "relu", "maxpool") and len(s) == 3
    ]


def modules(kinds: list[str]) -> list[int]:
    """Block number of every layer: a block ends after each pooling layer."""
    out, block = [], 0
    for kind in kinds:
        out.append(block)
        if kind == "maxpool":
            block += 1
    return out


def limits(acts: list[np.ndarray], blocks: list[int], mode: str) -> list[np.ndarray]:
    """Symmetric colour limit of every channel of every ``(H, W, C)`` activation.

    ``unit``: each channel its own largest absolute value; ``module``: the largest over
    all layers of the same block; ``global``: over all layers."""
    if mode not in SCALE_MODES:
        raise ValueError(f"unknown colour scale mode {mode!r}; use one of {SCALE_MODES}")
    units = [np.asarray(colour.unit_limits(a), dtype=np.float32) for a in acts]
    if mode == "unit":
        return units
    if mode == "global":
        top = max((float(u.max(initial=0.0)) for u in units), default=0.0)
        return [np.full_like(u, top) for u in units]
    tops: dict[int, float] = {}
    for u, b in zip(units, blocks, strict=True):
        tops[b] = max(tops.get(b, 0.0), float(u.max(initial=0.0)))
    return [np.full_like(u, tops[b]) for u, b in zip(units, blocks, strict=True)]


def tile_size(n: int, height: int = 560, gap: int = 6, largest: int = 52, smallest: int = 8) -> int:
    """Square tile size (pixels) so that ``n`` maps with gaps fit ``height``."""
    n = max(1, int(n))
    return int(max(smallest, min(largest, (height - gap * (n - 1)) // n)))


def upscale_index(size: int, tile: int) -> np.ndarray:
    """Nearest-neighbour source index of each of ``tile`` output pixels from ``size``."""
    return (np.arange(tile) * size) // tile


def column_image(act: np.ndarray, limit: np.ndarray, lut: Lut, tile: int, gap: int) -> np.ndarray:
    """All channels of an ``(H, W, C)`` activation as one RGBA column of square tiles.

    Tile ``c`` occupies rows ``c * (tile + gap)`` to ``+ tile``; gaps are transparent.
    Channel ``c`` is coloured on ``[-limit[c], +limit[c]]``. Few whole-array passes:
    table indices at the map's size, nearest-neighbour upscaling of the indices, then
    one lookup of 32-bit RGBA words."""
    h, w, c = act.shape
    rows, cols = upscale_index(h, tile), upscale_index(w, tile)
    lim = np.asarray(limit, dtype=np.float32).reshape(c)
    half = (lut.size - 1) / 2
    scale = np.where(lim > 0, np.float32(half) / np.where(lim > 0, lim, 1), 0)
    t = np.moveaxis(act, 2, 0) * scale.astype(np.float32)[:, None, None]  # (C, H, W)
    t += np.float32(half + 0.5)
    if not np.isfinite(t.sum()):
        np.nan_to_num(t, copy=False, nan=half + 0.5)
    np.clip(t, 0, lut.size - 0.51, out=t)
    idx = t.astype(np.int32)[:, rows][:, :, cols]  # (C, tile, tile)
    words = np.ascontiguousarray(lut.table).view(np.uint32).reshape(-1)
    out = np.zeros((c, tile + gap, tile), np.uint32)
    out[:, :tile] = words[idx]
    return out.view(np.uint8).reshape(c * (tile + gap), tile, 4)[: c * (tile + gap) - gap]


def input_image(x: np.ndarray, tile: int, gap: int) -> np.ndarray:
    """The input channels as a column: channel intensity 0..1 from black to its tint
    (red, green, blue for RGB; white for grey)."""
    h, w, c = x.shape
    tints = INPUT_TINTS.get(c) or ((255, 255, 255),) * c
    rows, cols = upscale_index(h, tile), upscale_index(w, tile)
    v = np.clip(np.moveaxis(x, 2, 0), 0.0, 1.0)[:, rows][:, :, cols]  # (C, tile, tile)
    out = np.zeros((c, tile + gap, tile, 4), np.uint8)
    tint = np.asarray(tints, dtype=np.float32)[:, None, None, :]
    out[:, :tile, :, :3] = np.rint(v[..., None] * tint).astype(np.uint8)
    out[:, :tile, :, 3] = 255
    return out.reshape(c * (tile + gap), tile, 4)[: c * (tile + gap) - gap]


def conv_output_size(n: int, padding: int, kernel: int, stride: int) -> dict:
    """Output size ``(n + 2p - k) / s + 1`` of a convolution, or why it is invalid.

    Returns ``{"valid", "size", "formula", "reason"}``; a combination is valid when
    the kernel fits the padded input and the stride lands exactly on its last
    position (as in CNN Explainer: no partial windows)."""
    n, p, k, s = (int(v) for v in (n, padding, kernel, stride))
    padded = n + 2 * p
    formula = f"({n} + 2·{p} − {k}) / {s} + 1"
    reason = ""
    size = None
    if n < 1 or k < 1 or s < 1 or p < 0:
        reason = "sizes and stride must be positive, padding cannot be negative"
    elif p >= k:
        reason = (
            f"padding {p} must be smaller than the kernel ({k}): "
            "a corner window would see only padding"
        )
    elif k > padded:
        reason = f"the kernel ({k}) is larger than the padded input ({padded})"
    elif (padded - k) % s:
        reason = (
            f"stride {s} does not fit: (n + 2p − k) = {padded - k} is not divisible by {s}, "
            "so the last window would hang over the edge"
        )
    else:
        size = (padded - k) // s + 1
    return {"valid": size is not None, "size": size, "formula": formula, "reason": reason}


def sniff_image(data: bytes) -> tuple[str | None, str]:
    """``(format, problem)`` of an image file from its bytes.

    ``format`` is ``jpeg``, ``png``, ``gif``, ``webp``, ``bmp``, ``avif`` or ``None``
    (not an image this page reads); ``problem`` is ``""`` or why the file is unusable."""
    head = bytes(data[:16])
    if not data:
        return None, "the file is empty"
    if head.startswith(b"\xff\xd8\xff"):
        tail = bytes(data[-16:]).rstrip(b"\x00")  # some writers pad after the end marker
        if not tail.endswith(b"\xff\xd9"):
            return "jpeg", "the JPEG file is truncated (it has no end marker)"
        return "jpeg", ""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        if b"IEND" not in bytes(data[-16:]):
            return "png", "the PNG file is truncated (it has no IEND chunk)"
        return "png", ""
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif", ""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", ""
    if head[:2] == b"BM":
        return "bmp", ""
    if head[4:12] in (b"ftypavif", b"ftypavis"):
        return "avif", ""
    return None, "this is not an image file (JPEG, PNG, GIF, WebP, BMP or AVIF)"
