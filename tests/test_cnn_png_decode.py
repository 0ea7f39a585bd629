"""The CLI's PNG decoding gives the pixels Chromium gives the page.

Every PNG colour type and bit depth (grey 1/2/4/8/16, grey + alpha, RGB, RGBA, palette),
interlaced or not, with colour keys (tRNS) and gamma (gAMA), is written here from known
samples; :func:`glasslab.cnn.cli.decode_image` must give what Chromium gives (checked in
the browser in tests/browser/test_faults.py): 16-bit samples keep their high byte, a
colour key makes exactly its pixels transparent, a gAMA that is not about 1/2.2 is
converted to sRGB. Compared after compositing onto white, as the network sees them.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from glasslab.cnn import cli as cnn_cli

# Adam7 passes: first column, first row, column step, row step
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2)]
ADAM7 += [(0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type -> samples per pixel


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return struct.pack(">I", len(data)) + kind + data + crc


def _scanlines(samples: np.ndarray, depth: int) -> bytes:
    out = bytearray()
    for row in samples:
        out.append(0)  # filter: none
        flat = row.reshape(-1)
        if depth == 16:
            out += flat.astype(">u2").tobytes()
        elif depth == 8:
            out += flat.astype(np.uint8).tobytes()
        else:  # several samples per byte, the first in the high bits
            per = 8 // depth
            padded = np.zeros(-(-len(flat) // per) * per, np.uint8)
            padded[: len(flat)] = flat
            packed = np.zeros(len(padded) // per, np.uint8)
            for k in range(per):
                packed |= (padded[k::per] << (8 - depth * (k + 1))).astype(np.uint8)
            out += packed.tobytes()
    return bytes(out)


def write_png(samples, colour_type, depth, palette=None, trns=None, gamma=None, interlace=False):
    """PNG bytes of ``samples`` ``(H, W[, C])`` (raw sample values of ``depth`` bits)."""
    samples = np.asarray(samples)
    if samples.ndim == 2:
        samples = samples[:, :, None]
    h, w, c = samples.shape
    assert c == CHANNELS[colour_type]
    head = struct.pack(">IIBBBBB", w, h, depth, colour_type, 0, 0, int(interlace))
    if interlace:
        passes = [samples[y::dy, x::dx] for x, y, dx, dy in ADAM7]
        raw = b"".join(_scanlines(p, depth) for p in passes if p.size)
    else:
        raw = _scanlines(samples, depth)
    data = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", head)
    if gamma is not None:
        data += _chunk(b"gAMA", struct.pack(">I", round(gamma * 100000)))
    if palette is not None:
        data += _chunk(b"PLTE", bytes(np.asarray(palette, np.uint8).reshape(-1)))
    if trns is not None:
        data += _chunk(b"tRNS", trns)
    return data + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")


def _srgb(linear):
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def png_cases(h: int = 37, w: int = 29, seed: int = 1) -> dict[str, tuple[bytes, np.ndarray]]:
    """name -> (PNG bytes, the RGB on white Chromium shows, float64 ``(h, w, 3)``)."""
    rng = np.random.default_rng(seed)

    def samples(top, c=None):
        return rng.integers(0, top + 1, (h, w) if c is None else (h, w, c))

    def to8(v, depth):  # Chromium: the high byte of 16 bits; fewer bits scaled up
        return v >> 8 if depth == 16 else v * 255 // (2**depth - 1)

    def on_white(rgb, alpha=None, gamma=None):
        rgb = np.asarray(rgb, np.float64)
        if gamma is not None and abs(gamma * 2.2 - 1) > 0.05:
            rgb = np.round(_srgb((rgb / 255) ** (1 / gamma)) * 255)
        if alpha is None:
            return rgb
        a = np.asarray(alpha, np.float64)[..., None] / 255
        return rgb * a + 255 * (1 - a)

    cases = {}
    for depth in (1, 2, 4, 8, 16):
        for interlace in (False, True):
            v = samples(2**depth - 1)
            grey = np.repeat(to8(v, depth)[..., None], 3, axis=2)
            name = f"grey{depth}" + ("-interlaced" if interlace else "")
            cases[name] = (write_png(v, 0, depth, interlace=interlace), on_white(grey))
        key = 2**depth - 2 if depth > 1 else 1
        v = samples(2**depth - 1)
        v[::3, ::2] = key
        grey = np.repeat(to8(v, depth)[..., None], 3, axis=2)
        data = write_png(v, 0, depth, trns=struct.pack(">H", key))
        cases[f"grey{depth}-key"] = (data, on_white(grey, np.where(v == key, 0, 255)))
    for depth in (8, 16):
        top = 2**depth - 1
        for interlace in (False, True):
            tail = "-interlaced" if interlace else ""
            v = samples(top, 2)
            data = write_png(v, 4, depth, interlace=interlace)
            grey = np.repeat(to8(v[..., :1], depth), 3, axis=2)
            cases[f"grey-alpha{depth}{tail}"] = (data, on_white(grey, to8(v[..., 1], depth)))
            v = samples(top, 4)
            data = write_png(v, 6, depth, interlace=interlace)
            cases[f"rgba{depth}{tail}"] = (
                data,
                on_white(to8(v[..., :3], depth), to8(v[..., 3], depth)),
            )
        v = samples(top, 3)
        cases[f"rgb{depth}"] = (write_png(v, 2, depth), on_white(to8(v, depth)))
        v = samples(top, 3)
        v[::2, ::3] = (7 << 8) + 3 if depth == 16 else 7
        key = v[0, 0]
        alpha = np.where((v == key).all(axis=2), 0, 255)
        data = write_png(v, 2, depth, trns=struct.pack(">HHH", *key))
        cases[f"rgb{depth}-key"] = (data, on_white(to8(v, depth), alpha))
    for depth in (1, 2, 4, 8):
        n = min(2**depth, 40)
        palette = rng.integers(0, 256, (n, 3))
        alpha = rng.integers(0, 256, n)
        v = samples(n - 1)
        cases[f"palette{depth}"] = (write_png(v, 3, depth, palette=palette), on_white(palette[v]))
        data = write_png(v, 3, depth, palette=palette, trns=bytes(alpha.astype(np.uint8)))
        cases[f"palette{depth}-alpha"] = (data, on_white(palette[v], alpha[v]))
    v = samples(15)
    data = write_png(v, 3, 4, palette=palette[:16], interlace=True)
    cases["palette4-interlaced"] = (data, on_white(palette[v]))
    for gamma in (1.0, 0.3, 0.45455, 0.47):
        v = samples(255, 3)
        cases[f"rgb8-gamma{gamma}"] = (write_png(v, 2, 8, gamma=gamma), on_white(v, None, gamma))
    v = samples(255, 4)
    data = write_png(v, 6, 8, gamma=0.7)
    cases["rgba8-gamma0.7"] = (data, on_white(v[..., :3], v[..., 3], 0.7))
    return cases


def composited(pixels: np.ndarray) -> np.ndarray:
    """Decoded pixels ``(H, W[, 1|2|3|4])`` as RGB on white, float64."""
    p = np.asarray(pixels, np.float64)
    if p.ndim == 2:
        p = p[:, :, None]
    if p.shape[2] in (2, 4):
        a = p[:, :, -1:] / 255
        p = p[:, :, :-1] * a + 255 * (1 - a)
    return np.repeat(p, 3, axis=2) if p.shape[2] == 1 else p


CASES = png_cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_cli_decodes_every_png_kind_as_chromium_does(name, tmp_path):
    data, expected = CASES[name]
    path = tmp_path / f"{name}.png"
    path.write_bytes(data)
    pixels = cnn_cli.decode_image(path)
    assert pixels.dtype == np.uint8 and pixels.shape[:2] == expected.shape[:2]
    np.testing.assert_allclose(composited(pixels), expected, atol=1e-9, err_msg=name)


def test_sixteen_bit_grey_keeps_the_high_byte_not_white(tmp_path):
    v = np.arange(0, 65536, 257, dtype=np.int64).reshape(16, 16)  # 0, 257, ..., 65535
    path = tmp_path / "grey16.png"
    path.write_bytes(write_png(v, 0, 16))
    pixels = cnn_cli.decode_image(path)
    assert pixels.shape == (16, 16)
    np.testing.assert_array_equal(pixels, (v >> 8).astype(np.uint8))  # 257 k -> k
    assert pixels.min() == 0 and pixels.max() == 255


def test_a_colour_key_of_sixteen_bits_makes_its_pixels_transparent(tmp_path):
    v = np.full((4, 4, 3), 1000)
    v[0, 0] = (5 << 8) + 1  # the key
    path = tmp_path / "rgb16-key.png"
    path.write_bytes(write_png(v, 2, 16, trns=struct.pack(">HHH", *v[0, 0])))
    pixels = cnn_cli.decode_image(path)
    assert pixels.shape == (4, 4, 4) and pixels[0, 0, 3] == 0 and pixels[2, 2, 3] == 255
    assert pixels[0, 0, :3].tolist() == [5, 5, 5]
