"""glasslab.gan.compare: a second lab that differs only in the changed settings."""

import numpy as np
import pytest
from glasslab.checks import Refused
from glasslab.gan import Config, GanLab
from glasslab.gan.compare import Comparison


def test_compare_forks_the_running_lab_and_changes_only_the_named_settings():
    first = GanLab(Config(seed=1))
    first.train(120)
    comparison = Comparison()
    comparison.start(first, {"g_optimizer": "adam", "g_lr": "0.01"})
    twin = comparison.lab
    assert twin.config == first.config.replace(g_optimizer="adam", g_lr=0.01)
    assert twin.iteration == first.iteration
    assert np.array_equal(twin.generator.params, first.generator.params)
    assert np.array_equal(twin.real_samples(), first.real_samples())
    state = comparison.state()
    assert state["g_optimizer"] == "adam" and state["iteration"] == 120
    assert state["changes"] == {"g_optimizer": "adam", "g_lr": 0.01}
    assert set(state) >= {"iteration", "d_loss", "g_loss", "kl", "js", "loss", "seed", "d_kind"}


def test_without_changes_the_second_lab_repeats_the_first_bit_for_bit():
    first = GanLab(Config(seed=2))
    first.train(50)
    comparison = Comparison()
    comparison.start(first, {})
    for n in (7, 64, 129):
        first.train(n)
        comparison.keep_up(first)
    assert comparison.lab.iteration == first.iteration == 250
    assert np.array_equal(comparison.lab.generator.params, first.generator.params)
    assert np.array_equal(comparison.lab.discriminator.params, first.discriminator.params)


def test_the_second_lab_trains_the_same_iterations_with_its_own_settings():
    first = GanLab(Config(seed=3))
    comparison = Comparison()
    comparison.start(first, {"loss": "wasserstein"})
    first.train(100)
    comparison.keep_up(first)
    alone = GanLab(Config(seed=3, loss="wasserstein"))
    alone.train(100)
    assert comparison.lab.iteration == 100
    assert np.array_equal(comparison.lab.generator.params, alone.generator.params)
    assert comparison.state()["d_kind"] == "critic"
    arrays = comparison.view_arrays()
    assert arrays["heat"].dtype == np.uint8 and arrays["heat"].size == 30 * 30 * 4
    assert arrays["fake"].dtype == np.float32 and arrays["fake"].size == 150 * 2
    assert arrays["real"].size == 450 * 2


def test_live_changes_of_the_first_follow_except_the_compared_ones():
    first = GanLab(Config(seed=4))
    comparison = Comparison()
    comparison.start(first, {"d_lr": 0.03})
    first.set(g_lr=0.3, d_lr=0.3, k_g=2)
    comparison.keep_up(first)
    assert comparison.lab.config.g_lr == 0.3 and comparison.lab.config.k_g == 2
    assert comparison.lab.config.d_lr == 0.03


def test_a_new_run_or_a_rewind_of_the_first_starts_the_second_again():
    first = GanLab(Config(seed=5))
    first.train(300)
    comparison = Comparison()
    comparison.start(first, {"loss": "lsq"})
    first.train(100)
    comparison.keep_up(first)
    first.seek(200)
    comparison.keep_up(first)
    assert comparison.lab.iteration == 200 and comparison.lab.config.loss == "lsq"
    assert np.array_equal(comparison.lab.generator.params, first.generator.params)
    other = GanLab(Config(seed=6))
    comparison.keep_up(other)
    assert comparison.lab.iteration == 0 and comparison.lab.config.seed == 6


@pytest.mark.parametrize(
    "params",
    [{"loss": "hinge-ish"}, {"g_lr": "fast"}, {"g_lr": 5}, {"k_d": 2.5}, {"colour": "red"}, [1]],
)
def test_refused_params_change_nothing(params):
    first = GanLab(Config(seed=7))
    comparison = Comparison()
    comparison.start(first, {"k_d": 3})
    twin = comparison.lab
    with pytest.raises(Refused):
        comparison.start(first, params)
    assert comparison.lab is twin and comparison.changes == {"k_d": 3}


def test_ending_and_divergence():
    first = GanLab(Config(seed=8))
    comparison = Comparison()
    comparison.keep_up(first)  # nothing to do while off
    assert comparison.state() is None
    comparison.start(first, {"d_lr": 1.0, "g_lr": 1.0, "d_optimizer": "adam"})
    comparison.lab.discriminator.params[...] = np.nan  # what a diverged run looks like
    comparison.lab._save_good = lambda: None
    first.train(60)
    comparison.keep_up(first)
    assert comparison.message and "diverged" in comparison.message
    comparison.start(first, None)
    assert comparison.lab is None and comparison.state() is None
