"""The layers of a sequential CNN: for each kind its shape rule, forward and backward pass.

Images are held channel-major, ``(C, H, W)`` contiguous float32, whatever the ONNX
layout; vectors are ``(N,)``. One module per layer family, each kind with its
``<kind>_forward(layer, x) -> y`` and ``<kind>_backward(layer, x, y, dy) -> dx`` next
to each other, the formulas in the module's docstring:

* :mod:`.conv` - ``conv`` (im2col and one matmul; backward col2im);
* :mod:`.activations` - ``relu``, ``leaky_relu``, ``sigmoid``, ``tanh``, ``softmax``,
  ``log_softmax``;
* :mod:`.pool` - ``maxpool``, ``avgpool``, ``global_avgpool``;
* :mod:`.dense` - ``flatten``, ``dense``, ``batchnorm``;
* :mod:`.base` - :class:`Layer`, the size rules and work buffers.

A backward pass takes the layer's input ``x``, its output ``y`` and ``dy = dL/dy`` and
returns ``dL/dx``; layers with parameters also leave ``layer.grads`` (``kernel``,
``bias``). :func:`forward` and :func:`backward` find the kind's function by name at
call time, on this package first and then on the family's module, so a function put in
place with ``setattr`` (on either) is the one that runs. The kernels are also reachable
as attributes of this package (``glasslab.cnn.layers.relu_forward``).
"""

from __future__ import annotations

from types import ModuleType

from glasslab.cnn.layers import activations, conv, dense, pool
from glasslab.cnn.layers.base import (
    IMAGE_KINDS,
    MAX_ACTIVATION_ELEMENTS,
    Layer,
    check_size,
    pooled_size,
    softmax,
)

__all__ = [
    "FAMILY",
    "IMAGE_KINDS",
    "KINDS",
    "Layer",
    "MAX_ACTIVATION_ELEMENTS",
    "backward",
    "check_size",
    "conv_work",
    "forward",
    "kernel",
    "pooled_size",
    "softmax",
]

# A convolution uses one im2col buffer of all kernel taps (one matmul) up to this
# many values, else one buffer per kernel row (one matmul per row).
FULL_IM2COL_MAX = 1 << 22

# The module that holds each kind's forward and backward functions (modules, not
# functions: the functions are looked up on them at every call).
FAMILY: dict[str, ModuleType] = {
    "conv": conv,
    "relu": activations,
    "leaky_relu": activations,
    "sigmoid": activations,
    "tanh": activations,
    "softmax": activations,
    "log_softmax": activations,
    "maxpool": pool,
    "avgpool": pool,
    "global_avgpool": pool,
    "flatten": dense,
    "dense": dense,
    "batchnorm": dense,
}
KINDS = tuple(FAMILY)


def kernel(kind: str, direction: str):
    """The function that runs now for ``kind`` and ``direction`` (``forward`` or
    ``backward``): this package's attribute ``<kind>_<direction>`` when one was set on
    it, else the family module's."""
    name = f"{kind}_{direction}"
    fn = globals().get(name)
    return fn if fn is not None else getattr(FAMILY[kind], name)


def forward(layer: Layer, x):
    """The layer's output for input ``x`` (channel-major image or vector)."""
    return kernel(layer.kind, "forward")(layer, x)


def backward(layer: Layer, x, y, dy):
    """``dL/dx`` of the layer from its input ``x``, output ``y`` and ``dy = dL/dy``."""
    return kernel(layer.kind, "backward")(layer, x, y, dy)


def __getattr__(name: str):
    """``glasslab.cnn.layers.<kind>_forward`` / ``_backward``: the family module's."""
    kind, _, direction = name.rpartition("_")
    if kind in FAMILY and direction in ("forward", "backward"):
        return getattr(FAMILY[kind], name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def conv_work(layer: Layer, label: str) -> dict:
    """The work buffers a convolution's forward pass needs (``elements``, counted in the
    model's memory limit) and whether it uses the full im2col buffer (``full``)."""
    h, w, c = layer.input_shape
    ho, wo, cout = layer.shape
    kh, kw = layer.kernel_size
    pads = layer.pads
    hp, wp = h + pads[0] + pads[2], w + pads[1] + pads[3]
    full = ho * wo * kh * kw * c <= FULL_IM2COL_MAX
    cols = ho * wo * kh * kw * c if full else ho * wo * kw * c
    padded = hp * wp * c if any(pads) else 0
    elements = check_size(f"the work buffer of {label}", (cols,)) + padded
    elements += 0 if full else ho * wo * cout
    return {"elements": elements, "full": full}
