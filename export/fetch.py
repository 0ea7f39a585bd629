"""Fetch a pinned third-party file: from a mirror folder if it has it, else from its public URL.

Either way the bytes are checked against the pinned sha256 before anything uses them.
"""

from __future__ import annotations

import hashlib
import os
import urllib.request
from pathlib import Path

MIRROR_ENV = "GLASSLAB_MIRROR"


class ArtifactError(RuntimeError):
    """A pinned artifact could not be found or did not match its sha256."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def default_mirror() -> Path | None:
    """The mirror folder named by $GLASSLAB_MIRROR, if any."""
    value = os.environ.get(MIRROR_ENV)
    return Path(value) if value else None


def fetch(
    url: str,
    sha256: str,
    mirror_path: str | None = None,
    mirror: Path | None = None,
    cache: Path | None = None,
) -> bytes:
    """Return the bytes of a pinned artifact, verified against ``sha256``.

    ``mirror_path`` is the file's path inside the mirror folder (for example
    ``pyodide-0.27.7/numpy-...whl``). Lookup order: mirror folder, download
    cache, public URL. A download is stored in ``cache`` for the next build.
    """
    name = url.rsplit("/", 1)[-1]
    candidates = []
    if mirror is not None and mirror_path:
        candidates.append(Path(mirror) / mirror_path)
    if cache is not None:
        candidates.append(Path(cache) / sha256 / name)
    for path in candidates:
        if path.is_file():
            data = path.read_bytes()
            _check(data, sha256, str(path))
            return data
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            data = response.read()
    except OSError as exc:
        where = f" and not in the mirror {mirror}" if mirror is not None else ""
        raise ArtifactError(
            f"cannot download {url}: {exc}{where}. Pass --mirror DIR (or set "
            f"${MIRROR_ENV}) to build from a local copy."
        ) from exc
    _check(data, sha256, url)
    if cache is not None:
        target = Path(cache) / sha256 / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return data


def _check(data: bytes, sha256: str, where: str) -> None:
    actual = sha256_bytes(data)
    if actual != sha256:
        raise ArtifactError(
            f"sha256 mismatch for {where}: expected {sha256}, got {actual}. "
            "The file is corrupt or has been changed; the build refuses it."
        )
