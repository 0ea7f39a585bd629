"""``python -m glasslab``: serve the site, train the GAN, run the CNN; in a checkout, build.

Each command family registers its own subcommands: ``glasslab.gan.cli``,
``glasslab.cnn.cli``, ``glasslab.serve`` here, and ``build`` from ``export/build.py``,
which exists only in a source checkout: it is offered when ``export`` is importable
(``python -m glasslab`` run from the repository root), so nothing in the package
(and its browser wheel) depends on where a checkout is.
"""

from __future__ import annotations

import argparse

from glasslab import serve
from glasslab.cnn import cli as cnn_cli
from glasslab.gan import cli as gan_cli


def _register_build(subparsers) -> None:
    """``build``, from ``export/build.py`` of a source checkout, when it is importable."""
    try:
        from export import build as site_build
    except ModuleNotFoundError as exc:
        if exc.name not in ("export", "export.build"):
            raise  # export/ is there but broken: say so rather than hide the command
        return
    site_build.register(subparsers)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glasslab",
        description="Glasslab: interactive GAN lab and CNN explainer, NumPy in the browser.",
        epilog="`build` is available from the root of a source checkout (it needs export/).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _register_build(sub)
    serve.register(sub)
    gan_cli.register(sub)
    cnn_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
