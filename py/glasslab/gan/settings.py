"""The GAN lab page's settings as plain data: strings from controls and the URL to typed
values, which settings apply live and which start a new run, and the pretrained rule.

* :func:`parse_settings` - ``{"g_lr": "0.03", "seed": "7"}`` to ``{"g_lr": 0.03, "seed": 7}``;
  a value that is not a number at all raises :class:`SettingError` naming the setting
  (range checks are :class:`~glasslab.gan.config.Config`'s);
* one strict parser per kind, used by the controls, the URL and the handle alike:
  :func:`parse_number` and :func:`parse_int` take what a person types in a number field
  (optional sign, ASCII digits, one decimal point, an exponent; no ``_``, no other
  digits, no ``inf``/``nan``), :func:`parse_bool` takes ``true``/``false`` (and, in a
  URL, ``1``/``0`` and ``"true"``/``"false"``);
* :func:`parse_request` - a whole ``set()`` call checked before anything is applied;
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
import re
from dataclasses import dataclass, field

from glasslab.checks import Refused
from glasslab.gan.config import Config

LR_MENU = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)  # the learning rates the menus offer
INT_FIELDS = ("noise_dim", "g_layers", "g_neurons", "d_layers", "d_neurons", "k_d", "k_g", "seed")
FLOAT_FIELDS = ("g_lr", "d_lr")
CHOICE_FIELDS = ("dataset", "noise_dist", "g_optimizer", "d_optimizer", "loss")
FIELDS = CHOICE_FIELDS + INT_FIELDS + FLOAT_FIELDS  # the settings the page's controls show
SETTINGS = FIELDS + ("batch",)  # every setting of set() and the URL
ARCHITECTURE = frozenset({"noise_dim", "g_layers", "g_neurons", "d_layers", "d_neurons"})
# Settings that a preset's pretrained model takes on top of its own (they change no weight).
LIVE_FIELDS = ("g_lr", "d_lr", "g_optimizer", "d_optimizer", "loss", "k_d", "k_g", "noise_dist")
LIVE_FIELDS += ("batch",)
LAYERS = ("heatmap", "real", "fake", "gradients", "manifold")  # layers of the distribution view


class SettingError(Refused):
    """A setting that is not even of the right kind: ``key`` is the catalogue message,
    ``params`` its placeholders."""


# What a person types in a number field: sign, ASCII digits, one point, an exponent.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WHOLE = re.compile(r"[+-]?[0-9]+")
URL_TRUE, URL_FALSE = ("1", "true"), ("0", "false")
MAX_TEXT = 100  # characters of one setting's text at most


def _text(name: str, value) -> str | None:
    """The text of ``value`` if it is a string (ASCII blanks around it dropped)."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise SettingError("gan.error.number", name=name, value=repr(value[:20] + "..."))
        return value.strip(" \t\n\r")
    return None


def parse_number(name: str, value, nonfinite: str = "gan.error.number") -> float:
    """A finite number from a JS number or typed text (SettingError otherwise; the key
    ``nonfinite`` for infinities and NaN, as numbers or as words)."""
    text = _text(name, value)
    if text is None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingError("gan.error.number", name=name, value=repr(value))
        number = float(value)
    elif _NUMBER.fullmatch(text):
        number = float(text)
    elif text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise SettingError(nonfinite, name=name, value=repr(text))
    else:
        raise SettingError("gan.error.number", name=name, value=repr(text))
    if not math.isfinite(number):
        raise SettingError(nonfinite, name=name, value=repr(value))
    return number


def parse_int(name: str, value) -> int:
    """A whole number from a JS number or typed text ("7", "7.0", "1e3"; not "2.5")."""
    text = _text(name, value)
    if text is not None and _WHOLE.fullmatch(text):
        return int(text)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        number = parse_number(name, value)
    except SettingError:
        raise SettingError("gan.error.whole", name=name, value=repr(value)) from None
    if number != int(number):
        raise SettingError("gan.error.whole", name=name, value=repr(value))
    return int(number)


def parse_bool(name: str, value, url: bool = False) -> bool:
    """``True``/``False``; in a URL also "1"/"0" and "true"/"false" (SettingError otherwise)."""
    if isinstance(value, bool):
        return value
    if url and isinstance(value, str) and value.strip().lower() in URL_TRUE + URL_FALSE:
        return value.strip().lower() in URL_TRUE
    raise SettingError("gan.error.boolean", name=name, value=repr(value))


def parse_settings(raw: dict) -> dict:
    """Turn strings from controls or the URL into typed settings; SettingError on nonsense."""
    out = {}
    for name, value in raw.items():
        if name not in SETTINGS:
            raise SettingError("gan.error.unknown_setting", name=repr(name))
        if name in INT_FIELDS or name == "batch":
            out[name] = parse_int(name, value)
        elif name in FLOAT_FIELDS:
            number = parse_number(name, value, nonfinite="gan.error.positive")
            if number <= 0:
                raise SettingError("gan.error.positive", name=name, value=repr(value))
            out[name] = number
        elif isinstance(value, str):
            out[name] = value.strip()
        else:
            raise SettingError("gan.error.choice", name=name, value=repr(value))
    return out


@dataclass
class Request:
    """A ``set()`` call, parsed: typed ``settings``, the ``pretrained`` and ``slow_motion``
    switches (None: not given) and the view ``layers`` to switch."""

    settings: dict
    pretrained: bool | None = None
    slow_motion: bool | None = None
    layers: dict = field(default_factory=dict)


def parse_request(raw) -> Request:
    """Check every key of a ``set()`` call (SettingError on the first bad one)."""
    if not isinstance(raw, dict):
        raise SettingError("gan.error.set_object", value=type(raw).__name__)
    raw = dict(raw)
    switches = {k: parse_bool(k, raw.pop(k)) for k in ("pretrained", "slow_motion") if k in raw}
    layers = {k: parse_bool(k, raw.pop(k)) for k in LAYERS if k in raw}
    return Request(parse_settings(raw), layers=layers, **switches)


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
    problems: list = []
    try:
        pretrained = parse_bool("pretrained", params.get("pretrained", "1"), url=True)
    except SettingError as exc:
        pretrained = True
        problems.append(exc)
    settings: dict = {}
    for name, value in params.items():
        if name not in SETTINGS:
            continue
        try:  # each value checked together with those taken before it
            typed = parse_settings({name: value})
            Config().replace(**settings, **typed)
        except (ValueError, TypeError) as exc:
            problems.append(exc)
        else:
            settings.update(typed)
    if settings.get("dataset") == "drawing":
        settings.pop("dataset")
        problems.append("gan.error.drawing_link")  # a drawing cannot travel in a link
    pretrained = keeps_pretrained(settings, pretrained)
    return UrlSetup(Config().replace(**settings), settings, pretrained, problems)


def to_url(params: dict[str, str], config: Config, pretrained: bool) -> dict[str, str]:
    """``params`` (the URL's other keys kept) with the whole setup of ``config``."""
    out = dict(params)
    out.update({k: str(v) for k, v in config.to_dict().items() if k in SETTINGS})
    out["pretrained"] = "1" if pretrained else "0"
    return out


def url_flag(params: dict[str, str], name: str) -> tuple[bool, SettingError | None]:
    """A URL switch such as ``autoplay`` (off when absent): the value and any problem."""
    try:
        return parse_bool(name, params.get(name, "0"), url=True), None
    except SettingError as exc:
        return False, exc


def control_value(config: Config, name: str) -> str:
    """The text a control shows for setting ``name`` (learning rates as floats: "0.1")."""
    value = getattr(config, name)
    return str(float(value)) if name in FLOAT_FIELDS else str(value)
