"""A byte-reproducible pure-Python wheel of ``py/glasslab``.

The browser installs this wheel exactly as pip would on CPython, so the page
runs the same code the tests run. Fixed timestamps, sorted entries and fixed
permissions make the wheel depend only on the source files.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "py" / "glasslab"
NAME = "glasslab"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
INCLUDE_SUFFIXES = {".py", ".json"}


def _version() -> str:
    for line in (PACKAGE_DIR / "__init__.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    raise RuntimeError("glasslab/__init__.py has no __version__")


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def package_files() -> dict[str, bytes]:
    """Archive path -> bytes for every file of the package."""
    files = {}
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in INCLUDE_SUFFIXES and "__pycache__" not in path.parts:
            files[path.relative_to(PACKAGE_DIR.parent).as_posix()] = path.read_bytes()
    return files


def build_wheel() -> tuple[str, bytes, str]:
    """Return (file name, wheel bytes, version)."""
    version = _version()
    dist_info = f"{NAME}-{version}.dist-info"
    files = package_files()
    files[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {version}\n"
        "Summary: Interactive GAN lab and CNN explainer in NumPy\n"
        "Requires-Python: >=3.11\nRequires-Dist: numpy\n"
    ).encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: glasslab-export\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n"
    )
    files[f"{dist_info}/top_level.txt"] = f"{NAME}\n".encode()
    record = [f"{name},{_record_hash(data)},{len(data)}" for name, data in files.items()]
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=9)
    return f"{NAME}-{version}-py3-none-any.whl", buffer.getvalue(), version
