"""The CNN explainer's engine: TinyVGG and other sequential CNNs from ONNX, in NumPy.

* reading ONNX (no ``onnx`` package): :mod:`~glasslab.cnn.protobuf` (the wire format),
  :mod:`~glasslab.cnn.onnx_graph` (the decoded model as dataclasses),
  :mod:`~glasslab.cnn.onnx_reader` (the messages);
* running it: :mod:`~glasslab.cnn.layers` (each layer kind's shape rule, forward and
  backward pass, one module per family), :mod:`~glasslab.cnn.onnx_ops` (one builder per
  operator), :mod:`~glasslab.cnn.from_onnx` (graph to layers),
  :mod:`~glasslab.cnn.model` (:class:`SequentialCNN`: load, forward, logits,
  probabilities, gradients);
* explaining it: :mod:`~glasslab.cnn.preprocess` (image to network input, as CNN
  Explainer does it), :mod:`~glasslab.cnn.explain` (the arithmetic behind each
  neuron), :mod:`~glasslab.cnn.detail` (what each detail view shows, one module per
  layer kind, plain data), :mod:`~glasslab.cnn.view` (the page's maths: colour ranges,
  column images, playground formula), :mod:`~glasslab.cnn.page_data` (what the page
  shows as plain data: columns, legend, summary, ``state()``),
  :mod:`~glasslab.cnn.columns` (the overview's columns, dense hidden layers included),
  :mod:`~glasslab.cnn.scores` (logits, softmax temperature),
  :mod:`~glasslab.cnn.saliency` (why this class: gradient and Grad-CAM maps),
  :mod:`~glasslab.cnn.kernels` (your own kernel), :mod:`~glasslab.cnn.compare` (NumPy
  against ONNX Runtime); :mod:`~glasslab.cnn.refusal` (a refused argument of a call);
* :mod:`~glasslab.cnn.cli` - ``python -m glasslab cnn``.

Only NumPy and the standard library are used, so this runs unchanged in Pyodide.
"""

from glasslab.cnn.model import Layer, SequentialCNN, load
from glasslab.cnn.preprocess import prepare

__all__ = ["Layer", "SequentialCNN", "load", "prepare", "predict_pixels"]


def predict_pixels(model: SequentialCNN, pixels, half_pixel_centers: bool = True):
    """Preprocess decoded ``uint8`` pixels for ``model`` and run it.

    Returns ``(image, activations, probabilities)``: the ``(H, W, C)`` float32 input,
    every layer's activation and the class probabilities.
    """
    h, w, c = model.input_shape
    image = prepare(pixels, (h, w), c, half_pixel_centers)
    acts = model.forward(image)
    return image, acts, model.probabilities(acts)
