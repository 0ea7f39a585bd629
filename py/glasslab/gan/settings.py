"""The GAN lab page's settings as plain data: strings from controls and the URL to typed
values, which settings apply live and which start a new run, and the pretrained rule.

* :func:`parse_settings` - ``{"g_lr": "0.03", "seed": "7"}`` to ``{"g_lr": 0.03, "seed": 7}``;
  a value that is not a number at all raises :class:`SettingError` naming the setting
  (range checks are :class:`~glasslab.gan.config.Config`'s);
* :func:`starts_new_run` - a new data set or seed, or a new architecture while the
  pretrained model is on, means a fresh lab; every other change is ``GanLab.set`` live;
* the pretrained rule: pretrained weights exist only for the presets' own architectures
  and seeds, so changing either turns ``pretrained`` off (:func:`keeps_pretrained`);
* :func:`from_url` / :func:`to_url` - the URL carries the whole setup
  (``?dataset=ring&g_lr=0.03&seed=7&pretrained=0``).

Messages are catalogue keys with parameters (``SettingError.key``, ``.params``), so
the page shows them in its language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from glasslab.gan.config import Config

LR_MENU = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)  # the learning rates the menus offer
INT_FIELDS = ("noise_dim", "g_layers", "g_neurons", "d_layers", "d_neurons", "k_d", "k_g", "seed")
FLOAT_FIELDS = ("g_lr", "d_lr")
CHOICE_FIELDS = ("dataset", "noise_dist", "g_optimizer", "d_optimizer", "loss")
FIELDS = CHOICE_FIELDS + INT_FIELDS + FLOAT_FIELDS  # the settings a person can change
ARCHITECTURE = frozenset({"noise_dim", "g_layers", "g_neurons", "d_layers", "d_neurons"})
# Settings that a preset's pretrained model takes on top of its own (they change no weight).
LIVE_FIELDS = ("g_lr", "d_lr", "g_optimizer", "d_optimizer", "loss", "k_d", "k_g", "noise_dist")
LAYERS = ("heatmap", "real", "fake", "gradients", "manifold")  # layers of the distribution view


class SettingError(ValueError):
    """A setting that is not even of the right kind: ``key`` is the catalogue message,
    ``params`` its placeholders."""

    def __init__(self, key: str, **params) -> None:
        super().__init__(f"{key}: " + ", ".join(f"{k}={v}" for k, v in params.items()))
        self.key = key
        self.params = params


def parse_settings(raw: dict) -> dict:
    """Turn strings from controls or the URL into typed settings; SettingError on nonsense."""
    out = {}
    for name, value in raw.items():
        if name not in FIELDS:
            raise SettingError("gan.error.unknown_setting", name=repr(name))
        text = str(value).strip()
        if name in INT_FIELDS:
            try:
                number = float(text)
            except ValueError:
                raise SettingError("gan.error.whole", name=name, value=repr(text)) from None
            if not math.isfinite(number) or number != int(number):
                raise SettingError("gan.error.whole", name=name, value=repr(text))
            out[name] = int(number)
        elif name in FLOAT_FIELDS:
            try:
                number = float(text)
            except ValueError:
                raise SettingError("gan.error.number", name=name, value=repr(text)) from None
            if not math.isfinite(number) or number <= 0:
                raise SettingError("gan.error.positive", name=name, value=repr(text))
            out[name] = number
        else:
            out[name] = text
    return out


def changed_settings(old: Config, new: Config, names) -> set[str]:
    """The names among ``names`` whose value differs between ``old`` and ``new``."""
    return {k for k in names if getattr(old, k) != getattr(new, k)}


def starts_new_run(changed: set[str], pretrained: bool) -> bool:
    """Whether these changes need a fresh lab rather than ``GanLab.set``."""
    return bool(changed & {"dataset", "seed"} or (pretrained and changed & ARCHITECTURE))


def keeps_pretrained(changed, pretrained: bool) -> bool:
    """The pretrained switch after ``changed``: off once the architecture or seed changed."""
    return pretrained and not set(changed) & (ARCHITECTURE | {"seed"})


def live_settings(config: Config) -> dict:
    """The live settings of ``config``, to carry over onto a preset's pretrained model."""
    return {k: getattr(config, k) for k in LIVE_FIELDS}


@dataclass
class UrlSetup:
    """What a page URL asks for: the config, the settings it named, the pretrained
    switch, and the problems (SettingError or ValueError, or a catalogue key) it ignored."""

    config: Config
    settings: dict
    pretrained: bool
    problems: list = field(default_factory=list)

    @property
    def overrides(self) -> dict:
        return {k: v for k, v in self.settings.items() if k in LIVE_FIELDS}


def from_url(params: dict[str, str]) -> UrlSetup:
    """The setup of a page URL's query parameters; bad values are left out, each a problem."""
    pretrained = params.get("pretrained", "1") != "0"
    problems: list = []
    settings: dict = {}
    for name, value in params.items():
        if name not in FIELDS:
            continue
        try:
            settings.update(parse_settings({name: value}))
            Config().replace(**{name: settings[name]})
        except (ValueError, TypeError) as exc:
            settings.pop(name, None)
            problems.append(exc)
    if settings.get("dataset") == "drawing":
        settings.pop("dataset")
        problems.append("gan.error.drawing_link")  # a drawing cannot travel in a link
    pretrained = keeps_pretrained(settings, pretrained)
    return UrlSetup(Config().replace(**settings), settings, pretrained, problems)


def to_url(params: dict[str, str], config: Config, pretrained: bool) -> dict[str, str]:
    """``params`` (the URL's other keys kept) with the whole setup of ``config``."""
    out = dict(params)
    out.update({k: str(v) for k, v in config.to_dict().items() if k in FIELDS})
    out["pretrained"] = "1" if pretrained else "0"
    return out


def control_value(config: Config, name: str) -> str:
    """The text a control shows for setting ``name`` (learning rates as floats: "0.1")."""
    value = getattr(config, name)
    return str(float(value)) if name in FLOAT_FIELDS else str(value)
