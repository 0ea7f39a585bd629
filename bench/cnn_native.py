"""Median time of TinyVGG's NumPy forward pass (all 12 activations), on CPython.

    python bench/cnn_native.py [--model dist/tinyvgg.onnx] [--mirror DIR] [--runs 500]

Without --model, uses dist/tinyvgg.onnx if the site is built, else exports TinyVGG
into a temporary folder (from --mirror / $GLASSLAB_MIRROR / ../shared/mirror, or by
download). OpenBLAS is limited to one thread unless OPENBLAS_NUM_THREADS is set:
the matrices are small, and waking threads costs more than it saves.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "py"))
sys.path.insert(0, str(ROOT))


def _model_path(args, tmp: Path) -> Path:
    if args.model:
        return Path(args.model)
    built = ROOT / "dist" / "tinyvgg.onnx"
    if built.is_file():
        return built
    from export.fetch import default_mirror
    from export.tinyvgg import export_tinyvgg

    mirror = Path(args.mirror) if args.mirror else default_mirror()
    if mirror is None and (ROOT.parent / "shared" / "mirror").is_dir():
        mirror = ROOT.parent / "shared" / "mirror"
    export_tinyvgg(tmp, mirror, None)
    return tmp / "tinyvgg.onnx"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="ONNX file (default: see above)")
    parser.add_argument("--mirror", default=None, help="mirror folder for the export")
    parser.add_argument("--runs", type=int, default=500, help="timed runs (default 500)")
    args = parser.parse_args(argv)

    from glasslab.cnn.model import load

    with tempfile.TemporaryDirectory() as tmp:
        model = load(_model_path(args, Path(tmp)))
    image = np.random.default_rng(0).random(model.input_shape, dtype=np.float32)
    for _ in range(20):
        model.forward(image)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        model.forward(image)
        times.append(time.perf_counter() - start)
    median = statistics.median(times) * 1e3
    print(
        f"NumPy {np.__version__} forward pass, all {len(model.layers)} activations: "
        f"median {median:.3f} ms, min {min(times) * 1e3:.3f} ms over {args.runs} runs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
