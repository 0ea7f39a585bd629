"""``python -m glasslab gan ...``: train the GAN engine from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

NUM_SAMPLES = 10_000


def register(subparsers) -> None:
    """Add the ``gan`` command and its ``train`` subcommand to the main parser."""
    from glasslab.gan.presets import PRESETS

    parser = subparsers.add_parser(
        "gan",
        help="train the GAN lab engine (NumPy) on a built-in data set",
        description="The GAN lab engine on the command line.",
    )
    sub = parser.add_subparsers(dest="gan_command", metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda args: parser.print_help())

    train = sub.add_parser(
        "train",
        help="train from scratch with a preset's settings and report KL/JS",
        description=(
            "Train a GAN from scratch (fresh random weights from --seed) with the "
            "hyperparameters of the data set's preset, then draw 10000 real and "
            "10000 generated points and report KL(real || fake) and JS(real, fake) "
            "in bits on a 30 x 30 grid over the unit square."
        ),
    )
    train.add_argument(
        "--dataset", required=True, choices=PRESETS, help="data set (and preset settings) to use"
    )
    train.add_argument(
        "--iterations",
        type=int,
        required=True,
        metavar="N",
        help="training iterations (each: k_d discriminator steps, then k_g generator steps)",
    )
    train.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default: 0)")
    train.add_argument(
        "--samples",
        metavar="OUT.npy",
        help="write the 10000 generated points to this .npy file (shape (10000, 2))",
    )
    train.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (kl, js, d_loss, g_loss, iterations, seconds, ...) "
        "instead of a short summary",
    )
    train.set_defaults(func=run_train)


def run_train(args: argparse.Namespace) -> int:
    """Train, write samples, report. Returns the process exit code."""
    import numpy as np

    from glasslab.gan import GanDiverged, GanLab
    from glasslab.gan.metrics import divergences
    from glasslab.gan.presets import preset_config

    if args.iterations < 0:
        print("error: --iterations must be 0 or more", file=sys.stderr)
        return 2
    if args.seed < 0:
        print("error: --seed must be 0 or more", file=sys.stderr)
        return 2
    lab = GanLab(preset_config(args.dataset, seed=args.seed))  # fresh weights from the seed
    start = time.perf_counter()
    try:
        lab.train(args.iterations)
    except GanDiverged as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start

    fake = lab.generate(NUM_SAMPLES, seed=(args.seed, 1))
    real = lab.sample_real(NUM_SAMPLES, seed=(args.seed, 2))
    kl, js = divergences(real, fake)
    if args.samples:
        out = Path(args.samples)
        out.parent.mkdir(parents=True, exist_ok=True)
        np.save(out, fake)

    result = {
        "dataset": args.dataset,
        "seed": args.seed,
        "iterations": lab.iteration,
        "seconds": round(seconds, 4),
        "iterations_per_second": round(lab.iteration / seconds, 1) if seconds > 0 else None,
        "kl": kl,
        "js": js,
        "d_loss": lab.d_loss,
        "g_loss": lab.g_loss,
        "num_samples": NUM_SAMPLES,
        "samples": str(args.samples) if args.samples else None,
        "config": lab.config.to_dict(),
    }
    if args.json:
        print(json.dumps(result))
    else:
        losses = (
            f"D loss {lab.d_loss:.4f}, G loss {lab.g_loss:.4f}"
            if lab.d_loss is not None and lab.g_loss is not None
            else "no losses yet (no steps taken)"
        )
        print(
            f"{args.dataset}: {lab.iteration} iterations in {seconds:.2f} s; "
            f"KL {kl:.4f} bits, JS {js:.4f} bits over {NUM_SAMPLES} points; {losses}"
        )
        if args.samples:
            print(f"wrote {NUM_SAMPLES} generated points to {args.samples}")
    return 0
