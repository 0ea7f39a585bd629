"""glasslab.gan.lab: training steps, live settings, views, divergence guard."""

import inspect
import math

import numpy as np
import pytest
from glasslab.gan import DATASETS, Config, GanDiverged, GanLab, preset_config
from glasslab.gan import lab as engine_module
from glasslab.gan.data import BatchStream
from glasslab.gan.losses import discriminator_loss, generator_loss
from glasslab.gan.metrics import divergences
from glasslab.nn import sigmoid

from tests.gradcheck import numeric_grad

DRAWING = [[0.2, 0.3], [0.4, 0.5], [0.6, 0.6], [0.8, 0.4]]


def snapshot(lab):
    return (
        lab.generator.params.copy(),
        lab.discriminator.params.copy(),
        lab.config,
        lab.iteration,
        lab.d_steps,
        lab.g_steps,
        lab.d_loss,
        lab.g_loss,
    )


def assert_same_state(a, b):
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert a[2:] == b[2:]


# ---------------------------------------------------------------- configuration


def test_default_config_is_gan_labs():
    cfg = Config()
    assert cfg.dataset == "gaussians"
    assert (cfg.noise_dim, cfg.noise_dist) == (2, "uniform")
    assert cfg.generator_sizes == [2, 8, 8, 2]
    assert cfg.discriminator_sizes == [2, 8, 8, 1]
    assert (cfg.g_optimizer, cfg.d_optimizer, cfg.g_lr, cfg.d_lr) == ("sgd", "sgd", 0.1, 0.1)
    assert (cfg.loss, cfg.k_d, cfg.k_g, cfg.batch) == ("log", 2, 1, 150)
    lab = GanLab()
    assert lab.generator.sizes == [2, 8, 8, 2] and lab.generator.output == "tanh"
    assert lab.discriminator.sizes == [2, 8, 8, 1]


def test_layer_counts_are_the_number_of_hidden_layers_built():
    for layers in range(6):
        lab = GanLab(Config(g_layers=layers, d_layers=layers, g_neurons=3, d_neurons=4))
        assert lab.generator.num_layers == layers + 1
        assert lab.discriminator.num_layers == layers + 1
    assert GanLab(Config(noise_dim=1, g_layers=0)).generator.sizes == [1, 2]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("g_lr", float("nan"), "finite"),
        ("d_lr", float("inf"), "finite"),
        ("g_lr", 0.0, "between"),
        ("d_lr", -0.1, "between"),
        ("g_lr", 3.0, "between"),
        ("g_lr", "0.1", "number"),
        ("g_neurons", 0, "between 1 and 100"),
        ("d_neurons", 101, "between 1 and 100"),
        ("g_layers", 6, "between 0 and 5"),
        ("d_layers", -1, "between 0 and 5"),
        ("g_layers", 2.5, "whole number"),
        ("g_layers", True, "whole number"),
        ("k_d", 11, "between 0 and 10"),
        ("k_g", -1, "between 0 and 10"),
        ("noise_dim", 3, "between 1 and 2"),
        ("noise_dist", "cauchy", "noise_dist must be one of"),
        ("dataset", "spiral", "dataset must be one of"),
        ("loss", "wgan-gp", "loss must be one of"),
        ("g_optimizer", "rmsprop", "g_optimizer must be one of"),
        ("batch", 0, "batch"),
        ("seed", -5, "seed"),
    ],
)
def test_invalid_settings_are_rejected_and_change_nothing(field, value, message):
    with pytest.raises(ValueError, match=message):
        Config(**{field: value})
    lab = GanLab(Config(seed=3))
    lab.train(3)
    before = snapshot(lab)
    with pytest.raises(ValueError, match=message):
        lab.set(**{field: value})
    assert_same_state(snapshot(lab), before)
    # a valid change in the same call is not applied either
    other = {"k_g": 3} if field != "k_g" else {"k_d": 3}
    with pytest.raises(ValueError):
        lab.set(**other, **{field: value})
    assert_same_state(snapshot(lab), before)


def test_unknown_setting_is_rejected():
    lab = GanLab()
    with pytest.raises(ValueError, match="unknown setting"):
        lab.set(learning_rate=0.1)
    with pytest.raises(ValueError, match="unknown settings"):
        Config.from_dict({**Config().to_dict(), "colour": "red"})
    with pytest.raises(ValueError, match="missing"):
        Config.from_dict({"dataset": "ring"})


def test_whole_floats_and_numpy_numbers_are_accepted():
    cfg = Config(g_layers=3.0, d_neurons=np.int64(12), g_lr=np.float32(0.25))
    assert cfg.g_layers == 3 and type(cfg.g_layers) is int
    assert cfg.d_neurons == 12 and type(cfg.d_neurons) is int
    assert cfg.g_lr == 0.25 and type(cfg.g_lr) is float


# ---------------------------------------------------------------- the two steps


def test_discriminator_step_gradient_matches_finite_differences():
    lab = GanLab(Config(loss="log", d_neurons=5, g_neurons=4, batch=20, seed=1))
    _check_d_gradient(lab)
    lab = GanLab(Config(loss="lsq", d_neurons=5, g_neurons=4, batch=20, seed=2))
    _check_d_gradient(lab)


def _random_biases(lab, seed):
    """Nonzero biases: with zero biases, dead ReLUs give exact zeros, right on the kink."""
    rng = np.random.default_rng(seed)
    for net in (lab.generator, lab.discriminator):
        for b in net.biases:
            b[...] = rng.normal(scale=0.2, size=b.shape)


def _check_d_gradient(lab):
    _random_biases(lab, 0)
    D, G, n = lab.discriminator, lab.generator, lab.config.batch
    real = lab._real.next().copy()
    fake = G.forward(lab._noise.next()).copy()
    x = np.concatenate([real, fake], axis=1)

    def loss():
        logits = D.forward(x, workspace="check")[0]
        return discriminator_loss(lab.config.loss, logits[:n], logits[n:])

    logits = D.forward(x)
    value = lab.loss.value(logits, lab._d_targets, lab._scale)
    grad = lab.loss.gradient(logits, lab._d_targets, lab._scale)
    assert value == pytest.approx(loss(), rel=1e-12)
    D.backward(grad)
    np.testing.assert_allclose(D.grads, numeric_grad(loss, D.params), rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("loss_kind", ["log", "lsq"])
def test_generator_step_gradient_matches_finite_differences(loss_kind):
    lab = GanLab(Config(loss=loss_kind, d_neurons=5, g_neurons=4, batch=20, seed=4))
    _random_biases(lab, 1)
    D, G = lab.discriminator, lab.generator
    noise = lab._noise.next().copy()

    def loss():
        fake = G.forward(noise, workspace="check")
        return generator_loss(loss_kind, D.forward(fake, workspace="check")[0])

    fake = G.forward(noise)
    logits = D.forward(fake)
    value = lab.loss.value(logits, lab._g_targets, lab._scale)
    grad = lab.loss.gradient(logits, lab._g_targets, lab._scale)
    assert value == pytest.approx(loss(), rel=1e-12)
    d_before = D.grads.copy()
    G.backward(D.backward(grad, param_grads=False), input_grad=False)
    np.testing.assert_allclose(G.grads, numeric_grad(loss, G.params), rtol=1e-5, atol=1e-9)
    assert np.array_equal(D.grads, d_before)  # the G step leaves D's gradients alone


def test_steps_move_only_their_own_network():
    lab = GanLab()
    g0, d0 = lab.generator.params.copy(), lab.discriminator.params.copy()
    lab.step("d")
    assert np.array_equal(lab.generator.params, g0)
    assert not np.array_equal(lab.discriminator.params, d0)
    assert (lab.d_steps, lab.g_steps, lab.iteration) == (1, 0, 0)
    assert lab.d_loss is not None and lab.g_loss is None
    d1 = lab.discriminator.params.copy()
    lab.step("g")
    assert np.array_equal(lab.discriminator.params, d1)
    assert not np.array_equal(lab.generator.params, g0)
    assert (lab.d_steps, lab.g_steps, lab.iteration) == (1, 1, 0)
    lab.step("both")
    assert (lab.d_steps, lab.g_steps, lab.iteration) == (3, 2, 1)
    with pytest.raises(ValueError):
        lab.step("x")


def test_an_iteration_is_kd_discriminator_steps_then_kg_generator_steps():
    a = GanLab(Config(k_d=3, k_g=2, seed=5))
    b = GanLab(Config(k_d=3, k_g=2, seed=5))
    a.train(2)
    for _ in range(2):
        for which in "dddgg":
            b.step(which)
    assert np.array_equal(a.generator.params, b.generator.params)
    assert np.array_equal(a.discriminator.params, b.discriminator.params)
    assert (a.iteration, a.d_steps, a.g_steps) == (2, 6, 4)
    with pytest.raises(ValueError, match="k_d and k_g cannot both be 0"):
        Config(k_d=0, k_g=0)  # nothing would train: refused, saying why


def test_step_sources_are_short_and_readable():
    for method in (GanLab.discriminator_step, GanLab.generator_step):
        source = inspect.getsource(method)
        assert len(source.splitlines()) <= 12
        assert "forward" in source and "backward" in source and "step(" in source


# ---------------------------------------------------------------- slow motion


@pytest.mark.parametrize("which", ["d", "g"])
def test_stages_do_exactly_one_step(which):
    a = GanLab(Config(seed=9))
    b = GanLab(Config(seed=9))
    a.train(3)
    b.train(3)
    a.step(which)
    names = []
    for name, text, arrays in b.stages(which):
        names.append(name)
        assert isinstance(text, str) and text
        assert isinstance(arrays, dict) and arrays
        # the page redraws its views between stages: that must not disturb the step
        b.discriminator_field(), b.tracked_gradients(), b.manifold(), b.divergence()
    assert names == ["sample", "classify", "loss", "gradients", "update"]
    assert np.array_equal(a.generator.params, b.generator.params)
    assert np.array_equal(a.discriminator.params, b.discriminator.params)
    assert (a.d_steps, a.g_steps, a.d_loss, a.g_loss) == (b.d_steps, b.g_steps, b.d_loss, b.g_loss)
    # the next normal steps agree too (same random streams)
    a.train(2)
    b.train(2)
    assert np.array_equal(a.generator.params, b.generator.params)


def test_stage_arrays_show_the_step():
    lab = GanLab()
    stages = dict((name, arrays) for name, _, arrays in lab.stages("d"))
    assert stages["sample"]["real"].shape == (150, 2)
    assert stages["sample"]["fake"].shape == (150, 2)
    assert stages["classify"]["d_real"].shape == (150,)
    assert float(stages["loss"]["loss"]) == lab.d_loss
    assert stages["update"]["field"].shape == (30, 30)
    g = dict((name, arrays) for name, _, arrays in lab.stages("g"))
    assert g["gradients"]["push"].shape == (150, 2)
    assert float(g["loss"]["loss"]) == lab.g_loss


def test_abandoned_or_interrupted_stages():
    lab = GanLab()
    params = lab.discriminator.params.copy()
    walker = lab.stages("d")
    for _ in range(4):  # stop before "update"
        next(walker)
    assert np.array_equal(lab.discriminator.params, params)
    walker = lab.stages("d")
    next(walker)
    lab.train(1)  # something else trains in between
    with pytest.raises(RuntimeError, match="changed between stages"):
        next(walker)
    with pytest.raises(ValueError):
        lab.stages("both")


# ---------------------------------------------------------------- determinism


def test_same_seed_same_run_and_chunking_does_not_matter():
    a = GanLab(Config(dataset="ring", seed=11))
    b = GanLab(Config(dataset="ring", seed=11))
    a.train(120)
    for _ in range(12):
        b.train(10)
    assert np.array_equal(a.generator.params, b.generator.params)
    assert np.array_equal(a.discriminator.params, b.discriminator.params)
    assert a.d_loss == b.d_loss and a.g_loss == b.g_loss
    assert np.array_equal(a.real_samples(), b.real_samples())
    c = GanLab(Config(dataset="ring", seed=12))
    c.train(120)
    assert not np.array_equal(a.generator.params, c.generator.params)
    assert not np.array_equal(a.real_samples(), c.real_samples())


def test_reset_starts_over():
    lab = GanLab(Config(seed=2))
    g0 = lab.generator.params.copy()
    lab.train(20)
    lab.reset()
    assert lab.iteration == 0 and lab.d_loss is None
    assert np.array_equal(lab.generator.params, g0)


# ---------------------------------------------------------------- live settings


def test_live_settings_and_what_they_rebuild():
    lab = GanLab(Config(g_optimizer="adam", d_optimizer="adam"))
    lab.train(5)
    g_opt, d_opt = lab.g_optimizer, lab.d_optimizer
    m, t = g_opt.m.copy(), g_opt.t
    g_params, d_params = lab.generator.params.copy(), lab.discriminator.params.copy()

    assert lab.set(g_lr=0.01, d_lr=0.3, loss="lsq", k_d=1, k_g=3) == ()
    assert lab.g_optimizer is g_opt and g_opt.lr == 0.01 and d_opt.lr == 0.3
    assert g_opt.t == t and np.array_equal(g_opt.m, m)  # Adam keeps its moments
    assert np.array_equal(lab.generator.params, g_params)
    lab.train(1)
    assert (lab.d_steps, lab.g_steps) == (11, 8)

    assert lab.set(g_optimizer="sgd") == ("g_optimizer",)
    assert lab.g_optimizer.name == "sgd" and lab.g_optimizer.lr == 0.01
    assert lab.set(d_optimizer="sgd") == ("d_optimizer",)

    d_params = lab.discriminator.params.copy()
    assert lab.set(g_neurons=12) == ("generator",)
    assert lab.generator.sizes == [2, 12, 12, 2]
    assert np.array_equal(lab.discriminator.params, d_params)
    assert lab.set(d_layers=0) == ("discriminator",)
    assert lab.discriminator.sizes == [2, 1]
    assert lab.set(noise_dim=1) == ("generator", "noise")
    assert lab.manifold().shape == (21, 2)
    assert lab.set(noise_dist="gaussian") == ("noise",)
    assert lab.set(dataset="ring") == ("data",)
    assert lab.set(dataset="ring") == ()  # unchanged value: nothing to do
    assert lab.set(batch=50) == ("batch", "data", "noise")
    assert lab.set(seed=4) == ("all",)
    assert lab.iteration == 0
    lab.train(3)
    assert lab.iteration == 3


def test_drawing_dataset():
    with pytest.raises(ValueError, match="at least 2 points"):
        GanLab(Config(dataset="drawing"))
    with pytest.raises(ValueError, match="got 1 point"):
        GanLab(Config(dataset="drawing"), drawing=[[0.5, 0.5]])
    lab = GanLab()
    with pytest.raises(ValueError, match="at least 2 points"):
        lab.set(dataset="drawing")
    assert lab.config.dataset == "gaussians"
    assert lab.set(dataset="drawing", drawing=DRAWING) == ("data",)
    real = lab.real_samples()
    nearest = np.min(np.linalg.norm(real[:, None] - np.array(DRAWING)[None], axis=2), axis=1)
    assert nearest.max() < 0.15
    lab.train(5)
    assert np.array_equal(lab.drawing, DRAWING)
    assert lab.set(drawing=[[0.1, 0.1], [0.9, 0.9]]) == ("data",)


# ---------------------------------------------------------------- views


def test_view_shapes_and_ranges():
    lab = GanLab()
    lab.train(10)
    field = lab.discriminator_field()
    assert field.shape == (30, 30) and field.dtype == np.float64
    assert field.min() >= 0 and field.max() <= 1
    assert lab.manifold().shape == (21, 21, 2)
    assert lab.tracked_fakes().shape == (150, 2)
    assert lab.tracked_gradients().shape == (150, 2)
    assert lab.real_samples().shape == (450, 2)
    assert lab.view_fakes().shape == (450, 2)
    assert np.array_equal(lab.view_fakes()[:150], lab.tracked_fakes())
    kl, js = lab.divergence()
    assert kl >= 0 and 0 <= js <= 1
    # returned arrays are copies: changing them changes nothing
    lab.real_samples()[:] = 0
    assert lab.real_samples().any()


def test_discriminator_field_orientation():
    lab = GanLab(Config(d_layers=0))  # D(x) = sigmoid(w . x + b)
    lab.discriminator.weights[0][...] = [[0.0, 10.0]]  # depends on y only
    lab.discriminator.biases[0][...] = -5.0
    field = lab.discriminator_field()
    assert field[0, 0] < 0.01 and field[29, 0] > 0.99  # row 0 is y near 0
    assert np.all(np.diff(field[:, 7]) > 0)
    c = (np.arange(30) + 0.5) / 30
    np.testing.assert_allclose(field[:, 3], sigmoid(10 * c - 5))
    lab.discriminator.weights[0][...] = [[10.0, 0.0]]  # depends on x only
    np.testing.assert_allclose(lab.discriminator_field()[5, :], sigmoid(10 * c - 5))


def test_manifold_is_the_generator_on_a_noise_grid():
    lab = GanLab()
    grid = lab.manifold()
    z = np.array([[3 / 20], [17 / 20]])  # column c = 3 (z1), row r = 17 (z2)
    np.testing.assert_allclose(grid[17, 3], lab.generator.predict(z)[:, 0])
    np.testing.assert_allclose(grid[0, 0], lab.generator.predict(np.zeros((2, 1)))[:, 0])
    np.testing.assert_allclose(grid[20, 20], lab.generator.predict(np.ones((2, 1)))[:, 0])


def test_tracked_fakes_follow_fixed_noise_and_gradients_are_dD_dx():
    lab = GanLab(Config(seed=6))
    before = lab.tracked_fakes()
    lab.train(5)
    after = lab.tracked_fakes()
    assert not np.array_equal(before, after)
    lab.train(0)
    assert np.array_equal(lab.tracked_fakes(), after)  # same noise rows every time
    grads = lab.tracked_gradients()
    D = lab.discriminator
    for i in (0, 77, 149):
        x = after[i].copy()

        def d_of_x(x=x):
            return float(sigmoid(D.forward(x[:, None], workspace="check"))[0, 0])

        np.testing.assert_allclose(grads[i], numeric_grad(d_of_x, x), rtol=1e-5, atol=1e-10)


# ---------------------------------------------------------------- learning


@pytest.mark.parametrize("dataset", [d for d in DATASETS if d != "drawing"])
def test_a_short_run_learns_every_dataset(dataset):
    lab = GanLab(preset_config(dataset, seed=1))
    real = lab.sample_real(5000, seed=1)
    js_start = divergences(real, lab.generate(5000, seed=2))[1]
    js = []
    for _ in range(3):  # GAN training oscillates: look at a few checkpoints
        lab.train(500)
        js.append(divergences(real, lab.generate(5000, seed=2))[1])
    assert js_start > 0.6
    assert min(js) < 0.75 * js_start


def test_a_short_run_learns_a_drawing():
    points = [[0.2 + 0.6 * t, 0.3 + 0.4 * t] for t in np.linspace(0, 1, 30)]
    lab = GanLab(preset_config("line", seed=2).replace(dataset="drawing"), drawing=points)
    real = lab.sample_real(5000, seed=1)
    js_start = divergences(real, lab.generate(5000, seed=2))[1]
    js = []
    for _ in range(3):
        lab.train(500)
        js.append(divergences(real, lab.generate(5000, seed=2))[1])
    assert min(js) < 0.75 * js_start


# ---------------------------------------------------------------- divergence guard


def _poison(lab, after_batches=0):
    """Make the real data turn into NaN after ``after_batches`` more batches."""
    stream = lab._real
    count = [0]
    nan_batch = np.full((2, lab.config.batch), np.nan)

    class Poisoned(BatchStream):
        def next(self):
            count[0] += 1
            return stream.next() if count[0] <= after_batches else nan_batch

    lab._real = Poisoned(stream.sample, stream.rng, stream.batch)


def test_nan_is_detected_and_the_last_good_state_restored():
    lab = GanLab(Config(seed=3))
    lab.train(30)
    good = snapshot(lab)
    _poison(lab)
    with pytest.raises(GanDiverged, match="NaN or infinite") as info:
        lab.train(10)
    assert info.value.restored_iteration == 30
    assert_same_state(snapshot(lab), good)
    assert np.isfinite(lab.discriminator_field()).all()
    with pytest.raises(GanDiverged):
        lab.step("d")
    assert_same_state(snapshot(lab), good)
    lab.set(dataset="ring")  # fresh data: training goes on
    lab.train(5)
    assert lab.iteration == 35


def test_divergence_in_the_middle_of_a_long_run_restores_the_last_check():
    lab = GanLab(Config(seed=3))
    _poison(lab, after_batches=2 * 70)  # k_d = 2: NaN from iteration 71 on
    with pytest.raises(GanDiverged) as info:
        lab.train(200)
    every = engine_module.CHECK_EVERY
    assert info.value.restored_iteration == (70 // every) * every
    assert lab.iteration == info.value.restored_iteration
    assert np.isfinite(lab.generator.params).all() and np.isfinite(lab.discriminator.params).all()
    assert math.isfinite(lab.d_loss) and math.isfinite(lab.g_loss)


def test_corrupted_weights_are_detected():
    lab = GanLab()
    lab.train(5)
    good = snapshot(lab)
    lab.generator.params[3] = np.inf
    with pytest.raises(GanDiverged, match="generator weights"):
        lab.train(1)
    assert_same_state(snapshot(lab), good)


def test_train_rejects_bad_iteration_counts():
    lab = GanLab()
    for bad in (-1, 2.5, "10", None):
        with pytest.raises(ValueError):
            lab.train(bad)


def test_losses_are_settled_before_settings_change_them():
    a = GanLab(Config(seed=7))
    b = GanLab(Config(seed=7))
    a.train(4)
    b.train(4)
    expected = (a.d_loss, a.g_loss)  # read now, with the log loss and batch 150
    b.set(loss="lsq", batch=40)  # b's losses were not read before the change
    assert (b.d_loss, b.g_loss) == expected
    b.train(1)
    assert b.d_loss != expected[0]
    fresh = GanLab(Config(seed=7))
    assert fresh.d_loss is None and fresh.g_loss is None
