"""Still pictures of each page's first frame, made by the build with the engine itself.

Before Python is ready a page shows its layout and a still of the frame Python will draw
first, so it is never blank. The build runs the same ``glasslab`` code in CPython that the
page runs in Pyodide and writes what that first frame hands the views, as plain JSON:

- ``stills/gan.json``: the GAN lab opened with no URL parameters (the default preset, its
  pretrained model): the distribution view's buffers (real and tracked fake points, the
  arrows, D's heatmap, the manifold), the first chart point and its values, the iteration,
  the settings the graph shows, the code panel's training step;
- ``stills/cnn.json``: the CNN explainer with TinyVGG and the first sample: the overview's
  layout, every column's picture, the class probabilities, the legend of the focused
  neuron, the input panel and the model panel;
- ``stills/index.json``: the landing page's NumPy picture (``glasslab.preview``).

The JavaScript views draw these with their own drawing code (``site/js/gan-still.js``,
``site/js/cnn/still.js``, ``site/js/index-view.js``) into the canvases Python draws into
next, so the real first frame replaces the still in place. Arrays are little-endian bytes
(float32 coordinates, exactly what Python writes into the views' typed arrays),
zlib-compressed and base64-encoded: ``{"dtype", "shape", "zlib"}``; RGBA pictures are
their colours and one index per pixel (:func:`picture`), exact to the byte.
A still holds only the default state: a page opened with URL parameters that change its
first frame shows no still (the JavaScript decides, from the parameters' names).
"""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np

STILL_DIR = "stills"
INDEX_SIZE = 128  # the landing page's canvas (site/index.html #hero-canvas)


def packed(array: np.ndarray, dtype: str) -> dict:
    """An array as ``{"dtype", "shape", "zlib"}``: its little-endian bytes, deflated, base64."""
    data = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<"))
    raw = zlib.compress(data.tobytes(), 9)
    return {"dtype": dtype, "shape": list(data.shape), "zlib": base64.b64encode(raw).decode()}


def unpacked(entry: dict) -> np.ndarray:
    """The array of :func:`packed` (for tests)."""
    raw = zlib.decompress(base64.b64decode(entry["zlib"]))
    return np.frombuffer(raw, dtype=np.dtype(entry["dtype"]).newbyteorder("<")).reshape(
        entry["shape"]
    )


def picture(rgba: np.ndarray) -> dict:
    """An RGBA uint8 picture as its colours and one index per pixel (lossless; the
    overview's pictures use a few hundred colours of the colour tables at most):
    ``{"width", "height", "palette": packed RGBA (N, 4), "index": packed uint8/uint16}``."""
    height, width, _ = rgba.shape
    colours, index = np.unique(
        np.ascontiguousarray(rgba, dtype=np.uint8).reshape(-1, 4), axis=0, return_inverse=True
    )
    kind = "uint8" if len(colours) <= 256 else "uint16"
    return {
        "width": width,
        "height": height,
        "palette": packed(colours, "uint8"),
        "index": packed(index.reshape(-1), kind),
    }


def unpicture(entry: dict) -> np.ndarray:
    """The RGBA picture of :func:`picture` (for tests)."""
    colours = unpacked(entry["palette"]).reshape(-1, 4)
    return colours[unpacked(entry["index"])].reshape(entry["height"], entry["width"], 4)


def _f32(array) -> dict:
    return packed(np.asarray(array, dtype=np.float32).reshape(-1), "float32")


def _number(value) -> float | None:
    return None if value is None else float(value)


def gan_still() -> dict:
    """The GAN page's first frame, as ``glasslab.web.gan_page`` and ``gan_frames`` draw it
    for a URL without parameters."""
    from glasslab.gan import settings as gs
    from glasslab.gan import view as gan_view
    from glasslab.gan.session import GanSession
    from glasslab.gan.stages import STEP_FUNCTIONS, code_lines, step_source

    session = GanSession()
    session.start({})
    lab = session.lab
    grid = lab.manifold()
    raw = lab.tracked_gradients()
    kl, js_div = lab.divergence()
    d_loss, g_loss = lab.d_loss, lab.g_loss
    d = "—" if d_loss is None else f"{d_loss:.4f}"
    g = "—" if g_loss is None else f"{g_loss:.4f}"
    alpha = None
    if lab.config.noise_dim == 2:
        alpha = gan_view.manifold_alpha(grid, gan_view.noise_mass(lab.config.noise_dist))
    return {
        "page": "gan",
        "url": gs.to_url({}, lab.config, session.pretrained),  # what the page writes for it
        "sizes": gan_view.SIZES,
        "real": _f32(lab.real_samples()),
        "fake": _f32(lab.tracked_fakes()),
        "grad": _f32(gan_view.arrows(raw)),
        "grad_raw": _f32(raw),
        "noise": _f32(gan_view.tracked_noise(lab)),
        "heat": picture(gan_view.lab_heat(lab)),
        "manifold": _f32(grid),
        "manifold_alpha": None if alpha is None else _f32(alpha),
        "manifold_dim": lab.config.noise_dim,
        "score_kind": lab.d_kind,
        "controls": {**session.controls(False), "playing": False, "slow": False},
        "iteration": f"{lab.iteration:,}",
        "steps": [lab.d_steps, lab.g_steps],
        "chart": [lab.iteration, _number(d_loss), _number(g_loss), float(kl), float(js_div)],
        "values": [d, g, f"{kl:.3f}", f"{js_div:.3f}"],
        "code": {
            "fn": STEP_FUNCTIONS["d"],
            "stage": None,
            "lines": code_lines(step_source("d", lab), "d", None, None),
            "trace": None,
        },
    }


def _decode(path: Path) -> np.ndarray:
    """RGBA pixels of an image file, as the browser decodes it (Pillow: build tooling)."""
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA"), dtype=np.uint8)


def cnn_still(stage: Path) -> dict:
    """The CNN page's first frame, as ``glasslab.web.cnn_page`` draws it for a URL without
    parameters: TinyVGG (``stage/tinyvgg.onnx``) and the first default sample."""
    from glasslab.cnn import columns, page_checks, page_data, scores
    from glasslab.cnn import view as cnn_view
    from glasslab.cnn.model import SequentialCNN

    model = SequentialCNN.from_bytes((stage / "tinyvgg.onnx").read_bytes())
    samples = json.loads((stage / "samples" / "index.json").read_text(encoding="utf-8"))
    first, chosen, file = page_data.sample_choice(samples, None)
    page = SimpleNamespace(model=model, labels=list(model.labels), scale_mode="module")
    page.col_layers, page.col_blocks = columns.overview_blocks(model)
    luts = page_data.page_luts()
    page.lut_act, page.lut_prob = luts["activation"], luts["probability"]
    layout = columns.column_layout(model, page.col_layers, page.labels)
    page.x = x = page_checks.prepare(_decode(stage / "samples" / file), model)
    page.acts, _probs = page_checks.run(model, x, "TinyVGG")
    _logits, page.probs = scores.class_scores(model, x, page.acts, scores.DEFAULT_TEMPERATURE)
    acts = [page.acts[model.layers[i].name] for i in page.col_layers]
    page.limits = columns.column_limits(acts, page.col_blocks, page.scale_mode)
    cols = layout["columns"]
    pictures = [cnn_view.input_image(x, cols[0]["tile"], cols[0]["gap"])]
    pictures += columns.column_images(acts, page.limits, page.lut_act, cols[1:])
    top = int(np.argmax(page.probs))
    return {
        "page": "cnn",
        "layout": layout,
        "columns": [picture(p) for p in pictures],
        "preview": picture(page_data.preview_image(x)),
        "probabilities": [float(p) for p in page.probs],
        "top": top,
        "label": {"image": file, "label": page.labels[top], "p": float(page.probs[top])},
        "focus": columns.focus_info(0, 0, page),
        "luts": {name: packed(lut.table, "uint8") for name, lut in luts.items()},
        "samples": {"all": samples, "first": first, "shown": chosen},
        "model": {
            "name": "TinyVGG",
            "summary": page_data.model_summary(model, page.labels),
            "labels": page.labels,
        },
    }


def index_still() -> dict:
    """The landing page's picture (``glasslab.web.index_page`` paints the same)."""
    from glasslab import preview

    return {"page": "index", "hero": picture(preview.density_image(INDEX_SIZE, INDEX_SIZE))}


def _json(data: dict) -> bytes:
    return (
        json.dumps(data, allow_nan=False, sort_keys=True, separators=(",", ":")) + "\n"
    ).encode()


def still_files(stage: Path) -> dict[str, bytes]:
    """``stills/*.json`` for the built site in ``stage`` (which already holds TinyVGG)."""
    return {
        f"{STILL_DIR}/gan.json": _json(gan_still()),
        f"{STILL_DIR}/cnn.json": _json(cnn_still(Path(stage))),
        f"{STILL_DIR}/index.json": _json(index_still()),
    }
