"""A small neural-network toolkit in plain NumPy: dense layers, activations, SGD and Adam.

Everything is written the way a textbook writes it, with one convention worth
knowing up front: **a batch is a matrix whose columns are the samples**. A layer
with ``fan_in`` inputs and ``fan_out`` outputs holds a weight matrix ``W`` of
shape ``(fan_out, fan_in)`` and a bias column ``b`` of shape ``(fan_out, 1)``
and computes, for a batch ``A`` of shape ``(fan_in, batch)``::

    Z = W @ A + b            (forward)
    dW = dZ @ A.T            (backward: gradient of the loss w.r.t. W)
    db = dZ.sum(axis=1)      (... w.r.t. b)
    dA = W.T @ dZ            (... w.r.t. the layer's input, passed further back)

So a sample ``x`` is a column vector and ``W @ x + b`` reads exactly like the
formula ``Wx + b``.

Two implementation details keep the code fast in the browser, where every
NumPy call costs a few microseconds and there is no BLAS:

* all parameters of a network live in **one flat vector** ``params`` (and the
  gradients in one flat vector ``grads``); ``weights[l]`` and ``biases[l]`` are
  views into it, so an optimiser updates a whole network with a handful of
  NumPy calls;
* ``forward`` and ``backward`` write into buffers allocated once per batch
  width, so training allocates (almost) nothing. The arrays they return are
  those buffers: they stay valid until the next ``forward`` of the same width.

Only NumPy and the standard library are imported, so this runs unchanged on
Pyodide.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "relu",
    "relu_backward",
    "tanh",
    "tanh_backward",
    "sigmoid",
    "softplus",
    "log_sigmoid",
    "make_optimizer",
    "OPTIMIZERS",
]

# ---------------------------------------------------------------- activations


def relu(z: np.ndarray) -> np.ndarray:
    """ReLU(z) = max(z, 0)."""
    return np.maximum(z, 0.0)


def relu_backward(grad_out: np.ndarray, out: np.ndarray) -> np.ndarray:
    """dL/dz for a = ReLU(z), given dL/da and a: the gradient passes where a > 0."""
    return grad_out * (out > 0)


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z), with values in (-1, 1)."""
    return np.tanh(z)


def tanh_backward(grad_out: np.ndarray, out: np.ndarray) -> np.ndarray:
    """dL/dz for a = tanh(z), given dL/da and a: tanh'(z) = 1 - a^2."""
    return grad_out * (1.0 - out * out)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^-z), computed as (1 + tanh(z/2)) / 2, which never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def softplus(z: np.ndarray) -> np.ndarray:
    """softplus(z) = log(1 + e^z), computed stably as logaddexp(0, z)."""
    return np.logaddexp(0.0, z)


def log_sigmoid(z: np.ndarray) -> np.ndarray:
    """log sigma(z) = -softplus(-z): finite for every finite z (no log(0))."""
    return -np.logaddexp(0.0, -z)


# ---------------------------------------------------------------- network

_OUTPUTS = ("identity", "tanh")


class _Buffers:
    """Preallocated arrays for one batch width, and the per-layer views that use them.

    ``inputs[l]`` is the input of layer l with its extra row of ones, shape
    (fan_in + 1, width): ``inputs[0]`` receives the network input, ``inputs[l]``
    for l >= 1 the ReLU output of layer l - 1. ``out`` is the network output.
    """

    __slots__ = ("x", "out", "forward_layers", "backward_layers", "out_grad")

    def __init__(self, net: MLP, width: int) -> None:
        inputs = []
        for n in net.sizes[:-1]:
            a = np.empty((n + 1, width))
            a[n] = 1.0  # the row of ones that multiplies the bias column
            inputs.append(a)
        self.out = np.empty((net.sizes[-1], width))
        self.x = inputs[0][:-1]  # where forward() copies the network input
        # layer l: z = Wb @ [a; 1], written straight into the next layer's input
        targets = [a[:-1] for a in inputs[1:]] + [self.out]
        hidden = [True] * (net.num_layers - 1) + [False]
        self.forward_layers = list(zip(net.layers, inputs, targets, hidden, strict=True))
        # backward, output layer first: (dWb, W^T, [a; 1]^T, a, ReLU mask of a, dL/da)
        self.backward_layers = [
            (
                net.layer_grads[k],
                net.weights[k].T,
                inputs[k].T,
                inputs[k][:-1],
                np.empty((net.sizes[k], width), dtype=bool) if k > 0 else None,
                np.empty((net.sizes[k], width)),
            )
            for k in range(net.num_layers - 1, -1, -1)
        ]
        self.out_grad = np.empty((net.sizes[-1], width))  # dL/dz of the output layer


class MLP:
    """A multilayer perceptron: dense layers with ReLU between them.

    ``sizes = [n_in, h_1, ..., h_k, n_out]`` builds ``k`` hidden ReLU layers
    (``k`` may be 0) and an output layer followed by ``output``: ``"tanh"`` or
    ``"identity"`` (raw scores, e.g. the logits of a classifier, whose sigmoid
    is taken inside the loss where it can be done stably).

    Weights are drawn from N(0, sd = 1/sqrt(fan_in)) with ``rng`` (a NumPy
    ``Generator``); biases start at zero.

    Storage. Each layer keeps its weights and bias side by side in one matrix
    ``Wb = [W | b]`` of shape (fan_out, fan_in + 1), and the input of every
    layer carries an extra last row of ones, so that one matrix product does
    both (the "bias trick")::

        Wb @ [a; 1] = W @ a + b
        dWb = dZ @ [a; 1].T = [dZ @ a.T | dZ summed over the batch] = [dW | db]

    ``layers[l]`` is Wb, ``weights[l]`` (W) and ``biases[l]`` (b, a column)
    are views into it, and all of them are views into the flat vector
    ``params``; the gradients mirror this in ``grads`` (``layer_grads``,
    ``weight_grads``, ``bias_grads``). Change parameters in place
    (``net.params[...] = ...``), never by rebinding these arrays.
    """

    def __init__(self, sizes: list[int], output: str, rng: np.random.Generator) -> None:
        if len(sizes) < 2 or any(int(n) < 1 for n in sizes):
            raise ValueError(f"an MLP needs at least an input and an output size >= 1, got {sizes}")
        if output not in _OUTPUTS:
            raise ValueError(f"output must be one of {_OUTPUTS}, got {output!r}")
        self.sizes = [int(n) for n in sizes]
        self.output = output
        pairs = zip(self.sizes[:-1], self.sizes[1:], strict=True)
        shapes = [(n_out, n_in + 1) for n_in, n_out in pairs]
        total = sum(rows * cols for rows, cols in shapes)
        self.params = np.zeros(total)  # every weight and bias, layer by layer
        self.grads = np.zeros(total)  # dL/dparams, same layout
        self.layers: list[np.ndarray] = []
        self.layer_grads: list[np.ndarray] = []
        start = 0
        for rows, cols in shapes:
            stop = start + rows * cols
            self.layers.append(self.params[start:stop].reshape(rows, cols))
            self.layer_grads.append(self.grads[start:stop].reshape(rows, cols))
            start = stop
        self.weights = [Wb[:, :-1] for Wb in self.layers]
        self.biases = [Wb[:, -1:] for Wb in self.layers]
        self.weight_grads = [dWb[:, :-1] for dWb in self.layer_grads]
        self.bias_grads = [dWb[:, -1:] for dWb in self.layer_grads]
        for W in self.weights:
            W[...] = rng.normal(0.0, 1.0 / math.sqrt(W.shape[1]), size=W.shape)
        self._buffers: dict[tuple[str, int], _Buffers] = {}
        self._last: dict[str, _Buffers] = {}

    @property
    def num_layers(self) -> int:
        """Number of dense layers (hidden layers + the output layer)."""
        return len(self.layers)

    def _buffers_for(self, workspace: str, width: int) -> _Buffers:
        buffers = self._buffers.get((workspace, width))
        if buffers is None:
            buffers = self._buffers[(workspace, width)] = _Buffers(self, width)
        return buffers

    def forward(self, x: np.ndarray, workspace: str = "train") -> np.ndarray:
        """Outputs for a batch ``x`` of shape (n_in, batch); returns shape (n_out, batch).

        Hidden layers: a = ReLU(W @ a_prev + b). Output layer: y = f(W @ a_prev + b)
        with f = tanh or identity. The returned array is an internal buffer of
        ``workspace`` (a name for a set of buffers: code that only looks at the
        network uses its own workspace so it never disturbs a training step that
        is halfway between its forward and backward pass).
        """
        buf = self._buffers_for(workspace, x.shape[1])
        np.copyto(buf.x, x)  # the first layer's input, above its row of ones
        for Wb, a, z, hidden in buf.forward_layers:
            np.matmul(Wb, a, out=z)  # z = W a + b
            if hidden:
                np.maximum(z, 0.0, out=z)  # ReLU, in place: z is the next layer's input
        if self.output == "tanh":
            np.tanh(buf.out, out=buf.out)
        self._last[workspace] = buf
        return buf.out

    def backward(
        self,
        grad_out: np.ndarray,
        *,
        param_grads: bool = True,
        input_grad: bool = True,
        workspace: str = "train",
    ) -> np.ndarray | None:
        """Backpropagate dL/d(output) through the last ``forward`` of ``workspace``.

        Fills ``self.grads`` (dL/dW and dL/db of every layer) unless
        ``param_grads`` is False, and returns dL/dx of shape (n_in, batch)
        unless ``input_grad`` is False (then returns None).
        """
        buf = self._last.get(workspace)
        if buf is None:
            raise RuntimeError("backward() needs a forward() first")
        dz = buf.out_grad
        if self.output == "tanh":
            y = buf.out
            np.multiply(y, y, out=dz)  # dL/dz = dL/dy * (1 - y^2)
            np.subtract(1.0, dz, out=dz)
            dz *= grad_out
        else:
            dz = grad_out  # identity output: dL/dz = dL/dy
        for dWb, W_T, a1_T, a, mask, da in buf.backward_layers:
            if param_grads:
                np.matmul(dz, a1_T, out=dWb)  # [dW | db] = dZ [A; 1]^T
            if mask is None and not input_grad:
                return None
            np.matmul(W_T, dz, out=da)  # dA = W^T dZ
            if mask is not None:  # A = ReLU(Z): the gradient passes where A > 0
                np.greater(a, 0.0, out=mask)
                da *= mask
            dz = da
        return dz

    def predict(self, x: np.ndarray) -> np.ndarray:
        """A copy of the outputs for ``x`` (n_in, batch), using the ``"predict"`` workspace."""
        return self.forward(x, workspace="predict").copy()


# ---------------------------------------------------------------- optimisers


class SGD:
    """Stochastic gradient descent: theta <- theta - lr * grad."""

    name = "sgd"

    def __init__(self, lr: float, size: int) -> None:
        self.lr = float(lr)
        self.size = int(size)

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Update ``params`` in place from ``grads``."""
        params -= self.lr * grads

    def get_state(self) -> dict:
        """A copy of the optimiser's internal state (SGD has none besides lr)."""
        return {}

    def set_state(self, state: dict) -> None:
        """Restore a state returned by :meth:`get_state`."""


class Adam:
    """Adam (Kingma & Ba 2015) with bias-corrected moment estimates.

    m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
    m_hat = m / (1 - b1^t);  v_hat = v / (1 - b2^t)
    theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)

    ``lr`` may be changed between steps; the moments m, v and step count t are kept.
    """

    name = "adam"

    def __init__(
        self,
        lr: float,
        size: int,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        self.lr = float(lr)
        self.size = int(size)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = np.zeros(size)
        self.v = np.zeros(size)
        self.t = 0

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Update ``params`` in place from ``grads``."""
        b1, b2 = self.beta1, self.beta2
        self.t += 1
        self.m *= b1
        self.m += (1.0 - b1) * grads
        self.v *= b2
        self.v += (1.0 - b2) * grads * grads
        m_hat = self.m / (1.0 - b1**self.t)
        v_hat = self.v / (1.0 - b2**self.t)
        params -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def get_state(self) -> dict:
        """A copy of the moments and step count."""
        return {"m": self.m.copy(), "v": self.v.copy(), "t": self.t}

    def set_state(self, state: dict) -> None:
        """Restore a state returned by :meth:`get_state`."""
        self.m[...] = state["m"]
        self.v[...] = state["v"]
        self.t = state["t"]


OPTIMIZERS = {"sgd": SGD, "adam": Adam}


def make_optimizer(name: str, lr: float, size: int) -> SGD | Adam:
    """``"sgd"`` or ``"adam"`` for a parameter vector of ``size`` numbers."""
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}") from None
    return cls(lr, size)
