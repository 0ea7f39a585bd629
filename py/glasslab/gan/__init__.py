"""The GAN lab engine: a generator and a discriminator in plain NumPy.

Public API::

    from glasslab.gan import GanLab, Config, DATASETS, GanDiverged, load_preset

See :mod:`glasslab.gan.engine` for the lab, :mod:`glasslab.gan.data` for the
data sets and noise, :mod:`glasslab.gan.losses` for the losses and
:mod:`glasslab.gan.metrics` for the KL/JS divergences.
"""

from glasslab.gan.config import Config
from glasslab.gan.data import DATASETS, NOISE_DISTS
from glasslab.gan.guard import GanDiverged
from glasslab.gan.lab import GanLab
from glasslab.gan.losses import LOSSES
from glasslab.gan.presets import PRESETS, load_preset, preset_config, preset_json

__all__ = [
    "DATASETS",
    "LOSSES",
    "NOISE_DISTS",
    "PRESETS",
    "Config",
    "GanDiverged",
    "GanLab",
    "load_preset",
    "preset_config",
    "preset_json",
]
