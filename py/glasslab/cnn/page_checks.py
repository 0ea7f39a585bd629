"""The CNN page's checks of what a person hands it (files, images, models, class names, a
scale): each refusal a :class:`glasslab.checks.Refused` with the message the page shows."""

from __future__ import annotations

import numpy as np

from glasslab.checks import Refused, refusing
from glasslab.cnn import compare, page_data, preprocess
from glasslab.cnn.model import SequentialCNN
from glasslab.cnn.view import SCALE_MODES, sniff_image

MIN_SIDE = 8  # smaller images are refused: there is nothing to see in them
MAX_FILE_BYTES = 64 * 1024 * 1024


def check_upload(kind: str, name: str, size: int) -> None:
    """Refuse a file of ``kind`` (image, model, labels) over its limit."""
    if limit := page_data.upload_too_large(kind, size):
        raise Refused(f"cnn.error.file_large_{kind}", name=name, limit=f"{limit:,}")


def labels_text(name: str, raw: bytes) -> str:
    """A class-names file's text; refused if it is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("cnn.error.labels_utf8", name=name) from None


def image_format(name: str, data: bytes) -> str:
    """The format of an image file's bytes; refused if too large or no image."""
    if len(data) > MAX_FILE_BYTES:
        raise Refused("cnn.error.image_large", name=name, bytes=f"{len(data):,}")
    fmt_name, problem = sniff_image(data)
    if problem:
        raise Refused("cnn.error.image_bad", name=name, detail=problem)
    return fmt_name


def check_size(name: str, w: int, h: int) -> None:
    """Refuse a decoded image smaller than ``MIN_SIDE`` on a side."""
    if min(w, h) < MIN_SIDE:
        raise Refused("cnn.error.image_small", name=name, w=w, h=h, min=MIN_SIDE)


def prepare(pixels: np.ndarray, model: SequentialCNN) -> np.ndarray:
    """RGBA ``pixels`` as ``model``'s input; refused if they cannot be."""
    h, w, c = model.input_shape
    with refusing("cnn.error.prepare", ValueError):
        return preprocess.prepare(pixels, (h, w), c)


def check_finite(acts: dict, probs: np.ndarray, name: str) -> None:
    """Refuse a model giving NaN or infinities."""
    if layer := compare.nonfinite_layer(acts, probs):
        raise Refused("cnn.error.nonfinite", name=name, layer=layer)


def run(model: SequentialCNN, x: np.ndarray, name: str) -> tuple[dict, np.ndarray]:
    """Activations and probabilities of ``model`` on ``x``, finite ones only."""
    acts = model.forward(x)
    probs = model.probabilities(acts)
    check_finite(acts, probs, name)
    return acts, probs


def load_model(name: str, data: bytes, pixels: np.ndarray) -> tuple[SequentialCNN, np.ndarray]:
    """An ONNX file as a model the page can use, and the image ``pixels`` as its input."""
    with refusing("cnn.error.model_unusable", ValueError, name=name):
        model = SequentialCNN.from_bytes(data)
    c = model.input_shape[2]
    if c not in (1, 3):
        raise Refused("cnn.error.model_channels", name=name, c=c)
    x = prepare(pixels, model)
    with refusing("cnn.error.model_run", ValueError, MemoryError, name=name):
        acts = model.forward(x)
        probs = model.probabilities(acts)
    check_finite(acts, probs, name)
    return model, x


def class_names(text: str, model: SequentialCNN) -> list[str]:
    """Class names typed or loaded for ``model`` (one per class, or refused)."""
    try:
        names = page_data.parse_labels(text)
    except ValueError as exc:
        if exc.args[0] == "json":
            raise Refused("cnn.error.labels_json", detail=exc.args[1]) from None
        limit = f"{page_data.MAX_UPLOAD_BYTES['labels']:,}"
        key = "cnn.error.labels_large" if exc.args[0] == "large" else "cnn.error.labels_names"
        raise Refused(key, limit=limit, chars=page_data.MAX_LABEL_CHARS) from None
    n = model.layers[-1].shape[0]
    if len(names) != n:
        raise Refused("cnn.error.labels_count", n=n, given=len(names))
    return names


def scale_mode(mode) -> str:
    """``mode`` as a colour-scale mode of the overview."""
    if not isinstance(mode, str) or mode not in SCALE_MODES:
        raise Refused("cnn.error.scale", mode=repr(mode))
    return mode
