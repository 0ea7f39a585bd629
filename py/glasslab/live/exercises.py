"""Exercises that check themselves: write one small function, compare it with the reference.

Each :class:`Exercise` has an ``id`` (the ``?exercise=ID`` of its page: lowercase
letters, digits and underscores, as catalogue keys allow), the ``page`` it belongs to,
the name and starter code of the function the student completes (a gap marked
``...``), and a reference implementation. Its text (title, task, hint) lives in
the page catalogues under ``live.ex.<id>.title`` / ``.task`` / ``.hint``.

:func:`check` compiles the student's code (:mod:`glasslab.live.code`: one ``def`` with
the starter's parameters), runs it under the time guard and the reference on the same
fresh random inputs, ``TRIALS`` times, and compares every returned value within a
tolerance. It returns plain data: ``{"passed": True}`` or the first problem:
``{"passed": False, "reason", "trial", "index", "got", "expected", "line", "detail"}``
with ``reason`` one of ``"code"`` (refused, raised or stopped by the guard), ``"type"``
(not numbers), ``"shape"``, ``"value"``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from glasslab.live.code import CodeError, compile_function, edited_filename, error_line
from glasslab.live.guard import CodeTimeout, Guard

TRIALS = 5
RTOL = 1e-6
ATOL = 1e-8


@dataclass(frozen=True)
class Exercise:
    id: str
    page: str  # "gan" or "cnn"
    function: str
    starter: str
    solution: str  # a reference solution in the same form (tests check it passes)
    reference: Callable
    inputs: Callable[[np.random.Generator], tuple]


def _softplus(z):
    return np.logaddexp(0.0, z)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# ------------------------------------------------------------------ GAN page


def _ref_d_loss(real_logits, fake_logits):
    return np.mean(_softplus(-real_logits)) + np.mean(_softplus(fake_logits))


def _ref_d_grad(real_logits, fake_logits):
    grad_real = (_sigmoid(real_logits) - 1.0) / real_logits.size
    return grad_real, _sigmoid(fake_logits) / fake_logits.size


def _ref_g_loss(fake_logits):
    return np.mean(_softplus(-fake_logits))


def _ref_adam(params, grads, m, v, t, lr):
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    m = beta1 * m + (1 - beta1) * grads
    v = beta2 * v + (1 - beta2) * grads**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return params - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _logits(rng):
    return rng.normal(0.0, 2.0, int(rng.integers(3, 12)))


def _adam_inputs(rng):
    n = int(rng.integers(3, 10))
    return (
        rng.normal(size=n),
        rng.normal(size=n),
        rng.normal(0, 0.1, n),
        rng.uniform(0, 0.1, n),
        int(rng.integers(1, 50)),
        float(rng.choice([0.001, 0.01, 0.1])),
    )


# ------------------------------------------------------------------ CNN page


def _ref_relu(x):
    return np.maximum(x, 0.0)


def _ref_maxpool(x):
    h, w = x.shape[0] // 2, x.shape[1] // 2
    return x[: 2 * h, : 2 * w].reshape(h, 2, w, 2).max(axis=(1, 3))


def _ref_conv(image, kernel, bias):
    k = kernel.shape[0]
    h, w = image.shape[0] - k + 1, image.shape[1] - k + 1
    out = np.empty((h, w))
    for i in range(h):
        for j in range(w):
            out[i, j] = np.sum(image[i : i + k, j : j + k] * kernel) + bias
    return out


def _ref_softmax(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


EXERCISES: dict[str, Exercise] = {}


def _add(exercise: Exercise) -> None:
    EXERCISES[exercise.id] = exercise


_add(
    Exercise(
        id="d_log_loss",
        page="gan",
        function="discriminator_loss",
        starter='''def discriminator_loss(real_logits, fake_logits):
    """L_D = -[mean log D(x) + mean log(1 - D(G(z)))], with D = sigmoid(logit).

    Hint: log sigmoid(s) = -softplus(-s) and softplus(s) = np.logaddexp(0, s).
    """
    loss_real = ...  # -mean log D(x)
    loss_fake = ...  # -mean log(1 - D(G(z)))
    return loss_real + loss_fake
''',
        solution="""def discriminator_loss(real_logits, fake_logits):
    loss_real = np.mean(np.logaddexp(0, -real_logits))
    loss_fake = np.mean(np.logaddexp(0, fake_logits))
    return loss_real + loss_fake
""",
        reference=_ref_d_loss,
        inputs=lambda rng: (_logits(rng), _logits(rng)),
    )
)
_add(
    Exercise(
        id="d_log_gradient",
        page="gan",
        function="discriminator_gradient",
        starter='''def discriminator_gradient(real_logits, fake_logits):
    """The gradient of L_D (the log loss above) with respect to each logit.

    For one sample with label t (1 real, 0 fake) the loss is softplus(s) - t s,
    whose derivative is sigmoid(s) - t; L_D takes the mean over each batch.
    Return (gradient for the real logits, gradient for the fake logits).
    """
    d_real = 1 / (1 + np.exp(-real_logits))
    d_fake = 1 / (1 + np.exp(-fake_logits))
    grad_real = ...
    grad_fake = ...
    return grad_real, grad_fake
''',
        solution="""def discriminator_gradient(real_logits, fake_logits):
    d_real = 1 / (1 + np.exp(-real_logits))
    d_fake = 1 / (1 + np.exp(-fake_logits))
    return (d_real - 1) / real_logits.size, d_fake / fake_logits.size
""",
        reference=_ref_d_grad,
        inputs=lambda rng: (_logits(rng), _logits(rng)),
    )
)
_add(
    Exercise(
        id="g_non_saturating",
        page="gan",
        function="generator_loss",
        starter='''def generator_loss(fake_logits):
    """The non-saturating generator loss: L_G = -mean log D(G(z)), D = sigmoid(logit).

    (The saturating loss, mean log(1 - D(G(z))), has almost no gradient while D
    rejects the fakes easily, which is why GANs train with this one.)
    """
    return ...
''',
        solution="""def generator_loss(fake_logits):
    return np.mean(np.logaddexp(0, -fake_logits))
""",
        reference=_ref_g_loss,
        inputs=lambda rng: (_logits(rng),),
    )
)
_add(
    Exercise(
        id="adam_step",
        page="gan",
        function="adam_step",
        starter='''def adam_step(params, grads, m, v, t, lr):
    """One Adam update (beta1 = 0.9, beta2 = 0.999, eps = 1e-8) at step t (from 1).

    m and v are the running means of the gradient and of its square; return the
    new (params, m, v).
    """
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    m = beta1 * m + (1 - beta1) * grads
    v = ...
    m_hat = m / (1 - beta1**t)
    v_hat = ...
    params = params - lr * m_hat / (np.sqrt(v_hat) + eps)
    return params, m, v
''',
        solution="""def adam_step(params, grads, m, v, t, lr):
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    m = beta1 * m + (1 - beta1) * grads
    v = beta2 * v + (1 - beta2) * grads**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    params = params - lr * m_hat / (np.sqrt(v_hat) + eps)
    return params, m, v
""",
        reference=_ref_adam,
        inputs=_adam_inputs,
    )
)
_add(
    Exercise(
        id="relu",
        page="cnn",
        function="relu",
        starter='''def relu(x):
    """ReLU, element by element: max(0, x)."""
    return ...
''',
        solution="""def relu(x):
    return np.maximum(x, 0)
""",
        reference=_ref_relu,
        inputs=lambda rng: (rng.normal(size=(int(rng.integers(2, 7)), int(rng.integers(2, 7)))),),
    )
)
_add(
    Exercise(
        id="max_pool",
        page="cnn",
        function="max_pool_2x2",
        starter='''def max_pool_2x2(x):
    """2x2 max pooling with stride 2 of a 2-D map x (an odd last row or column is dropped)."""
    h, w = x.shape[0] // 2, x.shape[1] // 2
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            out[i, j] = ...
    return out
''',
        solution="""def max_pool_2x2(x):
    h, w = x.shape[0] // 2, x.shape[1] // 2
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            out[i, j] = x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2].max()
    return out
""",
        reference=_ref_maxpool,
        inputs=lambda rng: (rng.normal(size=(int(rng.integers(2, 9)), int(rng.integers(2, 9)))),),
    )
)
_add(
    Exercise(
        id="conv3x3",
        page="cnn",
        function="convolve",
        starter='''def convolve(image, kernel, bias):
    """One output channel of a convolution: stride 1, no padding, a k x k kernel.

    out[i, j] = sum over (a, b) of image[i + a, j + b] * kernel[a, b], plus bias.
    """
    k = kernel.shape[0]
    h, w = image.shape[0] - k + 1, image.shape[1] - k + 1
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            out[i, j] = ...
    return out
''',
        solution="""def convolve(image, kernel, bias):
    k = kernel.shape[0]
    h, w = image.shape[0] - k + 1, image.shape[1] - k + 1
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            out[i, j] = np.sum(image[i : i + k, j : j + k] * kernel) + bias
    return out
""",
        reference=_ref_conv,
        inputs=lambda rng: (
            rng.uniform(0, 1, (int(rng.integers(5, 10)), int(rng.integers(5, 10)))),
            rng.normal(size=(3, 3)),
            float(rng.normal()),
        ),
    )
)
_add(
    Exercise(
        id="softmax_temperature",
        page="cnn",
        function="softmax",
        starter='''def softmax(logits, temperature):
    """softmax(z / T): exp(z_i / T) / sum_j exp(z_j / T).

    Subtract the largest z / T before exp so that it never overflows.
    """
    z = logits / temperature
    e = ...
    return e / e.sum()
''',
        solution="""def softmax(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max())
    return e / e.sum()
""",
        reference=_ref_softmax,
        inputs=lambda rng: (
            rng.normal(0, 5, int(rng.integers(2, 11))),
            float(rng.choice([0.1, 0.5, 1.0, 2.0, 10.0])),
        ),
    )
)


def for_page(page: str) -> list[str]:
    """The ids of a page's exercises, in order."""
    return [e.id for e in EXERCISES.values() if e.page == page]


def get(exercise_id) -> Exercise:
    try:
        return EXERCISES[exercise_id]
    except (KeyError, TypeError):
        raise KeyError(f"unknown exercise {exercise_id!r}") from None


def _values(result) -> list[np.ndarray]:
    items = result if isinstance(result, tuple) else (result,)
    return [np.asarray(item, dtype=np.float64) for item in items]


def _first_difference(got: np.ndarray, expected: np.ndarray) -> int | None:
    close = np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    if close.all():
        return None
    return int(np.flatnonzero(~close.reshape(-1))[0])


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _plain(x):
    return float(x) if np.isfinite(x) else str(float(x))


def check(exercise_id: str, source: str, seed: int | None = None, seconds: float = 2.0) -> dict:
    """Run the student's ``source`` against the reference on ``TRIALS`` random inputs."""
    exercise = get(exercise_id)
    namespace = {"np": np}
    try:
        fn = compile_function(
            source, exercise.function, namespace, filename=edited_filename(exercise.function)
        )
    except CodeError as exc:
        return {"passed": False, "reason": "code", "detail": exc.message, "line": exc.line}
    starter = compile_function(exercise.starter, exercise.function, namespace)
    wanted = list(inspect.signature(starter).parameters)
    if list(inspect.signature(fn).parameters) != wanted:
        wanted = ", ".join(wanted)
        return {
            "passed": False,
            "reason": "code",
            "detail": f"{exercise.function} must take the parameters ({wanted})",
            "line": 1,
        }
    rng = np.random.default_rng(seed)
    filename = edited_filename(exercise.function)
    for trial in range(1, TRIALS + 1):
        args = exercise.inputs(rng)
        expected = _values(exercise.reference(*[np.copy(a) for a in args]))
        try:
            with Guard({filename}, seconds):
                got_raw = fn(*[np.copy(a) for a in args])
        except CodeTimeout as exc:
            return {"passed": False, "reason": "code", "detail": str(exc), "line": exc.line}
        except Exception as exc:
            return {
                "passed": False,
                "reason": "code",
                "detail": f"{type(exc).__name__}: {exc}",
                "line": error_line(exc, filename),
            }
        try:
            got = _values(got_raw)
        except (TypeError, ValueError):
            return {
                "passed": False,
                "reason": "type",
                "trial": trial,
                "detail": f"returned {_short(got_raw)}, not numbers",
            }
        if len(got) != len(expected):
            return {
                "passed": False,
                "reason": "shape",
                "trial": trial,
                "detail": f"returned {len(got)} value(s), expected {len(expected)}",
            }
        for index, (g, e) in enumerate(zip(got, expected, strict=True)):
            if g.shape != e.shape:
                return {
                    "passed": False,
                    "reason": "shape",
                    "trial": trial,
                    "index": index,
                    "detail": f"shape {g.shape}, expected {e.shape}",
                }
            where = _first_difference(g, e)
            if where is not None:
                position = np.unravel_index(where, e.shape) if e.ndim else ()
                return {
                    "passed": False,
                    "reason": "value",
                    "trial": trial,
                    "index": index,
                    "position": [int(i) for i in position],
                    "got": _plain(g.reshape(-1)[where]),
                    "expected": _plain(e.reshape(-1)[where]),
                }
    return {"passed": True, "trials": TRIALS}
