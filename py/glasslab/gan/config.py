"""The settings of a GAN lab run, :class:`Config`, and the checks every value passes.

``Config`` is a frozen dataclass validated on creation: a bad value raises
``ValueError`` naming the setting, so nothing half-valid is ever built. The
limits (``MAX_LAYERS``, ``LR_MIN``...) are the ones the page's controls offer.
"""

from __future__ import annotations

import dataclasses
import math
import numbers

from glasslab.gan.data import DATASETS, NOISE_DISTS
from glasslab.gan.losses import LOSSES
from glasslab.nn import OPTIMIZERS

MAX_LAYERS = 5
MAX_NEURONS = 100
MAX_K = 10
LR_MIN, LR_MAX = 0.001, 1.0
MAX_BATCH = 1000
MAX_SEED = 2**53 - 1  # the largest whole number a page (a JS number) shows exactly


def check_int(name: str, value, lo: int, hi: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, numbers.Integral):
        ivalue = int(value)
    else:
        fvalue = float(value)
        if not math.isfinite(fvalue) or fvalue != int(fvalue):
            raise ValueError(f"{name} must be a whole number, got {value!r}")
        ivalue = int(fvalue)
    if ivalue < lo or (hi is not None and ivalue > hi):
        where = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise ValueError(f"{name} must be {where}, got {ivalue}")
    return ivalue


def check_choice(name: str, value, choices) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def check_lr(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        lr = float(value)
    except OverflowError:
        lr = math.inf
    if not math.isfinite(lr):
        raise ValueError(f"{name} must be a finite number, got {lr}")
    if not LR_MIN <= lr <= LR_MAX:
        raise ValueError(f"{name} must be between {LR_MIN} and {LR_MAX}, got {lr}")
    return lr


@dataclasses.dataclass(frozen=True)
class Config:
    """Every setting of a GAN lab run. Validated on creation (ValueError if invalid).

    ``g_layers``/``d_layers`` count hidden layers (0-5, exactly that many are
    built), ``*_neurons`` their width (1-100). Learning rates lie in
    [0.001, 1]; ``k_d``/``k_g`` (0-10) are the discriminator and generator
    steps per iteration, not both 0 (nothing would train); ``batch`` (1-1000) the
    samples per step; ``seed`` 0 to 2^53 - 1 (what a page shows exactly). The default
    is GAN Lab's: two Gaussians, 2-D uniform noise, G 2-8-8-2, D 2-8-8-1, SGD with
    learning rate 0.1, log loss, k_d 2, k_g 1.
    """

    dataset: str = "gaussians"
    noise_dim: int = 2
    noise_dist: str = "uniform"
    g_layers: int = 2
    g_neurons: int = 8
    d_layers: int = 2
    d_neurons: int = 8
    g_optimizer: str = "sgd"
    d_optimizer: str = "sgd"
    g_lr: float = 0.1
    d_lr: float = 0.1
    loss: str = "log"
    k_d: int = 2
    k_g: int = 1
    batch: int = 150
    seed: int = 0

    def __post_init__(self) -> None:
        checked = {
            "dataset": check_choice("dataset", self.dataset, DATASETS),
            "noise_dim": check_int("noise_dim", self.noise_dim, 1, 2),
            "noise_dist": check_choice("noise_dist", self.noise_dist, NOISE_DISTS),
            "g_layers": check_int("g_layers", self.g_layers, 0, MAX_LAYERS),
            "g_neurons": check_int("g_neurons", self.g_neurons, 1, MAX_NEURONS),
            "d_layers": check_int("d_layers", self.d_layers, 0, MAX_LAYERS),
            "d_neurons": check_int("d_neurons", self.d_neurons, 1, MAX_NEURONS),
            "g_optimizer": check_choice("g_optimizer", self.g_optimizer, tuple(OPTIMIZERS)),
            "d_optimizer": check_choice("d_optimizer", self.d_optimizer, tuple(OPTIMIZERS)),
            "g_lr": check_lr("g_lr", self.g_lr),
            "d_lr": check_lr("d_lr", self.d_lr),
            "loss": check_choice("loss", self.loss, LOSSES),
            "k_d": check_int("k_d", self.k_d, 0, MAX_K),
            "k_g": check_int("k_g", self.k_g, 0, MAX_K),
            "batch": check_int("batch", self.batch, 1, MAX_BATCH),
            "seed": check_int("seed", self.seed, 0, MAX_SEED),
        }
        if checked["k_d"] == 0 and checked["k_g"] == 0:
            raise ValueError("k_d and k_g cannot both be 0: no network would ever train")
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @property
    def generator_sizes(self) -> list[int]:
        """Layer sizes of G, e.g. [2, 8, 8, 2]."""
        return [self.noise_dim] + [self.g_neurons] * self.g_layers + [2]

    @property
    def discriminator_sizes(self) -> list[int]:
        """Layer sizes of D, e.g. [2, 8, 8, 1]."""
        return [2] + [self.d_neurons] * self.d_layers + [1]

    def to_dict(self) -> dict:
        """The settings as a plain dict (JSON-ready)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Config:
        """Settings from a dict with exactly the fields of Config (ValueError otherwise)."""
        if not isinstance(data, dict):
            raise ValueError(f"config must be an object, got {type(data).__name__}")
        names = [f.name for f in dataclasses.fields(cls)]
        missing = [n for n in names if n not in data]
        unknown = sorted(k for k in data if k not in names)
        if missing:
            raise ValueError(f"config is missing {', '.join(missing)}")
        if unknown:
            raise ValueError(f"config has unknown settings: {', '.join(map(str, unknown))}")
        return cls(**data)

    def replace(self, **changes) -> Config:
        """A validated copy with some settings changed."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(k for k in changes if k not in names)
        if unknown:
            raise ValueError(
                f"unknown setting {', '.join(map(str, unknown))}; "
                f"known settings: {', '.join(sorted(names))}"
            )
        return dataclasses.replace(self, **changes)
