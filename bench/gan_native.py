"""Training speed of the GAN engine on CPython (the page's default workload).

    python bench/gan_native.py [--iterations N] [--repeats R] [--json]

Default workload: two Gaussians, G 2-8-8-2, D 2-8-8-1, batch 150, k_d 2, k_g 1,
SGD 0.1, log loss, 2-D uniform noise. Prints the median iterations per second
over R timed runs of N iterations each (after a warm-up), training only: no
views, no metrics. The same measurement in Pyodide is bench/gan_pyodide_node.mjs.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time

import numpy as np
from glasslab.gan import Config, GanLab


def measure(iterations: int, repeats: int, config: Config | None = None) -> list[float]:
    """Iterations per second of ``repeats`` runs of ``iterations`` training iterations."""
    lab = GanLab(config or Config())
    lab.train(200)  # warm up: buffers are allocated on first use
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        lab.train(iterations)
        rates.append(iterations / (time.perf_counter() - start))
    return rates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="GAN engine training speed on CPython")
    parser.add_argument("--iterations", type=int, default=3000, help="iterations per run")
    parser.add_argument("--repeats", type=int, default=9, help="timed runs (median reported)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    rates = measure(args.iterations, args.repeats)
    median = statistics.median(rates)
    if args.json:
        print(
            json.dumps(
                {
                    "median_its_per_s": median,
                    "runs": rates,
                    "iterations_per_run": args.iterations,
                    "python": platform.python_version(),
                    "numpy": np.__version__,
                }
            )
        )
    else:
        print(
            f"CPython {platform.python_version()}, NumPy {np.__version__}: median "
            f"{median:.0f} it/s over {args.repeats} runs of {args.iterations} iterations "
            f"(min {min(rates):.0f}, max {max(rates):.0f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
