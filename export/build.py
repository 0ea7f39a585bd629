"""Assemble the complete static site: ``python -m glasslab build`` (or ``python -m export.build``).

Output (default ``dist/``), every file reproducible byte for byte from the same inputs:
- the pages of ``site/``, each put into the page shell ``site/shell/page.html``
  (``export/shell.py``) so every ``*.html`` is a plain complete file, and the
  styles and scripts of ``site/``;
- ``vendor/``: Pyodide core, the NumPy wheel and this project's own wheel with
  a trimmed ``pyodide-lock.json`` listing just those, PyScript, ONNX Runtime Web;
- ``tinyvgg.onnx``, ``tinyvgg.json`` and ``samples/``: CNN Explainer's TinyVGG
  converted to ONNX, with its sample images;
- ``img/icon-*.png`` (``export/icons.py``): the web app manifest's icons;
- ``stills/*.json`` (``export/stills.py``): each page's first frame, drawn before Python is ready;
- ``sw.js`` (``export/sw.py``): the service worker that keeps this build for offline use;
- ``glasslab-build.json``: every file's size and sha256 and a content hash of
  the whole build.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

from export import icons, runtime, shell, stills, sw, wheel
from export.fetch import ArtifactError, default_mirror

ROOT = Path(__file__).resolve().parents[1]
SITE_SRC = ROOT / "site"
BUILD_INFO = "glasslab-build.json"


def _site_sources() -> dict[str, bytes]:
    """The files of ``site/`` as shipped: pages inside the shell, shell sources left out."""
    files = {}
    for path in sorted(SITE_SRC.rglob("*")):
        rel = path.relative_to(SITE_SRC)
        if not path.is_file() or rel.parts[0] == "vendor" or "__pycache__" in rel.parts:
            continue
        if shell.is_shell_source(rel.as_posix()):
            continue
        if len(rel.parts) == 1 and rel.suffix == ".html":
            files[rel.as_posix()] = shell.page_html(path).encode("utf-8")
        else:
            files[rel.as_posix()] = path.read_bytes()
    return files


def _write(stage: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        target = stage / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def build_info(stage: Path, version: str) -> dict:
    """Size and sha256 of every file, and one hash over them all.

    The hash leaves out ``sw.js``, which is made from the other files' hashes
    (``export/sw.py``) and names its cache after this hash."""
    entries = {}
    for path in sorted(stage.rglob("*")):
        if path.is_file() and path.name != BUILD_INFO:
            data = path.read_bytes()
            entries[path.relative_to(stage).as_posix()] = {
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
    overall = hashlib.sha256(
        "".join(f"{k}\0{v['sha256']}\n" for k, v in entries.items() if k != sw.SW_FILE).encode()
    ).hexdigest()
    return {"version": version, "hash": overall[:16], "files": entries}


def build(out: Path, mirror: Path | None = None, cache: Path | None = None) -> dict:
    """Build the site into ``out`` (replaced as a whole) and return its build info."""
    out = Path(out).resolve()
    stage = out.with_name(out.name + ".partial")
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)

    wheel_name, wheel_bytes, version = wheel.build_wheel()
    glasslab_entry = {
        "name": "glasslab",
        "version": version,
        "file_name": wheel_name,
        "install_dir": "site",
        "sha256": hashlib.sha256(wheel_bytes).hexdigest(),
        "package_type": "package",
        "imports": ["glasslab"],
        "depends": ["numpy"],
        "unvendored_tests": False,
        "shared_library": False,
    }
    files = _site_sources()
    files[f"vendor/pyodide/{wheel_name}"] = wheel_bytes
    files.update(runtime.assemble(stage, [glasslab_entry], mirror, cache))
    lock = json.loads(files["vendor/pyodide/pyodide-lock.json"])
    core = shell.core_modules(files)
    for rel in [rel for rel in files if "/" not in rel and rel.endswith(".html")]:
        html = shell.with_preloads(files[rel].decode("utf-8"), lock, core)
        files[rel] = html.encode("utf-8")
    files.update(icons.icon_files())  # the web app manifest's PNG icons
    _write(stage, files)

    from export import tinyvgg

    tinyvgg.export_tinyvgg(stage, mirror=mirror, cache=cache)
    _write(stage, stills.still_files(stage))  # each page's first frame, shown before Python

    # sw.js: precaches this build's files, named by the hash it leaves out of
    sw.write_service_worker(stage, build_info(stage, version))
    info = build_info(stage, version)
    (stage / BUILD_INFO).write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
    if out.exists():
        shutil.rmtree(out)
    stage.rename(out)
    return info


def run(args: argparse.Namespace) -> int:
    mirror = Path(args.mirror) if args.mirror else default_mirror()
    if mirror is not None and not mirror.is_dir():
        print(f"error: mirror folder {mirror} does not exist", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        info = build(Path(args.out), mirror=mirror, cache=Path(args.cache) if args.cache else None)
    except ArtifactError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    total = sum(f["bytes"] for f in info["files"].values())
    print(
        f"built {len(info['files'])} files, {total / 1e6:.1f} MB, hash {info['hash']}, "
        f"into {args.out} in {time.perf_counter() - started:.1f} s"
    )
    return 0


def register(subparsers) -> None:
    """The ``build`` subcommand (``python -m glasslab build``; ``python -m export.build``)."""
    parser = subparsers.add_parser(
        "build",
        help="assemble the static site into a folder (source checkout only)",
        description="Assemble the static site from this checkout into a folder.",
    )
    add_arguments(parser)
    parser.set_defaults(func=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", default=str(ROOT / "dist"), help="output folder (default: dist/ of the checkout)"
    )
    parser.add_argument(
        "--mirror",
        default=None,
        help="folder with pinned third-party files to use instead of downloading "
        "(default: $GLASSLAB_MIRROR); every file is checked by sha256 either way",
    )
    parser.add_argument(
        "--cache",
        default=str(ROOT / ".cache" / "downloads"),
        help="where downloads are kept between builds (default: .cache/downloads of the checkout)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m export.build",
        description="Assemble the static site from this checkout into a folder.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
