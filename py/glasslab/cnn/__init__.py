"""The CNN explainer's engine: TinyVGG and other sequential CNNs from ONNX, in NumPy.

* :mod:`glasslab.cnn.onnx_reader` - ONNX protobuf reader (no ``onnx`` package);
* :mod:`glasslab.cnn.model` - :class:`SequentialCNN`, the float32 forward pass;
* :mod:`glasslab.cnn.preprocess` - image to network input, as CNN Explainer does it;
* :mod:`glasslab.cnn.explain` - the arithmetic behind each neuron.

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
