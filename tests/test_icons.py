"""The web app manifest and the PNG icons the build renders for it."""

from __future__ import annotations

import json
import struct
import zlib
from html.parser import HTMLParser
from urllib.parse import urlsplit

import numpy as np
import pytest

from export import icons
from export.shell import page_html
from tests.conftest import ROOT

SITE = ROOT / "site"
PAGES = ("index.html", "gan.html", "cnn.html")


def png_header(data: bytes) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from a PNG's signature and IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    return width, height, depth, colour


def decode_png(data: bytes) -> np.ndarray:
    """Pixels of an 8-bit RGBA PNG whose rows all use filter 0 (what export/icons writes)."""
    width, height, depth, colour = png_header(data)
    assert (depth, colour) == (8, 6)
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0]
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    rows = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, 1 + 4 * width)
    assert (rows[:, 0] == 0).all()
    return rows[:, 1:].reshape(height, width, 4)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((SITE / "manifest.webmanifest").read_text())


def test_manifest_parses_and_is_relative(manifest):
    assert manifest["name"] == "Glasslab"
    assert manifest["theme_color"].lower() == "#5b3ea6"
    assert manifest["display"] == "standalone"
    for key in ("start_url", "scope", "id"):
        assert manifest[key] == "./", key
    for icon in manifest["icons"]:
        parts = urlsplit(icon["src"])
        assert not parts.scheme and not parts.netloc and not parts.path.startswith("/"), icon


def test_manifest_lists_exactly_the_icons_the_build_renders(manifest):
    listed = {(i["src"], i["sizes"], i["purpose"]) for i in manifest["icons"]}
    built = {
        (path, f"{size}x{size}", "maskable" if maskable else "any")
        for path, size, maskable in icons.ICONS
    }
    assert listed == built
    assert {(s, p) for _, s, p in listed} >= {
        ("192x192", "any"),
        ("512x512", "any"),
        ("192x192", "maskable"),
        ("512x512", "maskable"),
    }
    assert all(i["type"] == "image/png" for i in manifest["icons"])


def test_built_site_has_the_icons_at_their_sizes(manifest, tmp_path, mirror, download_cache):
    from export.build import build

    info = build(tmp_path / "site", mirror=mirror, cache=download_cache)
    assert "manifest.webmanifest" in info["files"]
    shipped = json.loads((tmp_path / "site" / "manifest.webmanifest").read_text())
    assert shipped == manifest
    for icon in shipped["icons"]:
        assert icon["src"] in info["files"], icon["src"]
        data = (tmp_path / "site" / icon["src"]).read_bytes()
        width, height, _, _ = png_header(data)
        assert f"{width}x{height}" == icon["sizes"]


def test_icons_are_reproducible():
    assert icons.icon_files() == icons.icon_files()


def test_icon_pixels_follow_the_logo():
    image = decode_png(icons.png_bytes(icons.render(512)))
    at = lambda x, y: tuple(int(v) for v in image[int(y * 8), int(x * 8)])  # noqa: E731 (SVG units)
    assert at(0.5, 0.5)[3] == 0  # rounded corner: transparent
    assert at(32, 2) == (0x5B, 0x3E, 0xA6, 255)  # the purple square
    assert at(22, 46) == (0x1B, 0x8A, 0x5A, 255)  # inside the green circle, off the line
    assert at(46, 24) == (0xB9, 0xA6, 0xEF, 255)  # inside the light-purple circle
    assert at(32, 32) == (255, 255, 255, 255)  # on the white diagonal line
    assert at(50, 50) == (0x5B, 0x3E, 0xA6, 255)  # the line runs the other diagonal
    alpha = image[:, :, 3]
    assert ((alpha > 0) & (alpha < 255)).any()  # anti-aliased rounded corners


def test_maskable_icons_fill_the_square_and_keep_the_drawing_in_the_safe_zone():
    for size in icons.SIZES:
        image = decode_png(icons.png_bytes(icons.render(size, maskable=True)))
        assert (image[:, :, 3] == 255).all()
        drawn = (image[:, :, :3] != np.array([0x5B, 0x3E, 0xA6], dtype=np.uint8)).any(axis=2)
        ys, xs = np.nonzero(drawn)
        assert len(xs) > size * size // 20  # the circles and the line are there
        radius = np.hypot(xs + 0.5 - size / 2, ys + 0.5 - size / 2).max()
        assert radius <= 0.4 * size  # the safe zone: a centred circle of 40 % of the size


class HeadLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[dict] = []
        self.metas: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "link":
            self.links.append(dict(attrs))
        elif tag == "meta":
            self.metas.append(dict(attrs))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_links_the_manifest_relatively(page):
    parser = HeadLinks()
    parser.feed(page_html(SITE / page))  # the page as shipped: inside site/shell/page.html
    manifests = [link for link in parser.links if link.get("rel") == "manifest"]
    assert [m["href"] for m in manifests] == ["manifest.webmanifest"]
    themes = [m for m in parser.metas if m.get("name") == "theme-color"]
    assert [t["content"].lower() for t in themes] == ["#5b3ea6"]
