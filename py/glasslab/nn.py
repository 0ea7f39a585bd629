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
    """Preallocated arrays for one batch width (see MLP.forward/backward)."""

    __slots__ = ("x", "acts", "masks", "grads_in", "out_grad")

    def __init__(self, sizes: list[int], width: int) -> None:
        self.x: np.ndarray | None = None  # the input of the last forward (a reference)
        # acts[l]: output of layer l, shape (sizes[l+1], width)
        self.acts = [np.empty((n, width)) for n in sizes[1:]]
        # masks[l]: where hidden layer l was active (ReLU > 0)
        self.masks = [np.empty((n, width), dtype=bool) for n in sizes[1:-1]]
        # grads_in[l]: dL/d(input of layer l), shape (sizes[l], width)
        self.grads_in = [np.empty((n, width)) for n in sizes[:-1]]
        self.out_grad = np.empty((sizes[-1], width))  # dL/dz of the output layer


class MLP:
    """A multilayer perceptron: dense layers with ReLU between them.

    ``sizes = [n_in, h_1, ..., h_k, n_out]`` builds ``k`` hidden ReLU layers
    (``k`` may be 0) and an output layer followed by ``output``: ``"tanh"`` or
    ``"identity"`` (raw scores, e.g. the logits of a classifier, whose sigmoid
    is taken inside the loss where it can be done stably).

    Weights are drawn from N(0, sd = 1/sqrt(fan_in)) with ``rng`` (a NumPy
    ``Generator``); biases start at zero.
    """

    def __init__(self, sizes: list[int], output: str, rng: np.random.Generator) -> None:
        if len(sizes) < 2 or any(int(n) < 1 for n in sizes):
            raise ValueError(f"an MLP needs at least an input and an output size >= 1, got {sizes}")
        if output not in _OUTPUTS:
            raise ValueError(f"output must be one of {_OUTPUTS}, got {output!r}")
        self.sizes = [int(n) for n in sizes]
        self.output = output
        shapes = [(n_out, n_in) for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:], strict=True)]
        total = sum(n_out * n_in + n_out for n_out, n_in in shapes)
        self.params = np.zeros(total)  # every weight and bias, in layer order
        self.grads = np.zeros(total)  # dL/dparams, same layout
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.weight_grads: list[np.ndarray] = []
        self.bias_grads: list[np.ndarray] = []
        start = 0
        for n_out, n_in in shapes:
            for store, grads, shape in (
                (self.weights, self.weight_grads, (n_out, n_in)),
                (self.biases, self.bias_grads, (n_out, 1)),
            ):
                stop = start + shape[0] * shape[1]
                store.append(self.params[start:stop].reshape(shape))
                grads.append(self.grads[start:stop].reshape(shape))
                start = stop
        for W in self.weights:
            W[...] = rng.normal(0.0, 1.0 / math.sqrt(W.shape[1]), size=W.shape)
        self._buffers: dict[tuple[str, int], _Buffers] = {}
        self._last: dict[str, _Buffers] = {}

    @property
    def num_layers(self) -> int:
        """Number of dense layers (hidden layers + the output layer)."""
        return len(self.weights)

    def _buffers_for(self, workspace: str, width: int) -> _Buffers:
        buffers = self._buffers.get((workspace, width))
        if buffers is None:
            buffers = self._buffers[(workspace, width)] = _Buffers(self.sizes, width)
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
        buf.x = x
        a = x
        last = self.num_layers - 1
        for layer, (W, b, z) in enumerate(zip(self.weights, self.biases, buf.acts, strict=True)):
            np.matmul(W, a, out=z)  # z = W a + b
            z += b
            if layer < last:
                np.maximum(z, 0.0, out=z)  # a = ReLU(z), in place
            a = z
        if self.output == "tanh":
            np.tanh(a, out=a)
        self._last[workspace] = buf
        return a

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
        y = buf.acts[-1]
        if self.output == "tanh":
            np.multiply(y, y, out=dz)  # dL/dz = dL/dy * (1 - y^2)
            np.subtract(1.0, dz, out=dz)
            dz *= grad_out
        else:
            dz = grad_out  # identity output: dL/dz = dL/dy
        for layer in range(self.num_layers - 1, -1, -1):
            a_prev = buf.acts[layer - 1] if layer > 0 else buf.x
            if param_grads:
                np.matmul(dz, a_prev.T, out=self.weight_grads[layer])  # dW = dZ A_prev^T
                dz.sum(axis=1, keepdims=True, out=self.bias_grads[layer])  # db = sum_batch dZ
            if layer == 0 and not input_grad:
                return None
            da_prev = buf.grads_in[layer]
            np.matmul(self.weights[layer].T, dz, out=da_prev)  # dA_prev = W^T dZ
            if layer > 0:
                mask = buf.masks[layer - 1]  # ReLU passes the gradient where it was active
                np.greater(a_prev, 0.0, out=mask)
                da_prev *= mask
            dz = da_prev
        return dz

    def predict(self, x: np.ndarray) -> np.ndarray:
        """A copy of the outputs for ``x`` (n_in, batch), computed in the ``"predict"`` workspace."""
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
    theta <- theta - lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)

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
