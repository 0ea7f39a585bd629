"""Shared test fixtures: the repository paths and the mirror of pinned third-party files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def mirror_dir() -> Path | None:
    """$GLASSLAB_MIRROR, else ../shared/mirror beside the checkout, else None (download)."""
    value = os.environ.get("GLASSLAB_MIRROR")
    if value:
        return Path(value)
    candidate = ROOT.parent / "shared" / "mirror"
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def mirror() -> Path | None:
    return mirror_dir()


@pytest.fixture(scope="session")
def download_cache() -> Path:
    return ROOT / ".cache" / "downloads"
