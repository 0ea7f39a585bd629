"""Convert CNN Explainer's pretrained TinyVGG (a TensorFlow.js Keras layers model) to ONNX.

Inputs (pinned by sha256, looked up in the mirror folder first, else downloaded):
``model.json`` (Keras topology + weights manifest), ``group1-shard1of1.bin``
(little-endian float32 weights in manifest order, kernels in Keras HWIO layout) and
the 64x64 sample JPEGs, all from github.com/poloclub/cnn-explainer (MIT license) at
a fixed commit.

Outputs, written into ``out_dir`` byte-identically on every run:

``tinyvgg.onnx``
    The network as an ONNX graph (opset 13). Layout: the graph input ``input`` is
    NHWC ``[batch, 64, 64, 3]`` float32 RGB in [0, 1], as in Keras; a Transpose
    turns it into NCHW, the layout of ONNX Conv/MaxPool, so the conv, relu and
    pool tensors are NCHW ``[batch, 10, H, W]``. Before ``flatten`` a Transpose
    goes back to NHWC so that ``flatten`` has Keras' channels-last order (index
    ``(r * 13 + c) * 10 + ch``) and the dense weights are used unchanged. Every
    Keras layer's output tensor carries the layer's name and is a graph output, so
    one ONNX Runtime run returns all 12 activations: conv_1_1, relu_1_1, conv_1_2,
    relu_1_2, max_pool_1, conv_2_1, relu_2_1, conv_2_2, relu_2_2, max_pool_2,
    flatten, output (softmax probabilities; the logits are the internal tensor
    ``output/logits``). Metadata ``labels`` holds the class names as a JSON list.
``tinyvgg.json``
    Class labels, input description and per-layer metadata (name, type, output
    shape in HWC order, kernel/stride/padding, parameter shapes).
``samples/*.jpeg`` and ``samples/index.json``
    The sample images, unchanged, and a JSON list of ``{"file", "class", "index"}``.

Standalone: ``python -m export.tinyvgg --out DIR [--mirror DIR] [--cache DIR]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

try:  # imported as the package ``export`` (build) or run as ``python -m export.tinyvgg``
    from export.fetch import default_mirror, fetch, sha256_bytes
except ImportError:  # pragma: no cover - running the file directly
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from export.fetch import default_mirror, fetch, sha256_bytes

COMMIT = "d0971f9447ed9806022a3d47587b62394682bc51"
BASE_URL = f"https://raw.githubusercontent.com/poloclub/cnn-explainer/{COMMIT}/public/assets/"
MIRROR_DIR = "cnn-explainer"

MODEL_FILES = {
    "model.json": "85706d2d99841eb6270ddbf912bcf43c4d1bf76bc68a0a56af49561a69589627",
    "group1-shard1of1.bin": "306666f2a1cc2a0a8f7b3422617daac5ecdca20c707ab44b721522be1fe3f630",
}

SAMPLES = {
    "boat_1.jpeg": "767cd685408cfd255c3486edb017bd75ab4097beb478826f780617f4f603d75f",
    "bug_1.jpeg": "02f52ceeb1e5edc8f7b1162966021b9d157ea6f83277de54b9586f7a8354f938",
    "bug_3.jpeg": "ad4cdbde1c63db2edbf287501e50fef41c7036d092addaa5527e305dfa79f060",
    "bus_1.jpeg": "ff7ccbdb78b5da7c791378f02d3cc6d3e79d9bb4dc47d68898234da55376ec14",
    "bus_2.jpeg": "5e3ed877d90c2a4771de7020a0305ee6ee5dc86c8a54bcd165ff396781444aba",
    "car_1.jpeg": "469384feee8381213dc8b52503fc42ab4708cdf452bcf219335538f5a03647d7",
    "espresso_1.jpeg": "9307c85667470cdb22557ebcf77a573dac5df83e360b6e339f47627b5871b3df",
    "koala_1.jpeg": "7d159407825f48c16bcd5293d21ed5064306c4d32dfcda64c52b3a3bc5b20365",
    "koala_2.jpeg": "774b0ed1a6f34f882c6bad788879bfebd0f771282ff5440e9d1ed2ccfd2f36c9",
    "koala_3.jpeg": "de99125be09f333a4fa57535375b9defc6d661acce1c9aefaaa302dc9326cb07",
    "orange_1.jpeg": "ac1e3266da220b12f62098f91146a7b22417f3b32bdc3547c091cb82721cf5d8",
    "orange_3.jpeg": "e25ba8f59e051b7e9ed7b6b12316b81735c447e07ab58575c5dd2d69e9912b4f",
    "panda_1.jpeg": "aa027684fb8ca5c3faf6dfcf0152bdeb06865aa4eb5da7e18004ba4d344d6273",
    "panda_2.jpeg": "b9f78292b29df2ecb13d5bebf3f4d4f73c87957ee63eb812ec6bcd3e8d174077",
    "panda_3.jpeg": "41314470054cf09e7f91ab07b8d1b7a55cf138edcf523538f574054bce8afc55",
    "panda_5.jpeg": "b4e4d4403bdc9f65553aa85d12aeb46d258cff97d76b031846cbc03fa1651a99",
    "pepper_1.jpeg": "074afc1c4b93b7b9e6489e320d9f4656f8f00e12ef4a2f2157f61c8668a0e25e",
    "pepper_2.jpeg": "5e24a9b9f9f2ea58def8a04f395cf7abd26e06c9007d33d00f9ec00886fe68f3",
    "pizza_1.jpeg": "2508a03666aea814c2e51ec82265388c14e430773da7a6e43e7256b4162922d3",
    "pizza_2.jpeg": "6adeb1124e2ec3b726a1ce6951ff0457fdd1306521443679cc88ec28f1870303",
}

# Class names in the order of the model's 10 outputs.
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
# Sample file prefix -> class name.
SAMPLE_CLASSES = {
    "boat": "lifeboat",
    "bug": "ladybug",
    "pizza": "pizza",
    "pepper": "bell pepper",
    "bus": "school bus",
    "koala": "koala",
    "espresso": "espresso",
    "panda": "red panda",
    "orange": "orange",
    "car": "sport car",
}

OPSET = 13
IR_VERSION = 8
INPUT_NAME = "input"


class ConversionError(ValueError):
    """model.json describes something this converter does not handle."""


def _fetch_file(subpath: str, sha256: str, mirror: Path | None, cache: Path | None) -> bytes:
    """``public/assets/<subpath>`` of the pinned commit, from the mirror or the public URL."""
    mirror_subpath = subpath.removeprefix("data/")
    return fetch(
        BASE_URL + subpath,
        sha256,
        mirror_path=f"{MIRROR_DIR}/{mirror_subpath}",
        mirror=mirror,
        cache=cache,
    )


def read_weights(model_json: dict, shards: dict[str, bytes]) -> dict[str, np.ndarray]:
    """Split the weight shards into named float32 arrays, following the manifest's order."""
    weights: dict[str, np.ndarray] = {}
    for group in model_json["weightsManifest"]:
        data = b"".join(shards[p] for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            if spec.get("dtype", "float32") != "float32" or "quantization" in spec:
                raise ConversionError(f"weight {spec['name']}: only plain float32 is supported")
            count = int(np.prod(spec["shape"], dtype=np.int64))
            if offset + 4 * count > len(data):
                raise ConversionError(f"weight {spec['name']} runs past the end of its shard")
            array = np.frombuffer(data, dtype="<f4", count=count, offset=offset)
            weights[spec["name"]] = array.reshape(spec["shape"]).astype(np.float32)
            offset += 4 * count
        if offset != len(data):
            raise ConversionError(f"{len(data) - offset} unused bytes in {group['paths']}")
    return weights


def _same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def convert(model_json: dict, weights: dict[str, np.ndarray], labels: list[str]):
    """Build the ONNX ModelProto and the layer metadata from a Keras Sequential config.

    Handles Conv2D, Activation, MaxPooling2D, Flatten and Dense (with or without a
    fused activation), channels-last, as in CNN Explainer's TinyVGG.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    config = model_json["modelTopology"]["model_config"]
    if config.get("class_name") != "Sequential":
        raise ConversionError("only Keras Sequential models are supported")
    layers = config["config"]["layers"] if isinstance(config["config"], dict) else config["config"]

    batch_shape = layers[0]["config"].get("batch_input_shape")
    if not batch_shape or len(batch_shape) != 4:
        raise ConversionError("the first layer must declare a 4-D batch_input_shape (NHWC)")
    height, width, channels = (int(v) for v in batch_shape[1:])

    nodes = []
    initializers = []
    outputs = []
    meta_layers = []
    shape = (height, width, channels)  # HWC of the current tensor
    current = "input_nchw"
    layout = "NCHW"
    nodes.append(
        helper.make_node("Transpose", [INPUT_NAME], [current], name="input_nchw", perm=[0, 3, 1, 2])
    )

    def add_init(name: str, array: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def activation(kind: str, src: str, dst: str, rank: int) -> None:
        if kind == "relu":
            nodes.append(helper.make_node("Relu", [src], [dst], name=dst))
        elif kind == "softmax":
            if rank != 2:
                raise ConversionError("softmax is only supported on vectors")
            nodes.append(helper.make_node("Softmax", [src], [dst], name=dst, axis=1))
        else:
            raise ConversionError(f"unsupported activation {kind!r} ({dst})")

    def output(name: str, onnx_shape: list) -> None:
        outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, onnx_shape))

    def nchw(hwc: tuple[int, ...]) -> list:
        return ["batch", hwc[2], hwc[0], hwc[1]]

    for layer in layers:
        cls = layer["class_name"]
        cfg = layer["config"]
        name = cfg["name"]
        entry: dict = {"name": name}
        if cfg.get("data_format", "channels_last") != "channels_last":
            raise ConversionError(f"{name}: only channels_last is supported")
        if cls == "Conv2D":
            if layout != "NCHW" or len(shape) != 3:
                raise ConversionError(f"{name}: Conv2D needs an image input")
            if tuple(cfg.get("dilation_rate", [1, 1])) != (1, 1):
                raise ConversionError(f"{name}: dilated convolutions are not supported")
            kernel = weights[f"{name}/kernel"]  # HWIO
            kh, kw, cin, cout = kernel.shape
            if cin != shape[2]:
                raise ConversionError(
                    f"{name}: kernel expects {cin} channels, input has {shape[2]}"
                )
            sh, sw = cfg.get("strides", [1, 1])
            if cfg.get("padding", "valid") == "same":
                pt, pb = _same_pads(shape[0], kh, sh)
                pl, pr = _same_pads(shape[1], kw, sw)
            else:
                pt = pb = pl = pr = 0
            inputs = [current, add_init(f"{name}/kernel", kernel.transpose(3, 2, 0, 1))]
            if cfg.get("use_bias", True):
                inputs.append(add_init(f"{name}/bias", weights[f"{name}/bias"]))
            act = cfg.get("activation", "linear")
            conv_out = name if act == "linear" else f"{name}/linear"
            nodes.append(
                helper.make_node(
                    "Conv",
                    inputs,
                    [conv_out],
                    name=conv_out,
                    kernel_shape=[kh, kw],
                    strides=[sh, sw],
                    pads=[pt, pl, pb, pr],
                    dilations=[1, 1],
                    group=1,
                )
            )
            shape = ((shape[0] + pt + pb - kh) // sh + 1, (shape[1] + pl + pr - kw) // sw + 1, cout)
            if act != "linear":
                activation(act, conv_out, name, 4)
            entry.update(
                type="conv",
                kernel=[kh, kw],
                strides=[sh, sw],
                pads=[pt, pl, pb, pr],
                filters=cout,
                padding=cfg.get("padding", "valid"),
                params={"kernel": [kh, kw, cin, cout], "bias": [cout]},
            )
            output(name, nchw(shape))
        elif cls == "Activation":
            act = cfg["activation"]
            activation(act, current, name, 2 if len(shape) == 1 else 4)
            entry.update(type=act)
            output(name, ["batch", shape[0]] if len(shape) == 1 else nchw(shape))
        elif cls == "MaxPooling2D":
            ph, pw = cfg.get("pool_size", [2, 2])
            sh, sw = cfg.get("strides") or [ph, pw]
            if cfg.get("padding", "valid") != "valid":
                raise ConversionError(f"{name}: only valid pooling is supported")
            nodes.append(
                helper.make_node(
                    "MaxPool", [current], [name], name=name, kernel_shape=[ph, pw], strides=[sh, sw]
                )
            )
            shape = ((shape[0] - ph) // sh + 1, (shape[1] - pw) // sw + 1, shape[2])
            entry.update(type="maxpool", kernel=[ph, pw], strides=[sh, sw])
            output(name, nchw(shape))
        elif cls == "Flatten":
            nhwc = f"{name}/nhwc"
            nodes.append(
                helper.make_node("Transpose", [current], [nhwc], name=nhwc, perm=[0, 2, 3, 1])
            )
            size = int(np.prod(shape))
            target = add_init(f"{name}/shape", np.array([-1, size], dtype=np.int64))
            nodes.append(helper.make_node("Reshape", [nhwc, target], [name], name=name))
            shape = (size,)
            layout = "vector"
            entry.update(type="flatten", order="channels_last")
            output(name, ["batch", size])
        elif cls == "Dense":
            if len(shape) != 1:
                raise ConversionError(f"{name}: Dense needs a flattened input")
            kernel = weights[f"{name}/kernel"]
            if kernel.shape[0] != shape[0]:
                raise ConversionError(
                    f"{name}: kernel expects {kernel.shape[0]} inputs, got {shape[0]}"
                )
            inputs = [current, add_init(f"{name}/kernel", kernel)]
            if cfg.get("use_bias", True):
                inputs.append(add_init(f"{name}/bias", weights[f"{name}/bias"]))
            act = cfg.get("activation", "linear")
            gemm_out = name if act == "linear" else f"{name}/logits"
            nodes.append(helper.make_node("Gemm", inputs, [gemm_out], name=gemm_out))
            if act != "linear":
                activation(act, gemm_out, name, 2)
            shape = (int(kernel.shape[1]),)
            entry.update(
                type="dense",
                units=shape[0],
                activation=act,
                params={"kernel": list(kernel.shape), "bias": [shape[0]]},
            )
            output(name, ["batch", shape[0]])
        else:
            raise ConversionError(f"unsupported Keras layer {cls} ({name})")
        entry["shape"] = list(shape)
        meta_layers.append(entry)
        current = name

    if shape != (len(labels),):
        raise ConversionError(f"the model has {shape} outputs but {len(labels)} labels")

    graph = helper.make_graph(
        nodes,
        "tinyvgg",
        [
            helper.make_tensor_value_info(
                INPUT_NAME, TensorProto.FLOAT, ["batch", height, width, channels]
            )
        ],
        outputs,
        initializer=initializers,
        doc_string=(
            "TinyVGG from CNN Explainer (poloclub/cnn-explainer, MIT license). Input 'input' "
            "is NHWC RGB in [0, 1]; conv/relu/pool outputs are NCHW; 'flatten' is in Keras "
            "channels-last order; 'output' is the softmax over the classes in metadata 'labels'."
        ),
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
        producer_name="glasslab",
        producer_version="1",
        doc_string="TinyVGG (CNN Explainer) converted from its TensorFlow.js weights.",
    )
    helper.set_model_props(
        model,
        {
            "labels": json.dumps(labels),
            "source": f"github.com/poloclub/cnn-explainer@{COMMIT} (MIT license)",
            "layout": "input NHWC; conv/relu/pool NCHW; flatten channels-last",
        },
    )
    onnx.checker.check_model(model)
    meta = {
        "name": "tinyvgg",
        "source": {
            "repository": "https://github.com/poloclub/cnn-explainer",
            "commit": COMMIT,
            "license": "MIT",
        },
        "input": {
            "name": INPUT_NAME,
            "layout": "NHWC",
            "shape": [height, width, channels],
            "range": [0.0, 1.0],
            "preprocessing": "RGB / 255, no mean or std normalisation",
        },
        "labels": list(labels),
        "layers": meta_layers,
    }
    return model, meta


def export_tinyvgg(
    out_dir: Path, mirror: Path | None = None, cache: Path | None = None
) -> list[Path]:
    """Write tinyvgg.onnx, tinyvgg.json and samples/ into ``out_dir``; return the paths."""
    out_dir = Path(out_dir)
    model_bytes = _fetch_file("data/model.json", MODEL_FILES["model.json"], mirror, cache)
    model_json = json.loads(model_bytes)
    shards = {}
    for group in model_json["weightsManifest"]:
        for path in group["paths"]:
            if path not in MODEL_FILES:
                raise ConversionError(f"model.json refers to an unpinned weight file {path!r}")
            shards[path] = _fetch_file(f"data/{path}", MODEL_FILES[path], mirror, cache)
    weights = read_weights(model_json, shards)
    model, meta = convert(model_json, weights, LABELS)
    onnx_bytes = model.SerializeToString()
    meta["onnx"] = {
        "file": "tinyvgg.onnx",
        "sha256": sha256_bytes(onnx_bytes),
        "opset": OPSET,
        "input": INPUT_NAME,
        "input_layout": "NHWC",
        "outputs": [layer["name"] for layer in meta["layers"]],
        "output_layout": "NCHW for conv, relu and pool outputs; (batch, n) for flatten and output",
    }

    samples_dir = out_dir / "samples"
    samples_dir.mkdir(parents=True, exist_ok=True)
    written = []
    onnx_path = out_dir / "tinyvgg.onnx"
    onnx_path.write_bytes(onnx_bytes)
    written.append(onnx_path)
    json_path = out_dir / "tinyvgg.json"
    json_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    written.append(json_path)

    index = []
    for name in sorted(SAMPLES):
        data = _fetch_file(f"img/{name}", SAMPLES[name], mirror, cache)
        path = samples_dir / name
        path.write_bytes(data)
        written.append(path)
        cls = SAMPLE_CLASSES[name.split("_")[0]]
        index.append({"file": name, "class": cls, "index": LABELS.index(cls)})
    index_path = samples_dir / "index.json"
    index_path.write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    written.append(index_path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m export.tinyvgg",
        description="Convert CNN Explainer's TinyVGG to ONNX and copy its sample images.",
    )
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument(
        "--mirror",
        default=None,
        help="folder with pinned third-party files (default: $GLASSLAB_MIRROR)",
    )
    parser.add_argument("--cache", default=None, help="download cache folder")
    args = parser.parse_args(argv)
    mirror = Path(args.mirror) if args.mirror else default_mirror()
    cache = Path(args.cache) if args.cache else None
    for path in export_tinyvgg(Path(args.out), mirror, cache):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
