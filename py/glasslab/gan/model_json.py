"""A GAN lab saved as JSON (the preset format) and loaded back, every field checked.

``{"format": "glasslab-gan", "version": 1, "config": {...Config fields...},
"iteration": int, "d_steps": int, "g_steps": int, "d_loss": float|null,
"g_loss": float|null, "drawing": [[x, y], ...]|null,
"generator": {"layers": [{"W": [[...]], "b": [...]}, ...]},
"discriminator": {...}}``: layer ``W`` has shape (fan_out, fan_in), so
z = W a + b, and ``b`` has fan_out numbers. Optimiser moments and random-stream
positions are not saved. Anything malformed raises ``ValueError`` before a lab
is built, so nothing is half-loaded. :meth:`GanLab.to_json` and
:meth:`GanLab.from_json` are the public entry points.
"""

from __future__ import annotations

import json
import math
import numbers
import re

import numpy as np

from glasslab.gan.config import Config, check_int
from glasslab.nn import MLP

FORMAT = "glasslab-gan"
VERSION = 1
MAX_JSON_CHARS = 8_000_000
# A saved model nests a few levels; deep nesting is refused before parsing because in
# Pyodide the parser's recursion overflows the browser's stack (a fatal error) long before
# Python's RecursionError.
MAX_JSON_DEPTH = 32
_SPECIAL = re.compile(r'[\\"\[\]{}]')
MAX_COUNT = 2**53 - 1  # iteration and step counters: whole numbers a page shows exactly


def lab_to_dict(lab) -> dict:
    """The model of ``lab`` as a JSON-ready dict."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": lab.config.to_dict(),
        "iteration": lab.iteration,
        "d_steps": lab.d_steps,
        "g_steps": lab.g_steps,
        "d_loss": lab.d_loss,
        "g_loss": lab.g_loss,
        "drawing": None if lab.drawing is None else lab.drawing.tolist(),
        "generator": _net_to_dict(lab.generator),
        "discriminator": _net_to_dict(lab.discriminator),
    }


def lab_to_json(lab) -> str:
    """The model of ``lab`` as compact JSON text (no NaN or infinities)."""
    return json.dumps(lab_to_dict(lab), separators=(",", ":"), allow_nan=False)


def lab_from_json(cls, text: str | bytes):
    """A lab of class ``cls`` from :func:`lab_to_json` text (ValueError if malformed)."""
    if isinstance(text, bytes | bytearray):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("model JSON is not valid UTF-8") from None
    if not isinstance(text, str):
        raise ValueError(f"model JSON must be text, got {type(text).__name__}")
    if len(text) > MAX_JSON_CHARS:
        raise ValueError(f"model JSON is too large ({len(text)} characters)")
    if _json_depth(text) > MAX_JSON_DEPTH:
        raise ValueError(f"model JSON is nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise ValueError(f"model JSON is not valid JSON: {err}") from None
    except RecursionError:
        raise ValueError("model JSON is nested too deeply") from None
    return lab_from_dict(cls, data)


def lab_from_dict(cls, data: dict):
    """A lab of class ``cls`` from :func:`lab_to_dict` output (validated)."""
    if not isinstance(data, dict):
        raise ValueError("model JSON must be an object")
    if data.get("format") != FORMAT:
        raise ValueError(f"not a GAN lab model (format should be {FORMAT!r})")
    version = data.get("version")
    if version != VERSION or isinstance(version, bool):
        raise ValueError(f"unsupported model version {version!r} (this code reads {VERSION})")
    required = ("config", "iteration", "generator", "discriminator")
    missing = [key for key in required if key not in data]
    if missing:
        raise ValueError(f"model JSON is missing {', '.join(missing)}")
    config = Config.from_dict(data["config"])
    drawing = data.get("drawing")
    if config.dataset != "drawing":
        drawing = None
    iteration = _count("iteration", data["iteration"])
    d_steps = _count("d_steps", data.get("d_steps", 0))
    g_steps = _count("g_steps", data.get("g_steps", 0))
    losses = []
    for key in ("d_loss", "g_loss"):
        value = data.get(key)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"{key} must be a number or null")
            try:
                value = float(value)
            except OverflowError:
                value = math.inf
            if not math.isfinite(value):
                raise ValueError(f"{key} must be finite")
        losses.append(value)
    g_params = _net_from_dict("generator", data["generator"], config.generator_sizes)
    d_params = _net_from_dict("discriminator", data["discriminator"], config.discriminator_sizes)
    lab = cls(config, drawing=drawing)  # everything checked: nothing is half-loaded
    for net, layers in ((lab.generator, g_params), (lab.discriminator, d_params)):
        for W, b, (W_new, b_new) in zip(net.weights, net.biases, layers, strict=True):
            W[...] = W_new
            b[:, 0] = b_new
    lab.iteration, lab.d_steps, lab.g_steps = iteration, d_steps, g_steps
    lab.d_loss, lab.g_loss = losses
    lab._save_good()
    return lab


def _count(name: str, value) -> int:
    """A counter of the file: a whole number from 0 to 2^53 - 1 (not 1.5, not 1e30)."""
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, float) and abs(value) > MAX_COUNT:
        raise ValueError(f"{name} must be between 0 and {MAX_COUNT}, got {value!r}")
    return check_int(name, value, 0, MAX_COUNT)


def _reject_constant(name: str):
    raise ValueError(f"model JSON contains {name}, which is not a valid weight")


def _net_to_dict(net: MLP) -> dict:
    return {
        "layers": [
            {"W": W.tolist(), "b": b[:, 0].tolist()}
            for W, b in zip(net.weights, net.biases, strict=True)
        ]
    }


def _net_from_dict(name: str, data, sizes: list[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (W, b) of each layer of a network described by ``data`` (checked against sizes)."""
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        raise ValueError(f"{name} must be an object with a list of layers")
    layers = data["layers"]
    if len(layers) != len(sizes) - 1:
        raise ValueError(f"{name} has {len(layers)} layers but its config needs {len(sizes) - 1}")
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    for i, (layer, n_in, n_out) in enumerate(zip(layers, sizes[:-1], sizes[1:], strict=True)):
        if not isinstance(layer, dict) or "W" not in layer or "b" not in layer:
            raise ValueError(f"{name} layer {i} must have W and b")
        checked = {}
        for key, shape in (("W", (n_out, n_in)), ("b", (n_out,))):
            try:
                arr = np.array(layer[key])
            except (TypeError, ValueError):
                arr = None
            if arr is None or arr.dtype.kind not in "iuf":
                raise ValueError(f"{name} layer {i} {key} must be numbers of shape {shape}")
            arr = arr.astype(np.float64)
            if arr.shape != shape:
                raise ValueError(f"{name} layer {i} {key} has shape {arr.shape}, expected {shape}")
            if not np.isfinite(arr).all():
                raise ValueError(f"{name} layer {i} {key} contains NaN or infinite values")
            checked[key] = arr
        parts.append((checked["W"], checked["b"]))
    return parts


def _json_depth(text: str) -> int:
    """The deepest nesting of lists and objects in JSON text (brackets in strings skipped):
    a small state machine over the characters that matter, one at a time (memory does
    not grow with the text or with a long string)."""
    depth = deepest = 0
    in_string, skip_to = False, 0
    for match in _SPECIAL.finditer(text):
        i, char = match.start(), match.group()
        if i < skip_to:  # the character after a backslash
            continue
        if in_string:
            if char == "\\":
                skip_to = i + 2
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    break
        elif char in "]}":
            depth -= 1
    return deepest
