"""The output detail: class ``k``'s logit and the softmax over all classes.

``z_k = sum_j v_j W[j, k] + b_k`` over the flattened features ``v``;
``p_k = exp(z_k - max z) / sum_j exp(z_j - max z)``.
"""

from __future__ import annotations

import numpy as np

from glasslab.cnn import explain
from glasslab.cnn.detail.parts import limit


def feature_maps(model, n: int):
    """``(H, W, C)`` and the ONNX axis order of the maps a length-``n`` feature vector
    was flattened from (so the view can draw it as maps), or ``None``."""
    for la in model.layers:
        if la.kind == "flatten" and la.shape[0] == n and len(la.input_shape) == 3:
            if la.axes is not None:
                return {"shape": [int(s) for s in la.input_shape], "axes": "".join(la.axes)}
    return None


def source_layer(model, n: int) -> str | None:
    """The name of the layer a length-``n`` feature vector was flattened from (the one
    before the flatten layer)."""
    for i, la in enumerate(model.layers):
        if la.kind == "flatten" and la.shape[0] == n and i > 0:
            return model.layers[i - 1].name
    return None


def as_maps(vec: np.ndarray, maps: dict) -> np.ndarray:
    """A flattened feature vector back as channel-major ``(C, H, W)`` maps."""
    h, w, c = maps["shape"]
    dims = {"H": h, "W": w, "C": c}
    arr = np.asarray(vec, np.float32).reshape([dims[a] for a in maps["axes"]])
    return np.ascontiguousarray(arr.transpose([maps["axes"].index(a) for a in "CHW"]))


def output_detail(model, image, acts: dict, k: int) -> dict:
    """``logits``, ``exp`` (of ``logit - max``), ``probabilities``, their ``sum`` and
    ``max``; with a dense layer also ``features``, ``weights`` (to class ``k``) and
    ``products`` (channel-major maps when ``maps`` is set, else vectors), their colour
    ``limits``, ``product_sum``, ``bias`` and ``logit``; ``all_weights`` ``(classes, n)``
    (row ``j``: the weights to class ``j``, in the order of ``features``) and ``source``,
    the layer the features were flattened from (``None`` without ``maps``)."""
    res = explain.explain_output(model, image, acts)
    data = {
        "kind": "output",
        "layer": model.layers[-1].name,
        "channel": int(k),
        "logits": np.asarray(res["logits"], np.float32),
        "exp": np.asarray(res["exp"], np.float32),
        "probabilities": np.asarray(res["probabilities"], np.float32),
        "sum": float(res["sum"]),
        "max": float(res["max"]),
        "dense": "weight" in res,
    }
    if "weight" in res:
        v = np.asarray(res["inputs"], np.float32)
        w = np.asarray(res["weight"][:, k], np.float32)
        nk = res["weight"].shape[1]
        prod = v * w
        maps = feature_maps(model, v.size)
        shaped = (lambda a: as_maps(a, maps)) if maps else (lambda a: a)
        data.update(
            features=shaped(v),
            weights=shaped(w),
            products=shaped(prod),
            all_weights=np.stack([shaped(res["weight"][:, j]).reshape(-1) for j in range(nk)]),
            source=source_layer(model, v.size) if maps else None,
            maps=maps,
            size=int(v.size),
            limits={"features": limit(v), "weights": limit(w), "products": limit(prod)},
            product_sum=float(prod.astype(np.float64).sum()),
            bias=float(res["bias"][k]),
            logit=float(res["logits"][k]),
        )
    return data
