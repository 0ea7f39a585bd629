"""Train the four GAN lab presets and write py/glasslab/gan/presets/<name>.json.

    python export/pretrain_gan.py [--only NAME ...] [--out DIR]

Each preset starts from scratch with its hyperparameters
(``glasslab.gan.presets.PRESET_SETTINGS``) and the seed below, trains up to
its iteration budget and keeps the checkpoint, taken every ``EVAL_EVERY``
iterations, whose generated points are closest to the real data (lowest
JS divergence between 10000 real and 10000 generated points; GAN training
oscillates, so the last iteration is not always the best one). The weights
are then rounded to 7 significant digits to keep the files small, and saved
with ``GanLab.to_json`` (config + weights + iteration count). Everything is
seeded, so a rerun on the same platform writes the same files.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from glasslab.gan import GanLab, preset_config
from glasslab.gan.metrics import divergences
from glasslab.gan.presets import PRESET_DIR, PRESETS

EVAL_EVERY = 250
NUM_EVAL = 10_000
# name: (seed, iteration budget)
PLAN = {
    "line": (0, 4000),
    "gaussians": (3, 4000),  # GAN Lab's default networks: a seed on which they learn well
    "ring": (0, 5000),
    "disjoint": (0, 10000),
}


def evaluate(lab: GanLab, seed: int) -> tuple[float, float]:
    """(KL, JS) in bits between fixed-seed real and generated point sets."""
    real = lab.sample_real(NUM_EVAL, seed=(seed, 100))
    fake = lab.generate(NUM_EVAL, seed=(seed, 101))
    return divergences(real, fake)


def round_weights(lab: GanLab, digits: int = 7) -> None:
    """Round every parameter to ``digits`` significant digits, in place."""
    for net in (lab.generator, lab.discriminator):
        net.params[...] = [float(f"{w:.{digits}g}") for w in net.params]


def pretrain(name: str) -> tuple[GanLab, dict]:
    """Train preset ``name``; return the best checkpoint and a summary."""
    seed, budget = PLAN[name]
    lab = GanLab(preset_config(name, seed=seed))
    best_js, best_text = evaluate(lab, seed)[1], lab.to_json()
    start = time.perf_counter()
    while lab.iteration < budget:
        lab.train(EVAL_EVERY)
        js = evaluate(lab, seed)[1]
        if js < best_js:
            best_js, best_text = js, lab.to_json()
    seconds = time.perf_counter() - start
    best = GanLab.from_json(best_text)
    round_weights(best)
    best = GanLab.from_json(best.to_json())
    kl, js = evaluate(best, seed)
    summary = {"iteration": best.iteration, "kl": kl, "js": js, "seconds": round(seconds, 1)}
    return best, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=PRESETS, help="train only these presets")
    parser.add_argument(
        "--out", default=str(PRESET_DIR), help=f"output folder (default: {PRESET_DIR})"
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.only or PRESETS:
        lab, summary = pretrain(name)
        path = out / f"{name}.json"
        path.write_text(lab.to_json() + "\n", encoding="utf-8")
        size = path.stat().st_size
        print(f"{name}: {json.dumps(summary)} -> {path} ({size} bytes)", flush=True)
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
