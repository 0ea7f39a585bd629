"""Why this class? Maps of where the input makes class ``k``'s logit ``z_k`` large.

Both maps come from one backward pass from the logit (:meth:`SequentialCNN.gradients
<glasslab.cnn.model.SequentialCNN.gradients>`), on the input as the model sees it (for
TinyVGG the ``64 x 64 x 3`` array in ``[0, 1]``):

* :func:`gradient` (vanilla gradient, Simonyan et al. 2014): for every input pixel
  ``(i, j)``, ``S[i, j] = max_c |dz_k / dx[i, j, c]|``: how much a small change of the
  pixel moves the logit.
* :func:`gradcam` (Grad-CAM, Selvaraju et al. 2017) on the activation ``A`` of the last
  ReLU before the last pooling layer (for TinyVGG ``relu_2_2``, ``26 x 26``, the
  maps that ``max_pool_2`` pools to ``13 x 13``):
  ``a_c = (1 / HW) sum_{i, j} dz_k / dA[i, j, c]`` (how much channel ``c`` matters),
  ``S = ReLU(sum_c a_c A[:, :, c])``.

Maps are returned unnormalised, ``(H, W)`` float32; :func:`saliency` checks the class
and method and gives ``{width, height, values}`` (row-major) for the page.
"""

from __future__ import annotations

import numpy as np

from glasslab.cnn.refusal import Refusal

__all__ = ["METHODS", "gradcam", "gradcam_layer", "gradient", "logit_gradients", "saliency"]

METHODS = ("gradient", "gradcam")
POOLS = ("maxpool", "avgpool", "global_avgpool")
RECTIFIERS = ("relu", "leaky_relu")


def logit_gradients(model, image: np.ndarray, acts: dict, k: int) -> dict:
    """``dz_k / d(output)`` of every layer before the logits and of the image (``"input"``)."""
    return model.gradients(image, acts, np.eye(len(model.labels), dtype=np.float32)[k])


def gradient(model, image: np.ndarray, acts: dict, k: int) -> np.ndarray:
    """``S[i, j] = max_c |dz_k / dx[i, j, c]|``, ``(H, W)`` like the input."""
    g = logit_gradients(model, image, acts, k)["input"]
    return np.abs(g).max(axis=2).astype(np.float32)


def gradcam_layer(model) -> str:
    """The layer Grad-CAM looks at: the last ReLU (or LeakyReLU) image before the last
    pooling layer; without one, the last image-shaped layer before the logits."""
    kinds = [la.kind for la in model.layers]
    end = model.logits_index()
    pools = [i for i in range(end) if kinds[i] in POOLS and len(model.layers[i].shape) == 3]
    limit = pools[-1] if pools else end
    images = [i for i in range(limit) if len(model.layers[i].shape) == 3]
    rectified = [i for i in images if kinds[i] in RECTIFIERS]
    if rectified:
        return model.layers[rectified[-1]].name
    if images:
        return model.layers[images[-1]].name
    raise Refusal("the model has no image-shaped layer for Grad-CAM")


def gradcam(model, image: np.ndarray, acts: dict, k: int, layer: str | None = None) -> np.ndarray:
    """``ReLU(sum_c a_c A[:, :, c])`` with ``a_c`` the spatial mean of ``dz_k / dA_c``,
    on :func:`gradcam_layer` (or ``layer``); ``(H_A, W_A)``."""
    name = layer or gradcam_layer(model)
    a = np.asarray(acts[name], np.float32)
    d = logit_gradients(model, image, acts, k)[name]
    weights = d.mean(axis=(0, 1))  # a_c
    return np.maximum(a @ weights, 0).astype(np.float32)


def saliency(model, image: np.ndarray, acts: dict, k, method) -> dict:
    """``{width, height, values}`` of ``method``'s map for class ``k`` (values row-major,
    unnormalised). A class that is not an integer in range, or an unknown method, raises
    ``ValueError`` saying what is allowed."""
    n = len(model.labels)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer, float)) or k != int(k):
        raise Refusal(f"the class must be an integer from 0 to {n - 1}, got {k!r}")
    if not 0 <= int(k) < n:
        raise Refusal(f"the class must be from 0 to {n - 1}, got {int(k)}")
    if method not in METHODS:
        raise Refusal(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    build = gradient if method == "gradient" else gradcam
    s = build(model, image, acts, int(k))
    return {"width": int(s.shape[1]), "height": int(s.shape[0]), "values": s.ravel().tolist()}
