"""``python -m glasslab``: build and serve the site, train the GAN, run the CNN."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _import_export():
    """The build code lives in ``export/`` at the repository root, beside ``py/``."""
    if not (REPO_ROOT / "export" / "__init__.py").is_file():
        raise SystemExit("glasslab build needs a source checkout (export/ was not found)")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import export.build

    return export.build


def _run_build(args: argparse.Namespace) -> int:
    return _import_export().run(args)


def _run_serve(args: argparse.Namespace) -> int:
    from glasslab import serve

    return serve.run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glasslab",
        description="Glasslab: interactive GAN lab and CNN explainer, NumPy in the browser.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = sub.add_parser("build", help="assemble the static site into a folder")
    build.add_argument(
        "--out", default=str(REPO_ROOT / "dist"), help="output folder (default: dist/)"
    )
    build.add_argument(
        "--mirror",
        default=None,
        help="folder with pinned third-party files to use instead of downloading "
        "(default: $GLASSLAB_MIRROR); every file is checked by sha256 either way",
    )
    build.add_argument(
        "--cache",
        default=str(REPO_ROOT / ".cache" / "downloads"),
        help="where downloads are kept between builds (default: .cache/downloads)",
    )
    build.set_defaults(func=_run_build)

    serve = sub.add_parser("serve", help="serve a built site on 127.0.0.1")
    serve.add_argument(
        "dir", nargs="?", default=str(REPO_ROOT / "dist"), help="site folder (default: dist/)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.set_defaults(func=_run_serve)

    from glasslab.cnn import cli as cnn_cli
    from glasslab.gan import cli as gan_cli

    gan_cli.register(sub)
    cnn_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
