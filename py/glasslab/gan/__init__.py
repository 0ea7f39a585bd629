"""The GAN lab engine: a generator and a discriminator in plain NumPy.

Public API::

    from glasslab.gan import GanLab, Config, DATASETS, GanDiverged, load_preset

One module per concern: ``config`` (Config and its checks), ``lab`` (GanLab: build,
set, train), ``lab_views`` (what the views read: D's field, probe, manifold, samples),
``guard`` (NaN/inf roll-back, GanDiverged), ``stages`` (slow motion, stage by stage),
``model_json`` (save/load), ``data``, ``losses`` (log, least squares, hinge,
Wasserstein), ``metrics`` (KL/JS), ``history`` (snapshots, seek), ``compare`` (a second
run side by side), ``presets``; for the page, still pure and tested on CPython:
``settings`` (controls/URL values, live settings, the pretrained rule), ``session``
(what each page action does to the lab), ``pace`` (training inside a frame budget)
and ``view`` (heatmap colours, manifold density, arrows, the views' buffer sizes).
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
