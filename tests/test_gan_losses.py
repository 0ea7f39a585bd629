"""glasslab.gan.losses: values on known inputs, gradients, numerical safety."""

import math

import numpy as np
import pytest
from glasslab.gan import losses
from glasslab.nn import sigmoid

from tests.gradcheck import numeric_grad


def log_loss(logits, targets, scale):
    return losses.LogLoss.value(logits, targets, scale), losses.LogLoss.gradient(
        logits, targets, scale
    )


def least_squares_loss(logits, targets, scale):
    fn = losses.LeastSquaresLoss
    return fn.value(logits, targets, scale), fn.gradient(logits, targets, scale)


def value_and_gradient(kind, logits, targets, scale):
    fn = losses.loss_function(kind)
    return fn.value(logits, targets, scale), fn.gradient(logits, targets, scale)


def d_targets(n):
    return np.concatenate([np.ones((1, n)), np.zeros((1, n))], axis=1)


def test_log_loss_known_values():
    # D(x) = 0.5 everywhere: L_D = 2 log 2, L_G = log 2
    n = 5
    loss, grad = log_loss(np.zeros((1, 2 * n)), d_targets(n), 1 / n)
    assert loss == pytest.approx(2 * math.log(2))
    np.testing.assert_allclose(
        grad, np.concatenate([-0.5 * np.ones(n), 0.5 * np.ones(n)])[None] / n
    )
    loss, _ = log_loss(np.zeros((1, n)), np.ones((1, n)), 1 / n)
    assert loss == pytest.approx(math.log(2))
    # D(real) = sigmoid(2), D(fake) = sigmoid(-1)
    s_real, s_fake = 2.0, -1.0
    expected = -math.log(1 / (1 + math.exp(-s_real))) - math.log(1 - 1 / (1 + math.exp(-s_fake)))
    loss, _ = log_loss(np.array([[s_real, s_fake]]), np.array([[1.0, 0.0]]), 1.0)
    assert loss == pytest.approx(expected, rel=1e-12)
    assert losses.discriminator_loss("log", [s_real], [s_fake]) == pytest.approx(expected)
    assert losses.generator_loss("log", [s_fake]) == pytest.approx(math.log(1 + math.exp(1.0)))


def test_least_squares_known_values():
    # D = 0.5 everywhere: L_D = 1/2 * 0.25 + 1/2 * 0.25, L_G = 1/2 * 0.25
    n = 4
    loss, _ = least_squares_loss(np.zeros((1, 2 * n)), d_targets(n), 1 / n)
    assert loss == pytest.approx(0.25)
    loss, _ = least_squares_loss(np.zeros((1, n)), np.ones((1, n)), 1 / n)
    assert loss == pytest.approx(0.125)
    real, fake = np.array([1.5, -0.3]), np.array([0.2, -2.0])
    d_r, d_f = 1 / (1 + np.exp(-real)), 1 / (1 + np.exp(-fake))
    expected_d = 0.5 * np.mean((d_r - 1) ** 2) + 0.5 * np.mean(d_f**2)
    assert losses.discriminator_loss("lsq", real, fake) == pytest.approx(expected_d)
    loss, _ = least_squares_loss(
        np.concatenate([real, fake])[None], np.array([[1.0, 1.0, 0.0, 0.0]]), 1 / 2
    )
    assert loss == pytest.approx(expected_d)
    assert losses.generator_loss("lsq", fake) == pytest.approx(0.5 * np.mean((d_f - 1) ** 2))


@pytest.mark.parametrize("kind", losses.LOSSES)
def test_fused_losses_equal_the_textbook_formulas(kind):
    rng = np.random.default_rng(2)
    n = 7
    logits = rng.normal(scale=3, size=(1, 2 * n))
    loss_d, _ = value_and_gradient(kind, logits, d_targets(n), 1 / n)
    assert loss_d == pytest.approx(losses.discriminator_loss(kind, logits[0, :n], logits[0, n:]))
    loss_g, _ = value_and_gradient(kind, logits[:, n:], np.ones((1, n)), 1 / n)
    assert loss_g == pytest.approx(losses.generator_loss(kind, logits[0, n:]))


@pytest.mark.parametrize("kind", losses.LOSSES)
def test_loss_gradients_match_finite_differences(kind):
    rng = np.random.default_rng(3)
    n = 6
    logits = rng.normal(scale=2, size=(1, 2 * n))
    targets = d_targets(n)
    fn = losses.loss_function(kind)
    grad = fn.gradient(logits, targets, 1 / n)
    numeric = numeric_grad(lambda: fn.value(logits, targets, 1 / n), logits)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("kind", losses.LOSSES)
def test_losses_are_safe_when_the_discriminator_saturates(kind):
    logits = np.array([[1e4, -1e4, 800.0, -800.0, 1e4, -1e4]])
    targets = np.array([[1.0, 1.0, 1.0, 0.0, 0.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, grad = value_and_gradient(kind, logits, targets, 1.0)
    assert math.isfinite(loss) and np.isfinite(grad).all()
    if kind == "log":
        # confidently wrong costs |s|; confidently right costs ~0
        assert loss == pytest.approx(1e4 + 1e4)
        np.testing.assert_allclose(grad, [[0, -1, 0, 0, 1, 0]], atol=1e-12)
    else:
        assert loss == pytest.approx(0.5 * 2)  # two samples off by 1


def test_unknown_loss_is_rejected():
    with pytest.raises(ValueError, match="loss must be one of"):
        losses.loss_function("hinge")
    with pytest.raises(ValueError):
        losses.discriminator_loss("hinge", [0.0], [0.0])
    with pytest.raises(ValueError):
        losses.generator_loss("hinge", [0.0])


def test_sigmoid_of_logits_is_the_discriminator_output():
    # the gradient of the log loss is D - target
    logits = np.array([[-3.0, 0.0, 3.0]])
    _, grad = log_loss(logits, np.zeros((1, 3)), 1.0)
    np.testing.assert_allclose(grad, sigmoid(logits), rtol=1e-12)
