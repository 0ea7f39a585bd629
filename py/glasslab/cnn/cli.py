"""``python -m glasslab cnn ...``: run TinyVGG (or another sequential ONNX CNN) on images.

Images are decoded with Pillow (imported only here), then preprocessed and run by
the same NumPy code as the page.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

PREDICT_EPILOG = """\
output:
  Without --json, one line per image: IMAGE: LABEL (PROBABILITY) and the next best
  classes. With --json, one JSON array with an object per image, in the order given:
    [{"image": "koala.jpeg", "label": "koala", "probabilities": [0.003, ...]}, ...]
  "image" is the path as given, "label" the most probable class and "probabilities"
  the softmax output, one float per class in the model's output order (TinyVGG:
  lifeboat, ladybug, pizza, bell pepper, school bus, koala, espresso, red panda,
  orange, sport car).

activations:
  --activations OUT.npz saves every layer's activation for the first image, keyed by
  layer name (TinyVGG: conv_1_1, relu_1_1, conv_1_2, relu_1_2, max_pool_1, conv_2_1,
  relu_2_1, conv_2_2, relu_2_2, max_pool_2, flatten, output). Image-shaped layers are
  (H, W, C) float32 without the batch axis; flatten and output are vectors.

preprocessing:
  As CNN Explainer: RGB, divided by 255, no normalisation; other sizes are resized
  bilinearly so the short side is 65 (input size + 1) and centre-cropped to 64x64.
  Transparent pixels are composited on white; greyscale is repeated to RGB.

exit status: 0 on success, 1 if the model or an image cannot be read.
"""


def default_model_path() -> Path:
    """``dist/tinyvgg.onnx`` of the current folder: the model a build writes."""
    return Path.cwd() / "dist" / "tinyvgg.onnx"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "cnn",
        help="run the CNN explainer's model on images",
        description="Run TinyVGG (or another sequential CNN in ONNX) on images, in NumPy.",
    )
    sub = parser.add_subparsers(dest="cnn_command", required=True, metavar="CNN_COMMAND")

    predict = sub.add_parser(
        "predict",
        help="classify images",
        description="Classify images and optionally save every layer's activation.",
        epilog=PREDICT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    predict.add_argument("images", nargs="+", metavar="IMAGE", help="image files (JPEG, PNG, ...)")
    predict.add_argument(
        "--model",
        default=None,
        help="ONNX model (default: dist/tinyvgg.onnx in the current folder, made by "
        "`python -m glasslab build`)",
    )
    predict.add_argument(
        "--activations",
        metavar="OUT.npz",
        default=None,
        help="save every layer's activation for the first image to this .npz file",
    )
    predict.add_argument(
        "--json", action="store_true", help="print one JSON array of results (see below)"
    )
    predict.set_defaults(func=run_predict)

    info = sub.add_parser("info", help="describe a model's layers as JSON")
    info.add_argument(
        "--model",
        default=None,
        help="ONNX model (default: dist/tinyvgg.onnx in the current folder)",
    )
    info.set_defaults(func=run_info)


def decode_image(path: str | Path) -> np.ndarray:
    """Decode an image file with Pillow into ``uint8`` (H, W), (H, W, 2|3|4) pixels.

    The pixels are the ones Chromium's decoder gives the page (checked against it in
    tests/browser/test_faults.py), so the CLI and the page classify the same input:

    * EXIF orientation is applied; palette and other modes become RGB, or RGBA when
      they carry transparency;
    * 16 bits per sample keep the high byte of each value (``v >> 8``, not rounded);
    * a PNG colour key (``tRNS`` of a grey or RGB image) makes the pixels of exactly
      that value transparent (grey of 1, 2 or 4 bits: the key scaled as the values;
      RGB of 16 bits: matched on the high bytes, the only ones Pillow keeps);
    * a PNG ``gAMA`` without ``sRGB`` or ``iCCP`` is applied: with file gamma ``g``,
      ``out = 255 * srgb(v ** (1 / g))`` on ``v`` in [0, 1], ``srgb`` the sRGB
      encoding; a ``g`` within 5 % of 1/2.2 counts as sRGB (unchanged), as libpng does.
      (``cHRM`` primaries and ``iCCP`` profiles are not applied.)

    Raises ValueError with a readable message for missing, unreadable or oversized files.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    from glasslab.cnn.preprocess import MAX_PIXELS

    path = Path(path)
    try:
        with Image.open(path) as im:
            w, h = im.size
            if w * h > MAX_PIXELS:
                raise ValueError(
                    f"{path}: the image is {w}x{h} = {w * h:,} pixels; the limit is "
                    f"{MAX_PIXELS:,} (8192 x 8192)"
                )
            args = im.tile[0][3] if im.tile else ""  # the raw mode, e.g. L;2 or RGB;16B
            rawmode = str(args[0] if isinstance(args, tuple) and args else args)
            key = im.info.get("transparency") if im.format == "PNG" else None
            im = ImageOps.exif_transpose(im)
            if im.mode.startswith("I;16") or im.mode == "I":  # 16-bit grey: the high byte
                wide = np.asarray(im).astype(np.int64)
                grey = np.clip(wide >> 8, 0, 255).astype(np.uint8)
                if not isinstance(key, int):
                    return _png_gamma(grey, im.info)
                alpha = np.where(wide == key, 0, 255).astype(np.uint8)
                return _png_gamma(np.stack([grey, alpha], axis=-1), im.info)
            if im.mode in ("1", "L") and isinstance(key, int):  # grey colour key
                depth = {"1": 1, "L;2": 2, "L;4": 4}.get(rawmode, 8)
                grey = np.asarray(im.convert("L"), dtype=np.uint8)
                alpha = np.where(grey == key * 255 // (2**depth - 1), 0, 255).astype(np.uint8)
                return _png_gamma(np.stack([grey, alpha], axis=-1), im.info)
            if im.mode == "RGB" and isinstance(key, tuple) and rawmode.startswith("RGB;16"):
                im.info["transparency"] = tuple(k >> 8 for k in key)  # Pillow keeps 8 bits
            if im.mode in ("L", "LA", "RGB", "RGBA") and key is None:
                pass
            elif im.mode == "1":
                im = im.convert("L")
            elif im.mode in ("PA", "La") or "transparency" in im.info:
                im = im.convert("LA" if im.mode == "La" else "RGBA")
            elif im.mode == "RGBa":
                im = im.convert("RGBA")
            else:
                im = im.convert("RGB")
            pixels, info = np.asarray(im, dtype=np.uint8), im.info
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a directory, not an image") from None
    except UnidentifiedImageError:
        raise ValueError(f"{path}: not an image file Pillow can read") from None
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(f"{path}: cannot decode the image ({exc})") from None
    if pixels.size == 0:
        raise ValueError(f"{path}: the image is empty")
    return _png_gamma(pixels, info)


def _png_gamma(pixels: np.ndarray, info: dict) -> np.ndarray:
    """A PNG's ``gAMA`` applied to the colour channels as Chromium does (see decode_image)."""
    gamma = info.get("gamma")
    if not gamma or "srgb" in info or "icc_profile" in info or abs(gamma * 2.2 - 1) <= 0.05:
        return pixels
    v = np.arange(256) / 255.0
    linear = v ** (1.0 / gamma)
    encoded = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
    table = np.clip(np.round(encoded * 255), 0, 255).astype(np.uint8)
    out = table[pixels]
    if out.ndim == 3 and out.shape[2] in (2, 4):  # alpha is not gamma-encoded
        out[:, :, -1] = pixels[:, :, -1]
    return out


def _load_model(option: str | None):
    from glasslab.cnn.model import load

    path = Path(option) if option else default_model_path()
    if not path.is_file():
        if option:
            raise ValueError(f"no model file at {path}")
        raise ValueError(
            f"no model at {path}: build the site first with `python -m glasslab build` "
            "(or pass --model PATH)"
        )
    try:
        return load(path)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def run_predict(args: argparse.Namespace) -> int:
    from glasslab.cnn import predict_pixels

    try:
        model = _load_model(args.model)
        decoded = [decode_image(image) for image in args.images]
        results = []
        first_acts = None
        for image, pixels in zip(args.images, decoded, strict=True):
            try:
                _, acts, probs = predict_pixels(model, pixels)
            except ValueError as exc:
                raise ValueError(f"{image}: {exc}") from None
            if first_acts is None:
                first_acts = acts
            probs = [float(p) for p in probs]
            best = int(np.argmax(probs))
            results.append({"image": image, "label": model.labels[best], "probabilities": probs})
        if args.activations:
            arrays = {name: np.ascontiguousarray(a) for name, a in first_acts.items()}
            try:
                np.savez(args.activations, **arrays)
            except OSError as exc:
                raise ValueError(f"cannot write {args.activations}: {exc}") from None
    except ValueError as exc:
        return _fail(str(exc))

    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            order = np.argsort(r["probabilities"])[::-1]
            rest = ", ".join(f"{model.labels[i]} {r['probabilities'][i]:.1%}" for i in order[1:3])
            print(
                f"{r['image']}: {r['label']} ({r['probabilities'][order[0]]:.1%})"
                + (f"  [{rest}]" if rest else "")
            )
    return 0


def run_info(args: argparse.Namespace) -> int:
    try:
        model = _load_model(args.model)
    except ValueError as exc:
        return _fail(str(exc))
    print(json.dumps(model.describe(), indent=2))
    return 0
