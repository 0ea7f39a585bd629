"""An independent reference for TinyVGG, straight from the TensorFlow.js files, and the
helpers other CNN tests share (exported model in a temporary folder, sample images).

The reference follows Keras semantics with plain loops and einsum over the HWIO
kernels in float64; it shares no code with glasslab.cnn or export/.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from tests.conftest import mirror_dir

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LABELS = [
    "lifeboat",
    "ladybug",
    "pizza",
    "bell pepper",
    "school bus",
    "koala",
    "espresso",
    "red panda",
    "orange",
    "sport car",
]
LAYERS = [
    "conv_1_1",
    "relu_1_1",
    "conv_1_2",
    "relu_1_2",
    "max_pool_1",
    "conv_2_1",
    "relu_2_1",
    "conv_2_2",
    "relu_2_2",
    "max_pool_2",
    "flatten",
    "output",
]


def build_tinyvgg(base: Path) -> Path:
    """Export TinyVGG into ``base/tinyvgg`` once per test session."""
    from export.tinyvgg import export_tinyvgg

    out = Path(base) / "tinyvgg"
    if not (out / "samples" / "index.json").is_file():
        export_tinyvgg(out, mirror_dir(), None)
    return out


def tfjs_files() -> tuple[dict, bytes]:
    """model.json and the weight shard, fetched and sha256-checked like the build does."""
    from export.fetch import fetch
    from export.tinyvgg import BASE_URL, MODEL_FILES

    def get(name: str) -> bytes:
        return fetch(
            BASE_URL + "data/" + name,
            MODEL_FILES[name],
            mirror_path=f"cnn-explainer/{name}",
            mirror=mirror_dir(),
        )

    return json.loads(get("model.json")), get("group1-shard1of1.bin")


def tfjs_weights() -> dict[str, np.ndarray]:
    """The weights by manifest name, read directly from the shard (little-endian float32)."""
    model_json, shard = tfjs_files()
    out = {}
    offset = 0
    for spec in model_json["weightsManifest"][0]["weights"]:
        n = int(np.prod(spec["shape"]))
        out[spec["name"]] = (
            np.frombuffer(shard, "<f4", n, offset).reshape(spec["shape"]).astype(np.float64)
        )
        offset += 4 * n
    assert offset == len(shard)
    return out


def ref_conv(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Keras Conv2D, valid padding, stride 1: x (H, W, C), kernel HWIO."""
    kh, kw, _, cout = kernel.shape
    ho, wo = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    out = np.zeros((ho, wo, cout))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("hwc,co->hwo", x[i : i + ho, j : j + wo], kernel[i, j])
    return out + bias


def ref_maxpool(x: np.ndarray) -> np.ndarray:
    ho, wo = x.shape[0] // 2, x.shape[1] // 2
    out = np.empty((ho, wo, x.shape[2]))
    for r in range(ho):
        for c in range(wo):
            out[r, c] = x[2 * r : 2 * r + 2, 2 * c : 2 * c + 2].max(axis=(0, 1))
    return out


def ref_flatten(x: np.ndarray) -> np.ndarray:
    """Keras channels-last Flatten: element (r, c, ch) goes to (r * W + c) * C + ch."""
    h, w, c = x.shape
    flat = np.empty(x.size)
    for r in range(h):
        for col in range(w):
            for ch in range(c):
                flat[(r * w + col) * c + ch] = x[r, col, ch]
    return flat


def keras_forward(weights: dict[str, np.ndarray], image: np.ndarray) -> dict[str, np.ndarray]:
    """Every TinyVGG layer for one (64, 64, 3) image, float64, Keras layout."""
    acts = {}
    x = np.asarray(image, dtype=np.float64)
    for name in LAYERS:
        if name.startswith("conv"):
            x = ref_conv(x, weights[f"{name}/kernel"], weights[f"{name}/bias"])
        elif name.startswith("relu"):
            x = np.maximum(x, 0.0)
        elif name.startswith("max_pool"):
            x = ref_maxpool(x)
        elif name == "flatten":
            x = ref_flatten(x)
        else:
            z = x @ weights["output/kernel"] + weights["output/bias"]
            e = np.exp(z - z.max())
            x = e / e.sum()
        acts[name] = x
    return acts


def sample_images(folder: Path) -> list[tuple[str, str, np.ndarray]]:
    """(file, class, uint8 RGB pixels) of every exported sample, decoded with Pillow."""
    from PIL import Image

    index = json.loads((folder / "samples" / "index.json").read_text())
    out = []
    for entry in index:
        with Image.open(folder / "samples" / entry["file"]) as im:
            out.append((entry["file"], entry["class"], np.asarray(im.convert("RGB"))))
    return out


# -- the reference itself, on numbers worked out by hand ---------------------------


def test_reference_conv_by_hand():
    x = np.arange(9, dtype=np.float64).reshape(3, 3, 1)  # 0..8
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]]).reshape(2, 2, 1, 1)
    out = ref_conv(x, kernel, np.array([0.5]))
    # each output is x[r, c] - x[r + 1, c + 1] + 0.5 = -4 + 0.5
    assert out.shape == (2, 2, 1)
    assert np.all(out == -3.5)


def test_reference_maxpool_and_flatten_order():
    x = np.arange(2 * 4 * 4, dtype=np.float64).reshape(4, 4, 2)
    pooled = ref_maxpool(x)
    assert pooled.shape == (2, 2, 2)
    assert pooled[0, 0, 1] == x[1, 1, 1]
    assert pooled[1, 0, 0] == x[3, 1, 0]
    y = np.random.default_rng(0).random((13, 13, 10))
    flat = ref_flatten(y)
    assert flat[(5 * 13 + 7) * 10 + 3] == y[5, 7, 3]
    assert flat[1] == y[0, 0, 1] and flat[10] == y[0, 1, 0]


def test_reference_weights_match_manifest():
    weights = tfjs_weights()
    assert weights["conv_1_1/kernel"].shape == (3, 3, 3, 10)
    assert weights["output/kernel"].shape == (1690, 10)
    assert len(weights) == 10
