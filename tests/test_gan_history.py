"""glasslab.gan.history: snapshots while training, bounded memory, seeking back bit for bit."""

import numpy as np
import pytest
from glasslab.checks import Refused
from glasslab.gan import Config, GanLab
from glasslab.gan import history as history_module


def same_state(a: GanLab, b: GanLab) -> bool:
    return (
        np.array_equal(a.generator.params, b.generator.params)
        and np.array_equal(a.discriminator.params, b.discriminator.params)
        and (a.iteration, a.d_steps, a.g_steps) == (b.iteration, b.d_steps, b.g_steps)
        and a.d_loss == b.d_loss
        and a.g_loss == b.g_loss
        and a.config == b.config
    )


def test_snapshots_are_taken_every_100_iterations_from_the_start():
    lab = GanLab(Config(seed=1))
    lab.train(250)
    lab.train(370)
    listed = lab.history.summaries()
    assert [s["iteration"] for s in listed] == [0, 100, 200, 300, 400, 500, 600]
    assert listed[0]["d_loss"] is None and listed[0]["g_loss"] is None
    for entry in listed[1:]:
        assert set(entry) == {"iteration", "d_loss", "g_loss", "kl", "js"}
        assert all(isinstance(entry[k], float) for k in ("d_loss", "g_loss", "kl", "js"))
    # the numbers are the lab's at that iteration
    other = GanLab(Config(seed=1))
    other.train(300)
    assert listed[3]["d_loss"] == other.d_loss and listed[3]["g_loss"] == other.g_loss
    assert (listed[3]["kl"], listed[3]["js"]) == other.divergence()


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_seek_then_training_on_repeats_the_run_bit_for_bit(optimizer):
    config = Config(seed=3, g_optimizer=optimizer, d_optimizer=optimizer, d_lr=0.01, g_lr=0.01)
    first = GanLab(config)
    first.train(500)
    lab = GanLab(config)
    lab.train(500)
    lab.seek(200)
    assert lab.iteration == 200
    reference = GanLab(config)
    reference.train(200)
    assert same_state(lab, reference)
    lab.train(300)
    assert same_state(lab, first)
    assert np.array_equal(lab.tracked_fakes(), first.tracked_fakes())
    assert lab.divergence() == first.divergence()


def test_seek_mid_block_restores_the_batch_streams():
    # batch 7, k_d 3: 100 iterations take 300 real batches, not a multiple of the block (64)
    config = Config(seed=5, batch=7, k_d=3, k_g=2, noise_dist="gaussian")
    first = GanLab(config)
    first.train(400)
    lab = GanLab(config)
    lab.train(400)
    lab.seek(100)
    lab.train(300)
    assert same_state(lab, first)


def test_seek_restores_settings_changed_later_and_replaying_the_change_repeats_the_run():
    first = GanLab(Config(seed=2))
    first.train(200)
    first.set(g_lr=0.03, loss="lsq", k_d=1)
    first.train(300)
    lab = GanLab(Config(seed=2))
    lab.train(200)
    lab.set(g_lr=0.03, loss="lsq", k_d=1)
    lab.train(300)
    lab.seek(200)
    assert lab.config == Config(seed=2)  # the settings in force at iteration 200
    lab.set(g_lr=0.03, loss="lsq", k_d=1)
    lab.train(300)
    assert same_state(lab, first)


def test_seek_across_a_new_architecture_and_optimizer_rebuilds_them():
    lab = GanLab(Config(seed=4))
    lab.train(300)
    reference = GanLab(Config(seed=4))
    reference.train(300)
    lab.set(g_layers=3, d_neurons=12, g_optimizer="adam", noise_dist="gaussian", batch=40)
    lab.train(200)
    assert [s["iteration"] for s in lab.history.summaries()][-1] == 500
    lab.seek(300)
    assert same_state(lab, reference)
    assert lab.generator.sizes == reference.generator.sizes
    assert np.array_equal(lab.real_samples(), reference.real_samples())
    assert np.array_equal(lab.manifold(), reference.manifold())
    lab.train(100)
    reference.train(100)
    assert same_state(lab, reference)


def test_seek_forward_again_and_training_replaces_the_old_future():
    lab = GanLab(Config(seed=6))
    lab.train(500)
    end = lab.generator.params.copy()
    lab.seek(200)
    assert [s["iteration"] for s in lab.history.summaries()][-1] == 500  # still listed
    lab.seek(500)
    assert np.array_equal(lab.generator.params, end)
    lab.seek(200)
    lab.set(d_lr=0.3)
    lab.train(150)  # a new snapshot at 300 replaces 300, 400, 500
    assert [s["iteration"] for s in lab.history.summaries()] == [0, 100, 200, 300]


def test_seek_refuses_an_iteration_without_a_snapshot_and_changes_nothing():
    lab = GanLab(Config(seed=7))
    lab.train(250)
    before = lab.generator.params.copy()
    for bad in (150, 251, -100, "200", None, True, 200.5):
        with pytest.raises(Refused, match="gan.error.no_snapshot"):
            lab.seek(bad)
    assert np.array_equal(lab.generator.params, before) and lab.iteration == 250
    with pytest.raises(Refused, match="nearest=100, 200"):
        lab.seek(150)


def test_history_stays_bounded_by_thinning_the_oldest(monkeypatch):
    assert history_module.CAP == 200 and history_module.EVERY == 100
    monkeypatch.setattr(history_module, "CAP", 40)  # the same rule, 5 times faster to reach
    lab = GanLab(Config(seed=8, batch=4, g_neurons=2, d_neurons=2, g_layers=1, d_layers=1))
    lab.train(100 * 130)
    iterations = [s["iteration"] for s in lab.history.summaries()]
    assert len(iterations) <= 40
    assert iterations[0] == 0 and iterations[-1] == 13_000
    assert iterations == sorted(iterations)
    gaps = np.diff(iterations)
    assert (gaps[-10:] == 100).all()  # the newest keep their spacing
    assert gaps.max() > 100  # the oldest were thinned
    lab.seek(iterations[1])
    assert lab.iteration == iterations[1]


def test_history_stays_bounded_in_bytes_for_large_networks(monkeypatch):
    monkeypatch.setattr(history_module, "MAX_BYTES", 100_000)
    lab = GanLab(Config(seed=9, g_neurons=50, d_neurons=50, batch=4, k_d=1))
    assert lab.history.snapshots == []
    lab.train(1)
    assert lab.history.snapshots[0].nbytes > 40_000
    lab.train(799)
    snaps = lab.history.snapshots
    assert sum(s.nbytes for s in snaps) <= 100_000
    assert snaps[-1].iteration == 800 and snaps[0].iteration == 0


def test_snapshots_share_unchanging_arrays_and_copy_the_rest():
    lab = GanLab(Config(seed=10))
    lab.train(100)
    snap = lab.history.snapshots[-1]
    assert snap.shared["_view_real"] is lab._view_real  # not copied: never changed in place
    lab.train(1)
    assert not np.array_equal(snap.g_params, lab.generator.params)


def test_reset_and_a_new_seed_start_a_new_history():
    lab = GanLab(Config(seed=11))
    lab.train(300)
    lab.reset()
    assert len(lab.history) == 0
    lab.train(100)
    assert [s["iteration"] for s in lab.history.summaries()] == [0, 100]
    lab.set(seed=12)
    assert len(lab.history) == 0


def test_a_loaded_model_starts_its_history_where_it_is():
    lab = GanLab(Config(seed=13))
    lab.train(130)
    loaded = GanLab.from_json(lab.to_json())
    loaded.train(100)
    assert [s["iteration"] for s in loaded.history.summaries()] == [130, 200]
    loaded.seek(130)
    assert loaded.iteration == 130


def test_a_lab_whose_fakes_are_not_finite_is_snapshotted_without_divergences():
    lab = GanLab(Config(seed=14))
    lab.generator.params[...] = np.nan
    lab.history.record(lab)
    entry = lab.history.summaries()[-1]
    assert entry["kl"] is None and entry["js"] is None
