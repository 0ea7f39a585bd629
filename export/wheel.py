"""A byte-reproducible pure-Python wheel of ``py/glasslab``.

The browser installs this wheel exactly as pip would on CPython, so the page
runs the same code the tests run. Fixed timestamps, sorted entries and fixed
permissions make the wheel depend only on the source files.

Beside each module the wheel holds its bytecode for the browser's Python
(``__pycache__/<module>.cpython-312.pyc``, unchecked hash-based, PEP 552), compiled
by the Pyodide the site ships (``export/pyc.mjs``, run by Node): without it the page
would compile every module it imports from source on every visit. The bytecode
depends only on the sources and the pinned Pyodide; it is kept in
``.cache/pyc/`` by the sha256 of both.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "py" / "glasslab"
NAME = "glasslab"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
INCLUDE_SUFFIXES = {".py", ".json"}
PYODIDE_DIR = ROOT / "node_modules" / "pyodide"
PYC_SCRIPT = Path(__file__).with_name("pyc.mjs")
PYC_CACHE = ROOT / ".cache" / "pyc"


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


def browser_bytecode(sources: dict[str, bytes]) -> dict[str, bytes]:
    """Archive path of the ``.pyc`` -> its bytes, for every ``.py`` of ``sources``,
    compiled by the shipped Pyodide under Node (kept in :data:`PYC_CACHE`)."""
    modules = {name: data.decode() for name, data in sources.items() if name.endswith(".py")}
    compiler = (PYODIDE_DIR / "pyodide.asm.wasm", PYODIDE_DIR / "python_stdlib.zip", PYC_SCRIPT)
    key = hashlib.sha256(json.dumps(modules, sort_keys=True).encode())
    for path in compiler:
        if not path.is_file():
            raise RuntimeError(f"{path} is missing: run `npm ci` first")
        key.update(path.read_bytes())
    cached = PYC_CACHE / f"{key.hexdigest()}.json"
    if not cached.is_file():
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("Node (20+) is needed to compile glasslab for the browser")
        out = subprocess.run(
            [node, str(PYC_SCRIPT), str(PYODIDE_DIR)],
            input=json.dumps(modules, sort_keys=True),
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"export/pyc.mjs failed: {out.stderr.strip()[-2000:]}")
        PYC_CACHE.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        partial.write_text(out.stdout)
        partial.replace(cached)
    compiled = json.loads(cached.read_text())
    return {name: base64.b64decode(data) for name, data in sorted(compiled.items())}


def build_wheel() -> tuple[str, bytes, str]:
    """Return (file name, wheel bytes, version)."""
    version = _version()
    dist_info = f"{NAME}-{version}.dist-info"
    files = package_files()
    files.update(browser_bytecode(files))
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
