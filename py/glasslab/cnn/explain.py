"""The arithmetic behind each neuron, recomputed from the same arrays as the forward pass.

Array functions (usable on hand-made arrays):

* :func:`conv_maps` - one conv output channel: the correlation map of every input
  channel with its kernel slice (no bias), the bias and their sum;
* :func:`conv_cell` - one conv output cell ``(r, c)``: per input channel the
  ``KH x KW`` input window, the kernel, their elementwise products and sums;
  ``sum + bias = value``;
* :func:`relu_cell`, :func:`maxpool_cell` - the input value/window and result;
* :func:`dense_unit` - one dense output: inputs, weights, products, sum, bias;
* :func:`softmax_terms`, :func:`output_layer` - logits (``flatten @ W + b``), the
  exponentials and the softmax normalisation.

Layouts: images ``(H, W, C)``; one output channel's kernel ``(KH, KW, C_in)``;
windows, kernels and products are returned per input channel, ``(C_in, KH, KW)``;
maps ``(C_in, H_out, W_out)``. ``pads`` are (top, left, bottom, right); padded
positions read 0 for convolutions and ``-inf`` for max-pooling. All results are
plain dicts of NumPy arrays and Python floats. Products are float32 like the
network; sums are accumulated in float64.

Model functions (:func:`explain_conv`, :func:`explain_conv_cell`,
:func:`explain_relu_cell`, :func:`explain_maxpool_cell`, :func:`explain_output`)
take a :class:`~glasslab.cnn.model.SequentialCNN`, the input image and the dict
returned by its ``forward``, find the layer's input and parameters and call the
array functions.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "conv_maps",
    "conv_cell",
    "relu_cell",
    "maxpool_cell",
    "dense_unit",
    "softmax_terms",
    "output_layer",
    "layer_input",
    "explain_conv",
    "explain_conv_cell",
    "explain_relu_cell",
    "explain_maxpool_cell",
    "explain_output",
]


def _image(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 3:
        raise ValueError(f"expected an (H, W, C) array, got shape {x.shape}")
    return x


def _padded(x: np.ndarray, pads, fill: float) -> np.ndarray:
    pt, pl, pb, pr = (int(p) for p in pads)
    if not (pt or pl or pb or pr):
        return x
    return np.pad(x, ((pt, pb), (pl, pr), (0, 0)), constant_values=fill)


def _out_size(n: int, k: int, s: int) -> int:
    if n < k:
        raise ValueError(f"window {k} is larger than the (padded) input {n}")
    return (n - k) // s + 1


def _cell(r: int, c: int, ho: int, wo: int) -> None:
    if not (0 <= r < ho and 0 <= c < wo):
        raise IndexError(f"cell ({r}, {c}) is outside the {ho}x{wo} output")


def conv_maps(x, kernel, bias: float = 0.0, strides=(1, 1), pads=(0, 0, 0, 0)) -> dict:
    """One output channel of a convolution, split by input channel.

    ``x`` ``(H, W, C_in)``, ``kernel`` ``(KH, KW, C_in)``. Returns ``maps``
    ``(C_in, H_out, W_out)`` (each input channel correlated with its kernel slice,
    no bias), ``bias``, ``sum`` (the maps added up) and ``output`` (``sum + bias``),
    both ``(H_out, W_out)``.
    """
    x = _padded(_image(x), pads, 0.0)
    k = np.asarray(kernel, dtype=np.float32)
    kh, kw, cin = k.shape
    if x.shape[2] != cin:
        raise ValueError(f"kernel has {cin} input channels, the input has {x.shape[2]}")
    sh, sw = (int(s) for s in strides)
    ho, wo = _out_size(x.shape[0], kh, sh), _out_size(x.shape[1], kw, sw)
    maps = np.zeros((ho, wo, cin), np.float64)
    for i in range(kh):
        for j in range(kw):
            win = x[i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw]
            maps += win * k[i, j]
    maps = maps.transpose(2, 0, 1)
    total = maps.sum(axis=0)
    return {
        "maps": maps.astype(np.float32),
        "bias": float(bias),
        "sum": total.astype(np.float32),
        "output": (total + float(bias)).astype(np.float32),
    }


def conv_cell(x, kernel, bias: float, r: int, c: int, strides=(1, 1), pads=(0, 0, 0, 0)) -> dict:
    """The multiply-adds behind output cell ``(r, c)`` of one conv output channel.

    Returns ``window``, ``kernel`` and ``products`` (``window * kernel``), each
    ``(C_in, KH, KW)``; ``channel_sums`` ``(C_in,)``; ``sum``; ``bias``; ``value``
    (``sum + bias``, the activation) and ``origin`` (top-left input row/column of the
    window; negative inside the padding).
    """
    x = _padded(_image(x), pads, 0.0)
    k = np.asarray(kernel, dtype=np.float32)
    kh, kw, cin = k.shape
    sh, sw = (int(s) for s in strides)
    ho, wo = _out_size(x.shape[0], kh, sh), _out_size(x.shape[1], kw, sw)
    _cell(r, c, ho, wo)
    window = x[r * sh : r * sh + kh, c * sw : c * sw + kw].transpose(2, 0, 1)
    kern = k.transpose(2, 0, 1)
    products = window * kern
    sums = products.astype(np.float64).sum(axis=(1, 2))
    total = float(sums.sum())
    return {
        "window": np.ascontiguousarray(window),
        "kernel": np.ascontiguousarray(kern),
        "products": products,
        "channel_sums": sums,
        "sum": total,
        "bias": float(bias),
        "value": total + float(bias),
        "origin": (r * sh - int(pads[0]), c * sw - int(pads[1])),
    }


def relu_cell(x, r: int, c: int, channel: int) -> dict:
    """``input`` and ``output = max(input, 0)`` at ``(r, c, channel)`` of an (H, W, C) array."""
    x = _image(x)
    value = float(x[r, c, channel])
    return {"input": value, "output": max(value, 0.0)}


def maxpool_cell(
    x, r: int, c: int, channel: int, kernel_size=(2, 2), strides=(2, 2), pads=(0, 0, 0, 0)
) -> dict:
    """The pooling window of output ``(r, c)`` in ``channel``, its maximum and where it is.

    Returns ``window`` ``(KH, KW)``, ``value``, ``argmax`` (row, column inside the
    window) and ``origin`` (input row/column of the window's top-left corner).
    """
    x = _padded(_image(x), pads, -np.inf)
    kh, kw = (int(k) for k in kernel_size)
    sh, sw = (int(s) for s in strides)
    ho, wo = _out_size(x.shape[0], kh, sh), _out_size(x.shape[1], kw, sw)
    _cell(r, c, ho, wo)
    window = np.ascontiguousarray(x[r * sh : r * sh + kh, c * sw : c * sw + kw, channel])
    flat = int(np.argmax(window))
    return {
        "window": window,
        "value": float(window.max()),
        "argmax": (flat // kw, flat % kw),
        "origin": (r * sh - int(pads[0]), c * sw - int(pads[1])),
    }


def dense_unit(v, weight, bias, unit: int) -> dict:
    """Output ``unit`` of a dense layer ``v @ weight + bias`` (weight ``(K, N)``)."""
    v = np.asarray(v, dtype=np.float32).reshape(-1)
    w = np.asarray(weight, dtype=np.float32)[:, unit]
    products = v * w
    total = float(products.astype(np.float64).sum())
    b = float(np.asarray(bias).reshape(-1)[unit])
    return {
        "inputs": v,
        "weights": w,
        "products": products,
        "sum": total,
        "bias": b,
        "value": total + b,
    }


def softmax_terms(logits) -> dict:
    """Softmax step by step: ``exp`` are ``e^(logit - max)``, ``sum`` their total and
    ``probabilities = exp / sum``; subtracting ``max`` leaves the result unchanged and
    keeps ``exp`` finite (``e^logit = exp * e^max``)."""
    z = np.asarray(logits, dtype=np.float64).reshape(-1)
    m = float(z.max())
    e = np.exp(z - m)
    s = float(e.sum())
    return {"logits": z, "max": m, "exp": e, "sum": s, "probabilities": e / s}


def output_layer(v, weight, bias) -> dict:
    """Logits recomputed as ``v @ weight + bias`` (float64) and their softmax terms."""
    v = np.asarray(v, dtype=np.float64).reshape(-1)
    logits = v @ np.asarray(weight, dtype=np.float64) + np.asarray(bias, np.float64).reshape(-1)
    return softmax_terms(logits)


# -- on a model --------------------------------------------------------------------


def layer_input(model, image, acts: dict, name: str) -> np.ndarray:
    """The array that layer ``name`` reads: the previous layer's activation or the image."""
    layer = model.layer(name)
    index = model.layer_names.index(layer.name)
    if index == 0:
        return np.asarray(image, dtype=np.float32)
    return acts[model.layers[index - 1].name]


def _layer(model, name: str, kind: str):
    layer = model.layer(name)
    if layer.kind != kind:
        raise ValueError(f"layer {name!r} is a {layer.kind} layer, not {kind}")
    return layer


def explain_conv(model, image, acts: dict, name: str, channel: int) -> dict:
    """:func:`conv_maps` for output ``channel`` of conv layer ``name``, plus its
    ``input`` ``(H, W, C_in)`` and ``kernel`` ``(KH, KW, C_in)``."""
    layer = _layer(model, name, "conv")
    x = layer_input(model, image, acts, name)
    kernel = layer.kernel[:, :, :, channel]
    result = conv_maps(x, kernel, float(layer.bias[channel]), layer.strides, layer.pads)
    result["input"] = np.asarray(x)
    result["kernel"] = kernel
    return result


def explain_conv_cell(model, image, acts: dict, name: str, channel: int, r: int, c: int) -> dict:
    layer = _layer(model, name, "conv")
    x = layer_input(model, image, acts, name)
    return conv_cell(
        x,
        layer.kernel[:, :, :, channel],
        float(layer.bias[channel]),
        r,
        c,
        layer.strides,
        layer.pads,
    )


def explain_relu_cell(model, image, acts: dict, name: str, channel: int, r: int, c: int) -> dict:
    _layer(model, name, "relu")
    x = layer_input(model, image, acts, name)
    if np.ndim(x) == 1:  # a ReLU on a vector: r is the index, c and channel must be 0
        value = float(x[r])
        return {"input": value, "output": max(value, 0.0)}
    return relu_cell(x, r, c, channel)


def explain_maxpool_cell(model, image, acts: dict, name: str, channel: int, r: int, c: int) -> dict:
    layer = _layer(model, name, "maxpool")
    x = layer_input(model, image, acts, name)
    return maxpool_cell(x, r, c, channel, layer.kernel_size, layer.strides, layer.pads)


def explain_output(model, image, acts: dict, name: str | None = None) -> dict:
    """The output layer: ``inputs`` (the flattened vector), the logits recomputed from
    ``inputs @ W + b``, the exponentials and the softmax; also ``weight`` and ``bias``."""
    layer = model.layers[-1] if name is None else model.layer(name)
    if layer.kind in ("softmax", "log_softmax"):  # explain the dense layer before it
        index = model.layer_names.index(layer.name)
        if index == 0 or model.layers[index - 1].kind != "dense":
            x = layer_input(model, image, acts, layer.name)
            result = softmax_terms(x)
            result["inputs"] = np.asarray(x)
            return result
        layer = model.layers[index - 1]
    if layer.kind != "dense":
        raise ValueError(f"layer {layer.name!r} is a {layer.kind} layer, not dense")
    v = layer_input(model, image, acts, layer.name)
    result = output_layer(v, layer.kernel, layer.bias)
    result["inputs"] = np.asarray(v)
    result["weight"] = layer.kernel
    result["bias"] = layer.bias
    return result
