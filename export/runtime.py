"""The browser runtime: Pyodide core, NumPy wheel, PyScript, ONNX Runtime Web.

Every file that the site ships from a third party is pinned by sha256:
- files copied out of ``node_modules`` (installed by ``npm ci`` from
  package-lock.json) are checked against ``export/pins.json``;
- Pyodide wheels are checked against the sha256 in Pyodide's own
  ``pyodide-lock.json`` (itself pinned in ``pins.json``).
A changed artifact stops the build with an error naming the file.
Run ``python -m export.runtime --update-pins`` after a deliberate version bump.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from export.fetch import ArtifactError, fetch, sha256_bytes

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
PINS_FILE = Path(__file__).with_name("pins.json")

PYODIDE_VERSION = "0.27.7"
PYODIDE_CDN = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
MIRROR_PYODIDE = f"pyodide-{PYODIDE_VERSION}"

# (source inside node_modules, destination inside the site)
NPM_FILES: list[tuple[str, str]] = [
    ("pyodide/pyodide.mjs", "vendor/pyodide/pyodide.mjs"),
    ("pyodide/pyodide.asm.js", "vendor/pyodide/pyodide.asm.js"),
    ("pyodide/pyodide.asm.wasm", "vendor/pyodide/pyodide.asm.wasm"),
    ("pyodide/python_stdlib.zip", "vendor/pyodide/python_stdlib.zip"),
    ("pyodide/pyodide-lock.json", None),  # read, trimmed, rewritten below
    ("onnxruntime-web/dist/ort.wasm.min.mjs", "vendor/ort/ort.wasm.min.mjs"),
    ("onnxruntime-web/dist/ort-wasm-simd-threaded.mjs", "vendor/ort/ort-wasm-simd-threaded.mjs"),
    ("onnxruntime-web/dist/ort-wasm-simd-threaded.wasm", "vendor/ort/ort-wasm-simd-threaded.wasm"),
]
PYSCRIPT_DIST = "@pyscript/core/dist"

# Pyodide packages the site ships (by name in pyodide-lock.json).
PYODIDE_PACKAGES = ["numpy"]


def _pyscript_files() -> list[str]:
    dist = NODE_MODULES / PYSCRIPT_DIST
    return sorted(
        f"{PYSCRIPT_DIST}/{p.name}"
        for p in dist.iterdir()
        if p.is_file() and p.suffix in (".js", ".css")
    )


def _all_npm_sources() -> list[str]:
    return [src for src, _ in NPM_FILES] + _pyscript_files()


def load_pins() -> dict[str, str]:
    return json.loads(PINS_FILE.read_text())


def read_pinned(rel: str, pins: dict[str, str]) -> bytes:
    """Bytes of ``node_modules/rel``, refused unless they match the pin."""
    path = NODE_MODULES / rel
    if not path.is_file():
        raise ArtifactError(f"{path} is missing: run `npm ci` first")
    if rel not in pins:
        raise ArtifactError(f"{rel} has no pinned sha256 in {PINS_FILE.name}")
    data = path.read_bytes()
    if sha256_bytes(data) != pins[rel]:
        raise ArtifactError(
            f"sha256 mismatch for node_modules/{rel}: expected {pins[rel]}, "
            f"got {sha256_bytes(data)}. Run `npm ci` to restore the pinned version."
        )
    return data


def assemble(
    out: Path,
    extra_packages: list[dict],
    mirror: Path | None,
    cache: Path | None,
) -> dict[str, bytes]:
    """Return {site path: bytes} for the runtime, Pyodide lock included.

    ``extra_packages`` are lock entries (with ``file_name`` and ``sha256``)
    for wheels built by this project, added to the shipped lock so Pyodide
    checks their integrity like its own.
    """
    pins = load_pins()
    files: dict[str, bytes] = {}
    for src, dest in NPM_FILES:
        data = read_pinned(src, pins)
        if dest:
            files[dest] = data
    for src in _pyscript_files():
        files["vendor/pyscript/" + src.rsplit("/", 1)[1]] = read_pinned(src, pins)

    lock = json.loads(read_pinned("pyodide/pyodide-lock.json", pins))
    shipped = {}
    for name in PYODIDE_PACKAGES:
        entry = lock["packages"][name]
        missing = [d for d in entry["depends"] if d not in PYODIDE_PACKAGES]
        if missing:
            raise ArtifactError(f"{name} depends on {missing}, which the site does not ship")
        wheel = entry["file_name"]
        files[f"vendor/pyodide/{wheel}"] = fetch(
            PYODIDE_CDN + wheel,
            entry["sha256"],
            mirror_path=f"{MIRROR_PYODIDE}/{wheel}",
            mirror=mirror,
            cache=cache,
        )
        shipped[name] = entry
    for entry in extra_packages:
        shipped[entry["name"]] = entry
    lock["packages"] = dict(sorted(shipped.items()))
    files["vendor/pyodide/pyodide-lock.json"] = (
        json.dumps(lock, indent=1, sort_keys=True) + "\n"
    ).encode()
    return files


def update_pins() -> None:
    pins = {rel: sha256_bytes((NODE_MODULES / rel).read_bytes()) for rel in _all_npm_sources()}
    PINS_FILE.write_text(json.dumps(dict(sorted(pins.items())), indent=1) + "\n")
    print(f"wrote {len(pins)} pins to {PINS_FILE}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Pins of the browser runtime files.")
    parser.add_argument(
        "--update-pins",
        action="store_true",
        help="record the sha256 of the files now in node_modules (after a deliberate upgrade)",
    )
    args = parser.parse_args(argv)
    if args.update_pins:
        update_pins()
    else:
        parser.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
