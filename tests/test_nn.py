"""glasslab.nn: layers, activations and optimisers against their formulas and finite differences."""

import math

import numpy as np
import pytest
from glasslab import nn

from tests.gradcheck import numeric_grad

# ---------------------------------------------------------------- activations


def test_activation_values():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    assert np.array_equal(nn.relu(z), [0, 0, 0, 0.5, 2.0])
    np.testing.assert_allclose(nn.tanh(z), np.tanh(z))
    np.testing.assert_allclose(nn.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(nn.softplus(z), np.log1p(np.exp(z)), rtol=1e-14)
    np.testing.assert_allclose(nn.log_sigmoid(z), np.log(1 / (1 + np.exp(-z))), rtol=1e-12)


def test_sigmoid_and_log_sigmoid_are_finite_when_saturated():
    z = np.array([-1e4, -800.0, 800.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, no NaN
        s = nn.sigmoid(z)
        ls = nn.log_sigmoid(z)
    assert np.array_equal(s, [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_allclose(ls, [-1e4, -800.0, 0.0, 0.0])


@pytest.mark.parametrize(
    "forward, backward",
    [(nn.relu, nn.relu_backward), (nn.tanh, nn.tanh_backward)],
)
def test_activation_backward_matches_finite_differences(forward, backward):
    rng = np.random.default_rng(1)
    z = rng.normal(size=(3, 5))
    z[np.abs(z) < 1e-3] = 0.1  # keep away from the ReLU kink
    upstream = rng.normal(size=z.shape)

    def loss():
        return float(np.sum(upstream * forward(z)))

    np.testing.assert_allclose(backward(upstream, forward(z)), numeric_grad(loss, z), atol=1e-7)


# ---------------------------------------------------------------- network


def test_mlp_shapes_and_initialisation():
    rng = np.random.default_rng(0)
    net = nn.MLP([2, 100, 100, 1], output="identity", rng=rng)
    assert net.num_layers == 3
    assert [W.shape for W in net.weights] == [(100, 2), (100, 100), (1, 100)]
    assert [b.shape for b in net.biases] == [(100, 1), (100, 1), (1, 1)]
    assert net.params.size == 2 * 100 + 100 + 100 * 100 + 100 + 100 + 1
    for b in net.biases:
        assert np.all(b == 0)
    # weights ~ N(0, sd = 1/sqrt(fan_in))
    W = net.weights[1]
    assert abs(W.mean()) < 0.005
    assert W.std() == pytest.approx(1 / math.sqrt(100), rel=0.03)
    assert net.weights[0].std() == pytest.approx(1 / math.sqrt(2), rel=0.1)


def test_mlp_views_share_the_flat_parameter_vector():
    net = nn.MLP([2, 3, 1], output="identity", rng=np.random.default_rng(0))
    net.params[...] = 0.0
    net.weights[0][1, 0] = 5.0
    net.biases[1][0, 0] = -2.0
    assert np.count_nonzero(net.params) == 2
    assert set(net.params[net.params != 0]) == {5.0, -2.0}


def test_mlp_forward_matches_the_formula():
    rng = np.random.default_rng(3)
    net = nn.MLP([2, 4, 3, 2], output="tanh", rng=rng)
    for b in net.biases:
        b[...] = rng.normal(size=b.shape)
    x = rng.normal(size=(2, 7))
    a = x
    for W, b in zip(net.weights[:-1], net.biases[:-1], strict=True):
        a = np.maximum(W @ a + b, 0)
    expected = np.tanh(net.weights[-1] @ a + net.biases[-1])
    np.testing.assert_allclose(net.forward(x), expected, rtol=1e-13)
    np.testing.assert_allclose(net.predict(x), expected, rtol=1e-13)


@pytest.mark.parametrize(
    "sizes, output",
    [
        ([2, 1], "identity"),  # no hidden layer
        ([2, 5, 1], "identity"),
        ([2, 6, 4, 1], "identity"),
        ([1, 5, 2], "tanh"),
        ([2, 4, 4, 3, 2], "tanh"),
    ],
)
def test_mlp_backward_matches_finite_differences(sizes, output):
    rng = np.random.default_rng(sum(sizes))
    net = nn.MLP(sizes, output=output, rng=rng)
    for b in net.biases:
        b[...] = rng.normal(scale=0.3, size=b.shape)
    x = rng.uniform(size=(sizes[0], 9))
    upstream = rng.normal(size=(sizes[-1], 9))

    def loss():
        return float(np.sum(upstream * net.forward(x, workspace="check")))

    net.forward(x)
    grad_x = net.backward(upstream).copy()
    analytic = net.grads.copy()
    np.testing.assert_allclose(analytic, numeric_grad(loss, net.params), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(grad_x, numeric_grad(loss, x), rtol=1e-5, atol=1e-8)
    # the named views hold the same numbers
    for dW, db, dWb in zip(net.weight_grads, net.bias_grads, net.layer_grads, strict=True):
        assert np.array_equal(np.concatenate([dW, db], axis=1), dWb)


def test_backward_options_and_workspaces():
    rng = np.random.default_rng(5)
    net = nn.MLP([2, 6, 1], output="identity", rng=rng)
    x = rng.uniform(size=(2, 4))
    g = rng.normal(size=(1, 4))
    net.forward(x)
    full_grad_x = net.backward(g).copy()
    full_grads = net.grads.copy()

    net.grads[...] = 0.0
    assert net.backward(g, input_grad=False) is None
    assert np.array_equal(net.grads, full_grads)

    net.grads[...] = 7.0
    grad_x = net.backward(g, param_grads=False)
    assert np.array_equal(grad_x, full_grad_x)
    assert np.all(net.grads == 7.0)  # untouched

    # a forward in another workspace (even of the same width) does not disturb backward
    net.forward(rng.uniform(size=(2, 4)), workspace="view")
    net.backward(g)
    assert np.array_equal(net.grads, full_grads)


def test_backward_needs_forward():
    net = nn.MLP([2, 3, 1], output="identity", rng=np.random.default_rng(0))
    with pytest.raises(RuntimeError):
        net.backward(np.ones((1, 2)))


@pytest.mark.parametrize("sizes", [[2], [2, 0, 1], []])
def test_mlp_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError):
        nn.MLP(sizes, output="identity", rng=np.random.default_rng(0))


def test_mlp_rejects_unknown_output():
    with pytest.raises(ValueError, match="output"):
        nn.MLP([2, 1], output="softmax", rng=np.random.default_rng(0))


# ---------------------------------------------------------------- optimisers


def test_sgd_step():
    params = np.array([1.0, -2.0, 3.0])
    grads = np.array([0.5, 1.0, -1.0])
    nn.SGD(0.1, 3).step(params, grads)
    np.testing.assert_allclose(params, [0.95, -2.1, 3.1])


def test_adam_matches_the_paper_formulas():
    rng = np.random.default_rng(0)
    params = rng.normal(size=4)
    expected = params.copy()
    opt = nn.Adam(0.01, 4)
    m = np.zeros(4)
    v = np.zeros(4)
    for t in range(1, 6):
        g = rng.normal(size=4)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        m_hat = m / (1 - 0.9**t)
        v_hat = v / (1 - 0.999**t)
        expected -= 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
        opt.step(params, g)
    np.testing.assert_allclose(params, expected, rtol=1e-12)
    # the first step of Adam moves every parameter by about lr
    p = np.zeros(3)
    nn.Adam(0.01, 3).step(p, np.array([1e-3, -5.0, 2.0]))
    np.testing.assert_allclose(np.abs(p), 0.01, rtol=1e-4)


def test_adam_state_round_trip_and_lr_change_keeps_moments():
    opt = nn.Adam(0.1, 2)
    params = np.zeros(2)
    opt.step(params, np.array([1.0, 2.0]))
    state = opt.get_state()
    opt.lr = 0.001
    assert opt.t == 1 and np.array_equal(opt.m, state["m"])
    opt.step(params, np.array([1.0, 1.0]))
    opt.set_state(state)
    assert opt.t == 1 and np.array_equal(opt.m, state["m"]) and np.array_equal(opt.v, state["v"])


def test_make_optimizer():
    assert isinstance(nn.make_optimizer("sgd", 0.1, 3), nn.SGD)
    assert isinstance(nn.make_optimizer("adam", 0.1, 3), nn.Adam)
    with pytest.raises(ValueError, match="optimizer"):
        nn.make_optimizer("rmsprop", 0.1, 3)
