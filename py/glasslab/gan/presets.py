"""Pretrained models for the four built-in data sets.

:data:`PRESET_SETTINGS` holds each preset's hyperparameters (the changes from
:class:`glasslab.gan.Config`'s defaults). ``export/pretrain_gan.py`` trains
them and writes ``presets/<name>.json`` in the format of
:meth:`glasslab.gan.GanLab.to_json` (config + weights + iteration count).

The two-Gaussians preset, which the GAN page opens with, is GAN Lab's default
workload itself (G 2-8-8-2, D 2-8-8-1, SGD 0.1, k_D 2, k_G 1), trained from a
seed on which it learns well. The other presets use wider networks (the
generator 2-16-16-2, the discriminator 2-32-32-1) because those train reliably
from almost every seed, where the small default networks sometimes lose all
the active ReLU units of a discriminator layer and stop learning.
"""

from __future__ import annotations

from pathlib import Path

from glasslab.gan.config import Config
from glasslab.gan.lab import GanLab

PRESETS = ("line", "gaussians", "ring", "disjoint")
PRESET_DIR = Path(__file__).resolve().parent / "presets"

_WIDE = {"g_neurons": 16, "d_neurons": 32, "g_lr": 0.03, "d_lr": 0.1}
PRESET_SETTINGS: dict[str, dict] = {
    "line": {"dataset": "line", **_WIDE},
    "gaussians": {"dataset": "gaussians"},
    "ring": {"dataset": "ring", **_WIDE},
    # Three separate blobs make the two networks chase each other; smaller
    # steps keep the chase calmer.
    "disjoint": {
        "dataset": "disjoint",
        "g_neurons": 32,
        "d_neurons": 32,
        "g_lr": 0.01,
        "d_lr": 0.03,
    },
}


def preset_config(name: str, seed: int = 0) -> Config:
    """The hyperparameters of preset ``name`` as a Config (with ``seed``)."""
    _check(name)
    return Config(**PRESET_SETTINGS[name], seed=seed)


def preset_path(name: str) -> Path:
    """Where the preset JSON of a data set lives."""
    _check(name)
    return PRESET_DIR / f"{name}.json"


def preset_json(name: str) -> str:
    """The JSON text of a preset."""
    return preset_path(name).read_text(encoding="utf-8")


def load_preset(name: str) -> GanLab:
    """A :class:`glasslab.gan.GanLab` loaded with the pretrained weights of ``name``."""
    return GanLab.from_json(preset_json(name))


def _check(name: str) -> None:
    if name not in PRESETS:
        raise ValueError(f"no preset named {name!r}; presets: {', '.join(PRESETS)}")
