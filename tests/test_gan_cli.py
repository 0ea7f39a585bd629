"""The `python -m glasslab gan train` contract, run in a subprocess."""

import json
import subprocess
import sys

import numpy as np
import pytest


def glasslab(*args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "glasslab", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def train_json(*args):
    out = glasslab("gan", "train", *args, "--json").stdout
    lines = out.strip().splitlines()
    assert len(lines) == 1  # exactly one JSON object
    return json.loads(lines[0])


def test_train_ring_from_scratch_learns(tmp_path):
    samples = tmp_path / "out" / "ring.npy"
    start = train_json("--dataset", "ring", "--iterations", "0", "--seed", "1")
    done = train_json(
        "--dataset", "ring", "--iterations", "2500", "--seed", "1", "--samples", str(samples)
    )
    for key in ("kl", "js", "d_loss", "g_loss", "iterations", "seconds"):
        assert key in done
    assert done["iterations"] == 2500 and start["iterations"] == 0
    assert done["seconds"] > 0
    assert start["d_loss"] is None and np.isfinite(done["d_loss"]) and np.isfinite(done["g_loss"])
    assert start["js"] > 0.5
    assert done["js"] < 0.5 * start["js"] and done["js"] < 0.3
    assert done["kl"] < start["kl"]
    points = np.load(samples)
    assert points.shape == (10000, 2) and points.dtype == np.float64
    # the samples are what was measured: mostly on the ring
    radius = np.linalg.norm((points - [0.5, 0.45]) / [0.3, 0.25], axis=1)
    assert np.mean(np.abs(radius - 1) < 0.35) > 0.7


def test_same_seed_same_result():
    a = train_json("--dataset", "line", "--iterations", "200", "--seed", "5")
    b = train_json("--dataset", "line", "--iterations", "200", "--seed", "5")
    c = train_json("--dataset", "line", "--iterations", "200", "--seed", "6")
    assert (a["kl"], a["js"], a["d_loss"], a["g_loss"]) == (
        b["kl"],
        b["js"],
        b["d_loss"],
        b["g_loss"],
    )
    assert a["d_loss"] != c["d_loss"]


def test_human_summary():
    out = glasslab("gan", "train", "--dataset", "disjoint", "--iterations", "20", "--seed", "1")
    text = out.stdout
    assert "disjoint: 20 iterations" in text and "JS" in text and "KL" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


def test_help_and_bad_arguments():
    help_text = glasslab("gan", "train", "--help").stdout
    for option in ("--dataset", "--iterations", "--seed", "--samples", "--json"):
        assert option in help_text
    assert "line,gaussians,ring,disjoint" in help_text
    bad = glasslab("gan", "train", "--dataset", "spiral", "--iterations", "5", check=False)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    negative = glasslab(
        "gan", "train", "--dataset", "ring", "--iterations", "-3", "--json", check=False
    )
    assert negative.returncode == 2 and "--iterations" in negative.stderr
