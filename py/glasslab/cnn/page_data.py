"""What the CNN explainer page shows, as plain data (pure, tested on CPython).

* :func:`default_samples`, :func:`column_layout`, :func:`overview_blocks` - the sample
  buttons and the overview's columns;
* :func:`model_summary` - the numbers of the model panel's summary line;
* :func:`focus_info` - the legend and focus line of the focused neuron;
* :func:`page_luts`, :func:`preview_image` - the colour tables the views get, the
  picture of the network input;
* :func:`parse_labels` - class names typed or loaded by the user;
* :func:`page_state` - ``window.glasslab.state()``;
* :func:`median_ms` - the timing of the page's ``benchmark()``.

The maths behind them (colour ranges, column images, tiles) is :mod:`glasslab.cnn.view`.
"""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import numpy as np

from glasslab import colour
from glasslab.cnn.view import (
    INPUT_TINTS,
    Lut,
    fmt,
    modules,
    overview_columns,
    tile_size,
)


def default_samples(samples: list[dict]) -> list[dict]:
    """The samples shown without "More samples": the first of each class."""
    seen, out = set(), []
    for s in samples:
        if s["class"] not in seen:
            seen.add(s["class"])
            out.append(s)
    return out


def sample_choice(samples: list[dict], wanted: str | None) -> tuple[list[str], str | None, str]:
    """The default sample files, the file named ``wanted`` (None if no sample has that
    name) and the file to show first."""
    first = [s["file"] for s in default_samples(samples)]
    chosen = next((s["file"] for s in samples if s["file"] == wanted), None)
    return first, chosen, chosen if chosen is not None else first[0]


def column_layout(model, columns: list[int], labels: list[str]) -> dict:
    """The overview's columns (the input, then each layer in ``columns``): name, kind,
    shape ``[H, W, C]``, channels, square tile size and gap, column height; and the
    class names. One tile size for all columns, so the tallest one fits."""
    h, w, c = model.input_shape
    shapes = [("input", "input", (h, w, c))]
    shapes += [(model.layers[i].name, model.layers[i].kind, model.layers[i].shape) for i in columns]
    most = max(s[2][2] for s in shapes)
    gap = 6 if most <= 16 else 2
    tile = tile_size(most, gap=gap)
    cols = [
        {
            "name": name,
            "kind": kind,
            "shape": [int(v) for v in shape],
            "channels": int(shape[2]),
            "tile": tile,
            "gap": gap,
            "height": int(shape[2]) * (tile + gap) - gap,
        }
        for name, kind, shape in shapes
    ]
    return {"columns": cols, "classes": list(labels), "outputName": model.layers[-1].name}


def model_summary(model, labels: list[str]) -> dict:
    """The numbers of the model panel's summary line."""
    h, w, c = model.input_shape
    params = sum(la.kernel.size + la.bias.size for la in model.layers if la.kernel is not None)
    return {
        "h": h,
        "w": w,
        "c": c,
        "layers": len(model.layers),
        "convs": sum(1 for la in model.layers if la.kind == "conv"),
        "params": f"{params:,}",
        "classes": len(labels),
    }


def focus_info(col: int, ch: int, page) -> dict:
    """The legend and focus line of neuron ``ch`` of overview column ``col`` (0 is the
    input, past the last map column the classes). ``page`` has ``x``, ``acts``,
    ``probs``, ``labels``, ``model``, ``col_layers``, ``col_blocks``, ``limits``,
    ``scale_mode`` and the ``lut_act`` and ``lut_prob`` tables."""
    if col == 0:
        h, w, c = page.x.shape
        ticks = [{"value": v, "position": v, "label": f"{v:g}", "hex": ""} for v in (0, 0.5, 1)]
        tint = INPUT_TINTS.get(c, ((255, 255, 255),))[ch % 3]
        return {"kind": "input", "ch": ch, "h": h, "w": w, "ticks": ticks, "tint": list(tint)}
    if col > len(page.col_layers):
        p = float(page.probs[ch]) if ch < len(page.probs) else 0.0
        name = page.labels[ch] if ch < len(page.labels) else ""
        ticks = page.lut_prob.ticks(0.0, 1.0, 5)
        return {
            "kind": "class",
            "ch": ch,
            "name": name,
            "p": fmt(p),
            "ticks": ticks,
            "lut": "probability",
        }
    lim = float(page.limits[col - 1][ch])
    la = page.model.layers[page.col_layers[col - 1]]
    a = page.acts[la.name][:, :, ch]
    return {
        "kind": "neuron",
        "ch": ch,
        "layer": la.name,
        "layer_kind": la.kind,
        "h": la.shape[0],
        "w": la.shape[1],
        "min": fmt(a.min(), 3),
        "max": fmt(a.max(), 3),
        "scale": page.scale_mode,
        "block": page.col_blocks[col - 1],
        "ticks": page.lut_act.ticks(-lim, lim, 5),
        "lut": "activation",
    }


def page_luts() -> dict[str, Lut]:
    """The colour tables of the CNN views: activations, weights, probabilities."""
    return {
        "activation": Lut(colour.RED_BLUE),
        "weight": Lut(colour.BROWN_GREEN),
        "probability": Lut(colour.ORANGES),
    }


def preview_image(x: np.ndarray) -> np.ndarray:
    """The ``(H, W, C)`` network input in 0..1 as an RGBA picture (grey as grey)."""
    x = x if x.shape[2] == 3 else np.repeat(x[:, :, :1], 3, axis=2)
    rgba = np.empty(x.shape[:2] + (4,), np.uint8)
    rgba[:, :, :3] = np.rint(np.clip(x, 0, 1) * 255)
    rgba[:, :, 3] = 255
    return rgba


# Files a person gives the page, at most (bytes): an image, an ONNX model, class names.
MAX_UPLOAD_BYTES = {"image": 64 * 1024 * 1024, "model": 64 * 1024 * 1024, "labels": 100_000}
MAX_LABEL_CHARS = 200  # characters of one class name


def upload_too_large(kind: str, size: int) -> int | None:
    """The limit in bytes that a file of ``kind`` and ``size`` bytes exceeds, else None."""
    limit = MAX_UPLOAD_BYTES.get(kind, min(MAX_UPLOAD_BYTES.values()))
    return limit if size > limit else None


def parse_labels(text: str) -> list[str]:
    """Class names from a JSON list of strings or one name per line. A bad JSON text
    raises ``ValueError("json", detail)``; JSON that is no list of strings (or numbers), or a name
    longer than ``MAX_LABEL_CHARS``, ``ValueError("list")``; a text longer than the
    class-names file limit ``ValueError("large")``."""
    if len(text) > MAX_UPLOAD_BYTES["labels"]:
        raise ValueError("large")
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            names = json.loads(text)
        except ValueError as exc:
            raise ValueError("json", str(exc)) from None
        plain = (str, int, float)  # a name, or a number as its name; no objects or lists
        if not isinstance(names, list) or not all(
            isinstance(n, plain) and not isinstance(n, bool) for n in names
        ):
            raise ValueError("list")
        names = [str(n).strip() for n in names]
    else:
        names = [line.strip() for line in text.splitlines() if line.strip()]
    if any(len(n) > MAX_LABEL_CHARS for n in names):
        raise ValueError("list")
    return names


def page_state(page, **read) -> dict:
    """``window.glasslab.state()`` of the CNN page (see the README) from the page's
    fields: ``model``, ``probs``, ``labels``, ``col_layers``, ``image_name``,
    ``model_name``, ``scale_mode``, ``render_ms`` and the ``ready``, ``focus``,
    ``detail``, ``message``, ``message_kind``, ``ort_max_diff``, ``ort_status`` it
    read from its views (in ``page`` or ``read``)."""
    page = SimpleNamespace(**vars(page), **read)
    m = page.model
    probs = [float(p) for p in page.probs] if page.probs is not None else []
    top = int(np.argmax(probs)) if probs else None
    return {
        "page": "cnn",
        "ready": page.ready,
        "image": page.image_name,
        "label": page.labels[top] if top is not None else None,
        "top": top,
        "probabilities": probs,
        "classes": list(page.labels),
        "model": page.model_name,
        "input_shape": list(m.input_shape) if m else None,
        "layers": [la.name for la in m.layers] if m else [],
        "columns": ["input"] + [m.layers[i].name for i in page.col_layers],
        "ort_max_diff": page.ort_max_diff,
        "ort_status": page.ort_status,
        "scale": page.scale_mode,
        "focus": list(page.focus) if m else [0, 0],
        "detail": page.detail_state,
        "message": page.message,
        "message_kind": page.message_kind,
        "render_ms": page.render_ms,
    }


def overview_blocks(model) -> tuple[list[int], list[int]]:
    """The overview's map columns (layer indices, :func:`overview_columns`) and the block
    of each (:func:`modules`)."""
    kinds = [la.kind for la in model.layers]
    columns = overview_columns(kinds, [la.shape for la in model.layers])
    blocks = modules(kinds)
    return columns, [blocks[i] for i in columns]


def median_ms(fn, runs: int) -> float:
    """The median wall time of ``runs`` calls of ``fn``, in milliseconds."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return float(np.median(times))
