"""glasslab.gan.handoff: a lab moved to another interpreter and back trains on bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from glasslab.gan import Config, GanLab
from glasslab.gan import handoff as h
from glasslab.gan.history import RNGS


def same_lab(a: GanLab, b: GanLab) -> None:
    """Everything training depends on is equal, and training on stays equal."""
    assert a.to_json() == b.to_json()
    for name in ("g_optimizer", "d_optimizer"):
        sa, sb = getattr(a, name).get_state(), getattr(b, name).get_state()
        assert sa.keys() == sb.keys()
        for key in sa:
            assert np.array_equal(sa[key], sb[key])
    for name in RNGS:
        assert getattr(a, name).bit_generator.state == getattr(b, name).bit_generator.state
    assert a._real.get_state()[1] == b._real.get_state()[1]
    assert a._noise.get_state()[1] == b._noise.get_state()[1]
    a.train(137)
    b.train(137)
    assert a.to_json() == b.to_json()
    assert np.array_equal(a.generator.params, b.generator.params)


CONFIGS = [
    Config(),
    Config(dataset="ring", g_optimizer="adam", d_optimizer="adam", noise_dim=1, batch=32),
    Config(dataset="disjoint", loss="wasserstein", noise_dist="gaussian", k_d=3, seed=5),
]


@pytest.mark.parametrize("config", CONFIGS)
def test_pack_unpack_then_train_equals_train(config):
    lab = GanLab(config)
    lab.train(260)
    copy = h.unpack(h.pack(lab))
    assert copy.history.summaries() == lab.history.summaries()
    same_lab(lab, copy)
    # the networks' layers are views of their flat parameters again
    copy.generator.params[0] += 1.0
    assert copy.generator.layers[0].flat[0] == copy.generator.params[0]


def test_a_drawn_data_set_packs():
    points = [[0.2, 0.2], [0.8, 0.8], [0.5, 0.3]]
    lab = GanLab(Config(dataset="drawing"), drawing=points)
    lab.train(40)
    same_lab(lab, h.unpack(h.pack(lab)))


class FakePort:
    """The worker in this process: each take() trains a few chunks and reports."""

    def __init__(self, chunks=3, reports=1) -> None:
        self.ready, self.failed, self.trainer, self.chunks = True, False, None, chunks
        self.reports = reports  # reports per take(): the page skipped the others
        self.stops = 0
        self.at_report = None  # the worker's lab (packed) when it last reported

    def start(self, generation, packed) -> None:
        self.generation, self.trainer = generation, h.Trainer(packed)

    def begin(self) -> None:
        self.begun = True

    def stop(self) -> None:
        self.stops += 1

    def take(self):
        if self.trainer is None:
            return None
        report = None
        for _ in range(self.reports):  # as site/js/gan-worker.js keeps skipped snapshots
            for _ in range(self.chunks):
                self.trainer.run(0.002)
            earlier = [] if report is None else [*report["earlier"], report["snapshots"]]
            report = {**self.trainer.report(), "earlier": earlier}
        self.at_report = h.pack(self.trainer.lab)
        return {**report, "generation": self.generation}


@pytest.mark.parametrize("reports", [1, 4])
def test_the_page_takes_back_exactly_the_workers_lab(reports):
    lab = GanLab(Config(dataset="ring", g_optimizer="adam"))
    lab.train(180)
    reference = h.unpack(h.pack(lab))
    offload = h.Offload(FakePort(reports=reports))
    assert offload.frame(lab, eligible=True) == (True, None)  # handed over
    assert offload.trainer == "worker"
    for _ in range(40):  # frames: the mirror follows the worker
        assert offload.frame(lab, eligible=True) == (True, None)
        assert lab.iteration == offload.latest["iteration"]
        assert np.array_equal(lab.generator.params, offload.port.trainer.lab.generator.params)
    assert lab.iteration > 300  # the worker recorded snapshots the page now holds
    listed = offload.summaries(lab)  # the scrubber's list while the worker trains
    assert [s["iteration"] for s in listed] == offload.latest["kept"]
    offload.take_back()
    assert offload.trainer == "page" and offload.port.stops == 1
    worker = h.unpack(offload.port.at_report)
    assert lab.iteration == worker.iteration
    iterations = [s.iteration for s in worker.history.snapshots]  # its old ones are stubs
    assert [s.iteration for s in lab.history.snapshots] == iterations
    assert any(s.iteration > 180 for s in lab.history.snapshots)
    for mine, theirs in zip(lab.history.snapshots, worker.history.snapshots, strict=True):
        if hasattr(theirs, "g_params"):
            assert mine.summary() == theirs.summary()
            assert np.array_equal(mine.g_params, theirs.g_params)
        assert mine.shared["_view_real"] is lab._view_real
    reference.train(lab.iteration - reference.iteration)  # training on the page instead
    same_lab(lab, reference)
    lab.seek(300)  # a snapshot the worker took
    assert lab.iteration == 300


def test_not_eligible_takes_back_and_trains_on_the_page():
    lab = GanLab(Config())
    offload = h.Offload(FakePort())
    offload.frame(lab, eligible=True)
    offload.frame(lab, eligible=True)
    assert offload.frame(lab, eligible=False) == (False, None)
    assert offload.trainer == "page" and offload.rate is None
    lab.train(10)  # the page's lab works on its own


def test_a_worker_that_failed_leaves_the_lab_on_the_page():
    lab = GanLab(Config())
    port = FakePort()
    port.ready = False
    offload = h.Offload(port)
    assert offload.frame(lab, eligible=True) == (False, None)  # not ready: the page trains
    port.ready = True
    offload.frame(lab, eligible=True)
    offload.frame(lab, eligible=True)
    iteration = lab.iteration
    port.failed = True
    assert offload.frame(lab, eligible=True) == (False, None)
    assert offload.trainer == "page" and lab.iteration >= iteration  # its last report
    lab.train(5)
    assert h.Offload(None).frame(lab, eligible=True) == (False, None)


def test_divergence_in_the_worker_comes_back_restored():
    lab = GanLab(Config())
    lab.train(60)
    good = h.unpack(h.pack(lab))
    port = FakePort()
    offload = h.Offload(port)
    offload.frame(lab, eligible=True)
    port.trainer.lab.discriminator.params[3] = np.inf  # the worker's training breaks
    trains, diverged = offload.frame(lab, eligible=True)
    assert trains and "NaN or infinite" in diverged
    assert offload.trainer == "page"
    assert lab.iteration == 60 and np.isfinite(lab.discriminator.params).all()
    assert np.array_equal(lab.discriminator.params, good.discriminator.params)
    lab.train(5)


def test_a_report_is_due_at_most_every_report_seconds():
    now = [0.0]
    trainer = h.Trainer(h.pack_for_worker(GanLab(Config())), clock=lambda: now[0])
    trainer.lab.train = lambda n: now.__setitem__(0, now[0] + 0.001 * n)
    assert not trainer.run(0.003)
    while not trainer.run(0.003):
        pass
    assert now[0] >= h.REPORT_SECONDS
    report = trainer.report()
    assert report["params"].dtype == np.float64 and isinstance(report["state"], bytes)
    assert not trainer.run(0.003)
