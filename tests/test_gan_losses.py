"""glasslab.gan.losses: values on known inputs, gradients, numerical safety."""

import math

import numpy as np
import pytest
from glasslab.gan import Config, GanLab, losses
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
    fn = losses.loss_function(kind)
    if not fn.critic:  # the probability losses: L_G is L_D's formula with every target 1
        loss_g, _ = value_and_gradient(kind, logits[:, n:], np.ones((1, n)), 1 / n)
        assert loss_g == pytest.approx(losses.generator_loss(kind, logits[0, n:]))
    loss_g = fn.generator_value(logits[:, n:], 1 / n)
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
    g_loss = losses.loss_function(kind).generator_value(logits, 1.0)
    g_grad = losses.loss_function(kind).generator_gradient(logits, 1.0)
    assert math.isfinite(g_loss) and np.isfinite(g_grad).all()
    if kind == "log":
        # confidently wrong costs |s|; confidently right costs ~0
        assert loss == pytest.approx(1e4 + 1e4)
        np.testing.assert_allclose(grad, [[0, -1, 0, 0, 1, 0]], atol=1e-12)
    elif kind == "lsq":
        assert loss == pytest.approx(0.5 * 2)  # two samples off by 1
    elif kind == "hinge":
        # past the margin costs nothing; a wrong score s costs 1 + |s|
        assert loss == pytest.approx((1 + 1e4) + (1 + 1e4))
        np.testing.assert_allclose(grad, [[0, -1, 0, 0, 1, 0]])
    else:  # wasserstein: linear in s, the same push everywhere
        assert loss == pytest.approx(-(1e4 - 1e4 + 800) + (-800 + 1e4 - 1e4))
        np.testing.assert_allclose(grad, [[-1, -1, -1, 1, 1, 1]])


def test_unknown_loss_is_rejected():
    with pytest.raises(ValueError, match="loss must be one of"):
        losses.loss_function("wgan-gp")
    with pytest.raises(ValueError):
        losses.discriminator_loss("wgan-gp", [0.0], [0.0])
    with pytest.raises(ValueError):
        losses.generator_loss("wgan-gp", [0.0])


def test_sigmoid_of_logits_is_the_discriminator_output():
    # the gradient of the log loss is D - target
    logits = np.array([[-3.0, 0.0, 3.0]])
    _, grad = log_loss(logits, np.zeros((1, 3)), 1.0)
    np.testing.assert_allclose(grad, sigmoid(logits), rtol=1e-12)


# ---------------------------------------------------------------- the generator's side, critics


@pytest.mark.parametrize("kind", losses.LOSSES)
def test_generator_loss_gradients_match_finite_differences(kind):
    rng = np.random.default_rng(4)
    n = 6
    logits = rng.normal(scale=2, size=(1, n))
    fn = losses.loss_function(kind)
    grad = fn.generator_gradient(logits, 1 / n)
    numeric = numeric_grad(lambda: fn.generator_value(logits, 1 / n), logits)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-10)
    assert grad.shape == logits.shape


def test_hinge_loss_known_values():
    # reals scoring 2 and 0.5, fakes -3 and 0: margins met for 2 and -3 only
    real, fake = np.array([2.0, 0.5]), np.array([-3.0, 0.0])
    expected_d = np.mean([0.0, 0.5]) + np.mean([0.0, 1.0])
    assert losses.discriminator_loss("hinge", real, fake) == pytest.approx(expected_d)
    logits = np.concatenate([real, fake])[None]
    loss, grad = value_and_gradient("hinge", logits, d_targets(2), 1 / 2)
    assert loss == pytest.approx(expected_d)
    np.testing.assert_allclose(grad, [[0.0, -0.5, 0.0, 0.5]])  # only the unmet margins push
    assert losses.generator_loss("hinge", fake) == pytest.approx(1.5)
    np.testing.assert_allclose(
        losses.HingeLoss.generator_gradient(fake[None], 1 / 2), [[-0.5, -0.5]]
    )


def test_wasserstein_loss_known_values_and_clipping():
    real, fake = np.array([0.3, 0.1]), np.array([-0.2, 0.4])
    expected_d = np.mean(fake) - np.mean(real)
    assert losses.discriminator_loss("wasserstein", real, fake) == pytest.approx(expected_d)
    loss, grad = value_and_gradient(
        "wasserstein", np.concatenate([real, fake])[None], d_targets(2), 0.5
    )
    assert loss == pytest.approx(expected_d)
    np.testing.assert_allclose(grad, [[-0.5, -0.5, 0.5, 0.5]])
    assert losses.generator_loss("wasserstein", fake) == pytest.approx(-0.1)
    c = losses.WassersteinLoss.clip
    assert c == 0.1
    params = np.array([-1.0, -0.05, 0.0, 0.07, 3.0])
    losses.WassersteinLoss.constrain(params)  # in place
    np.testing.assert_array_equal(params, [-c, -0.05, 0.0, 0.07, c])
    for kind in ("log", "lsq", "hinge"):
        unchanged = np.array([-1.0, 3.0])
        losses.loss_function(kind).constrain(unchanged)
        np.testing.assert_array_equal(unchanged, [-1.0, 3.0])


def test_outputs_are_probabilities_or_critic_scores():
    s = np.array([[-2.0, 0.0, 5.0]])
    for kind in ("log", "lsq"):
        fn = losses.loss_function(kind)
        assert not fn.critic
        np.testing.assert_allclose(fn.output(s), sigmoid(s))
        numeric = numeric_grad(lambda fn=fn: float(fn.output(s).sum()), s)
        np.testing.assert_allclose(fn.output_gradient(s), numeric, rtol=1e-6)
    for kind in ("hinge", "wasserstein"):
        fn = losses.loss_function(kind)
        assert fn.critic
        np.testing.assert_array_equal(fn.output(s), s)
        np.testing.assert_array_equal(fn.output_gradient(s), np.ones_like(s))


# ---------------------------------------------------------------- critic losses in the lab


def _random_biases(lab, seed):
    rng = np.random.default_rng(seed)
    for net in (lab.generator, lab.discriminator):
        for b in net.biases:
            b[...] = rng.normal(scale=0.2, size=b.shape)


@pytest.mark.parametrize("kind", ["hinge", "wasserstein"])
def test_critic_steps_gradients_match_finite_differences(kind):
    lab = GanLab(Config(loss=kind, d_neurons=5, g_neurons=4, batch=20, seed=1))
    _random_biases(lab, 0)
    D, G, n = lab.discriminator, lab.generator, lab.config.batch
    x = np.concatenate([lab._real.next(), G.forward(lab._noise.next())], axis=1).copy()

    def d_loss():
        s = D.forward(x, workspace="check")[0]
        return losses.discriminator_loss(kind, s[:n], s[n:])

    logits = D.forward(x)
    assert lab.loss.value(logits, lab._d_targets, lab._scale) == pytest.approx(d_loss(), rel=1e-12)
    D.backward(lab.loss.gradient(logits, lab._d_targets, lab._scale))
    np.testing.assert_allclose(D.grads, numeric_grad(d_loss, D.params), rtol=1e-5, atol=1e-9)

    noise = lab._noise.next().copy()

    def g_loss():
        s = D.forward(G.forward(noise, workspace="check"), workspace="check")[0]
        return losses.generator_loss(kind, s)

    logits = D.forward(G.forward(noise))
    assert lab.loss.generator_value(logits, lab._scale) == pytest.approx(g_loss(), rel=1e-12)
    G.backward(D.backward(lab.loss.generator_gradient(logits, lab._scale), param_grads=False))
    np.testing.assert_allclose(G.grads, numeric_grad(g_loss, G.params), rtol=1e-5, atol=1e-9)


def test_wasserstein_clips_every_weight_after_each_discriminator_step():
    lab = GanLab(Config(seed=2))
    lab.train(20)
    assert np.abs(lab.discriminator.params).max() > 0.1
    g_before = lab.generator.params.copy()
    lab.set(loss="wasserstein")  # live, like the other losses
    assert lab.d_kind == "critic"
    lab.step("d")
    c = losses.WassersteinLoss.clip
    assert np.abs(lab.discriminator.params).max() <= c
    assert np.array_equal(lab.generator.params, g_before)
    lab.train(50)
    assert np.abs(lab.discriminator.params).max() <= c
    assert np.abs(lab.generator.params).max() > c  # G is not clipped
    assert lab.d_loss == pytest.approx(lab.d_loss) and np.isfinite(lab.g_loss)


@pytest.mark.parametrize("kind", losses.LOSSES)
def test_every_loss_trains_live_switched_and_deterministically(kind):
    a, b = GanLab(Config(seed=3)), GanLab(Config(seed=3))
    for lab in (a, b):
        lab.train(30)
        lab.set(loss=kind)
        lab.train(70)
    assert np.array_equal(a.generator.params, b.generator.params)
    assert np.isfinite(a.d_loss) and np.isfinite(a.g_loss)
    assert a.config.loss == kind
    assert a.d_kind == ("critic" if kind in ("hinge", "wasserstein") else "probability")


@pytest.mark.parametrize("kind", losses.LOSSES)
def test_probe_is_the_running_discriminator_at_a_point(kind):
    lab = GanLab(Config(seed=4, loss=kind))
    lab.train(40)
    field = lab.discriminator_field()
    r, c = 7, 19  # field[r, c] is D at the centre of that cell
    assert lab.probe((c + 0.5) / 30, (r + 0.5) / 30) == pytest.approx(field[r, c], rel=1e-12)
    s = lab.discriminator.predict(np.array([[0.25], [0.75]]))[0, 0]
    expected = s if lab.loss.critic else 1 / (1 + math.exp(-s))
    assert lab.probe(0.25, 0.75) == pytest.approx(expected, rel=1e-12)
    if not lab.loss.critic:
        assert 0.0 <= field.min() and field.max() <= 1.0
    for bad in ((-0.1, 0.5), (0.5, 1.5), (math.nan, 0.5), ("0.5", 0.5), (True, 0.5)):
        with pytest.raises(ValueError, match="gan.error.probe"):
            lab.probe(*bad)


def test_gradients_of_a_critic_point_where_its_score_rises():
    lab = GanLab(Config(seed=5, loss="hinge"))
    lab.train(30)
    fakes, grads = lab.tracked_fakes(), lab.tracked_gradients()
    eps = 1e-6

    def score(x, y):
        return lab.discriminator.predict(np.array([[x], [y]]))[0, 0]

    for i in (0, 17, 99):
        x, y = fakes[i]
        dx = (score(x + eps, y) - score(x - eps, y)) / (2 * eps)
        dy = (score(x, y + eps) - score(x, y - eps)) / (2 * eps)
        np.testing.assert_allclose(grads[i], [dx, dy], rtol=1e-4, atol=1e-8)


def test_critic_heatmap_colours_are_relative_to_the_field():
    from glasslab.gan import view

    p = np.array([[0.0, 0.25], [0.75, 1.0]])
    assert view.heat_levels(p) is p  # a probability is its own level
    s = np.array([[-2.0, 0.0], [1.0, 0.5]])  # hinge: 0 is white, the largest |s| full colour
    np.testing.assert_allclose(view.heat_levels(s, critic=True), [[0.0, 0.5], [0.75, 0.625]])
    w = s + 10.0  # Wasserstein: only differences count, the mean is white
    levels = view.heat_levels(w, critic="relative")
    np.testing.assert_allclose(levels, view.heat_levels(s, critic="relative"))
    assert levels.mean() == pytest.approx(0.5) and levels.min() == pytest.approx(0.0)
    flat = np.full((2, 2), 3e-5)
    assert np.abs(view.heat_levels(flat, critic=True) - 0.5).max() < 0.02  # stays pale
    rgba = view.heat_rgba(s, critic=True)
    assert tuple(rgba[1, 0, :3]) == view.heat_colour(0.0)  # row 0 drawn at the bottom
    lab = GanLab(Config(seed=1, loss="wasserstein"))
    lab.train(20)
    np.testing.assert_array_equal(
        view.lab_heat(lab), view.heat_rgba(lab.discriminator_field(), critic="relative")
    )
